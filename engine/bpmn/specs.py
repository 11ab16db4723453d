"""Task specs the engine adds to SpiffWorkflow's.

* ``HumanTaskSpec``: a user task that knows its assignment (candidate groups,
  assignee, due and follow-up dates, priority) as written in the model.
* ``HandlerServiceTask``: a service task that calls a handler registered by a
  plugin, inside the step's transaction.
* ``ExternalServiceTask``: a service task done by an external worker
  (``camunda:type="external" camunda:topic="…"``): it waits in STARTED while a
  worker fetches, locks and completes it through the REST API.
* ``CallActivityTask``: a call activity whose called process runs as its own,
  separately stored process instance (Camunda's semantics). The task waits in
  STARTED until the engine reports that every child instance has ended.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.camunda.specs.user_task import UserTask as CamundaUserTask


@dataclass(frozen=True)
class Assignment:
    """Who may work on a user task and when it is due, as expressions."""

    candidate_groups: str | None = None
    candidate_users: str | None = None
    assignee: str | None = None
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None


class HumanTaskSpec(CamundaUserTask):
    """A user task with its assignment expressions."""

    def __init__(self, wf_spec, bpmn_id, form, assignment: Assignment | None = None, **kwargs):
        super().__init__(wf_spec, bpmn_id, form, **kwargs)
        self.assignment = assignment or Assignment()

    @property
    def form_key(self) -> str | None:
        return self.form.key if self.form is not None else None


class HandlerServiceTask(BpmnSpecMixin):
    """A service task run by a plugin handler: ``chidao:handler="name"``.

    The handler is found through ``workflow.step_context`` which the engine
    attaches to the workflow object while it runs a step; it returns a dict of
    variables to set on the task.
    """

    def __init__(self, wf_spec, bpmn_id, handler: str, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.handler = handler

    def _run_hook(self, my_task):
        context = my_task.workflow.top_workflow.step_context
        result = context.call_handler(self.handler, my_task)
        if result:
            my_task.data.update(result)
        return True


class ExternalServiceTask(BpmnSpecMixin):
    """A service task an external worker does: ``camunda:type="external" camunda:topic="…"``."""

    def __init__(self, wf_spec, bpmn_id, topic: str, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic

    def _run_hook(self, my_task):
        # Stay STARTED: the engine offers the task to workers of its topic and completes it
        # when one reports back.
        return None


@dataclass(frozen=True)
class VariableMapping:
    """One ``camunda:in``/``camunda:out`` line of a call activity."""

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    all_variables: bool = False
    local: bool = False


@dataclass(frozen=True)
class CallSettings:
    """What a call activity calls and with which variables."""

    called_element: str
    binding: str = "latest"
    version: int | None = None
    inputs: tuple[VariableMapping, ...] = field(default_factory=tuple)
    outputs: tuple[VariableMapping, ...] = field(default_factory=tuple)
    collection: str | None = None
    element_variable: str | None = None
    cardinality: str | None = None


class CallActivityTask(BpmnSpecMixin):
    """A call activity executed as separate child process instances."""

    def __init__(self, wf_spec, bpmn_id, call: CallSettings, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.call = call

    @property
    def is_multi_instance(self) -> bool:
        return self.call.collection is not None or self.call.cardinality is not None

    def _run_hook(self, my_task):
        # Stay STARTED: the engine starts the children after this step and
        # completes the task when they have all ended.
        return None
