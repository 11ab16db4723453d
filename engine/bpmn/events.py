"""Event definitions that read the engine's clock and take Camunda-style message variables.

SpiffWorkflow's timers compare with ``datetime.now()``. Ours compare with the
time of the command running the step (the engine's settable clock), so a
worker run with ``--now`` and a replay see the same moments. Timer
expressions may be ``${...}`` and may evaluate to a datetime, a date or ISO
text.

A message caught from outside carries variables, which are set on the
catching task (as Camunda sets correlated process variables).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition

from .timer_values import cycle, duration, literal_or_expression, moment


def engine_now(my_task) -> datetime:
    """The moment of the running command (the system time outside a command)."""
    context = getattr(my_task.workflow.top_workflow, "step_context", None)
    return context.command.now if context is not None else datetime.now(UTC)


def _value(my_task, text: str):
    """What the timer's text says for this task: its expression's value, or the ISO text as written."""
    text, evaluate = literal_or_expression(text)
    return my_task.workflow.script_engine.evaluate(my_task, text) if evaluate else text


class _ClockTimer:
    """A one-shot timer: armed once (``arm`` gives the moment), fired when the clock reaches it."""

    def arm(self, my_task, now: datetime) -> str:
        raise NotImplementedError

    def has_fired(self, my_task):
        now = engine_now(my_task)
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = self.arm(my_task, now)
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.parse_time_or_duration(event_value) <= now:
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockTimeDate(_ClockTimer, TimeDateEventDefinition):
    """A timer at a date and time."""

    def arm(self, my_task, now: datetime) -> str:
        return moment(_value(my_task, self.expression)).isoformat()


class ClockDuration(_ClockTimer, DurationTimerEventDefinition):
    """A timer some time after it was reached."""

    def arm(self, my_task, now: datetime) -> str:
        return (now + duration(_value(my_task, self.expression), now)).isoformat()


class ClockCycle(CycleTimerEventDefinition):
    """A repeating timer (``R3/PT1H``…), counted on the engine's clock."""

    def cycle_complete(self, my_task):
        event_value = my_task._get_internal_data("event_value")
        now = engine_now(my_task)
        if event_value is None:
            cycles, start, interval = cycle(_value(my_task, self.expression), now)
            event_value = {"cycles": cycles, "next": start.isoformat(), "duration": interval.total_seconds()}
        ready = False
        if event_value["cycles"] != 0:
            next_event = datetime.fromisoformat(event_value["next"])
            if next_event <= now:
                event_value["next"] = (next_event + timedelta(seconds=event_value["duration"])).isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready


CLOCK_TIMERS = {
    TimeDateEventDefinition: ClockTimeDate,
    DurationTimerEventDefinition: ClockDuration,
    CycleTimerEventDefinition: ClockCycle,
}


def timer_due(my_task) -> datetime | None:
    """When a waiting timer task fires, from what it armed (None when it has not armed yet)."""
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        return None
    if isinstance(event_value, dict):
        return datetime.fromisoformat(event_value["next"]) if event_value.get("cycles") != 0 else None
    return TimerEventDefinition.parse_time_or_duration(event_value) \
        if not str(event_value).upper().startswith("P") else None


class VariablesMessage(MessageEventDefinition):
    """A message whose payload (a dict of variables) is set on the task that catches it."""

    def update_task_data(self, my_task):
        event_data = my_task.internal_data.get(self.name) or {}
        payload = event_data.get("payload")
        if isinstance(payload, dict) and not self.result_var:
            my_task.data.update(payload)
        else:
            super().update_task_data(my_task)
