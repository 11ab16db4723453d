"""Service handlers of deadline tracking: schedule, remind, overdue, chase, extensions, escalations.

The BPMN decides *when* (timers, messages, gateways on ``phase``); these
handlers compute the moments with the business calendar, keep the
``schedule`` (the task's current deadline and the history of its
extensions), and tell people.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from engine import MessageForm, ServiceContext, User
from engine.calendar import END_OF_DAY, BusinessCalendar
from engine.clock import to_local

from .deadlines import BEFORE_THAT_DAY, DeadlineReader, far_sentence, too_far
from .notifications import Mailer, notify, people_of
from .projections import on_instance_changed

#: What the lead agency sends to its running task (message names as drawn in directive_task.bpmn).
EXTENSION_MESSAGE, AUTHORITY_MESSAGE = "Xin gia hạn", "Vượt thẩm quyền"
REQUEST_MESSAGES = {
    EXTENSION_MESSAGE: MessageForm("directive_extension_request", "extension_requested"),
    AUTHORITY_MESSAGE: MessageForm("directive_authority_request", "authority_requested"),
}

#: Working hours start: reminders and escalations are sent at the start of a working day.
MORNING = time(8, 0)

BEFORE_REMINDER, BEFORE_DUE, OVERDUE, ESCALATED, NO_DEADLINE = (
    "before_reminder", "before_due", "overdue", "escalated", "none")


@dataclass(frozen=True)
class TrackingSettings:
    """How far ahead reminders go out and how long an overdue task waits before it is escalated."""

    reminder_days: int = 3
    escalation_days: int = 2
    before_day: str = BEFORE_THAT_DAY
    mailer: Mailer = field(default_factory=Mailer)


def dmy(moment: datetime | date) -> str:
    return moment.strftime("%d/%m/%Y")


def plan(calendar: BusinessCalendar, reminder_days: int, escalation_days: int, due: datetime) -> dict[str, str]:
    """The moments around a deadline: the reminder before it, the escalation after it."""
    remind = calendar.subtract_working_days(due.date(), reminder_days)
    escalate = calendar.add_working_days(due.date(), escalation_days)
    return {"due_at": due.isoformat(),
            "remind_at": datetime.combine(remind, MORNING, tzinfo=due.tzinfo).isoformat(),
            "escalate_at": datetime.combine(escalate, MORNING, tzinfo=due.tzinfo).isoformat()}


def phase_at(moments: dict[str, str], now: datetime) -> str:
    """Where a task stands against its deadline at ``now``."""
    if not moments.get("due_at"):
        return NO_DEADLINE
    for phase, key in ((BEFORE_REMINDER, "remind_at"), (BEFORE_DUE, "due_at"), (OVERDUE, "escalate_at")):
        if now < datetime.fromisoformat(moments[key]):
            return phase
    return ESCALATED


class Tracking:
    """The handlers, bound to the settings of the running application."""

    def __init__(self, settings: TrackingSettings):
        self.settings = settings

    def offsets(self, ctx: ServiceContext, schedule: dict[str, Any] | None = None) -> tuple[int, int]:
        """Reminder and escalation offsets in working days: this step's properties in the model
        (``reminder_days``, ``escalation_days``), else those the schedule was computed with, else the settings."""
        stored = schedule or {}

        def pick(name: str, default: int) -> int:
            return int(ctx.properties.get(name) or stored.get(name) or default)

        return (pick("reminder_days", self.settings.reminder_days),
                pick("escalation_days", self.settings.escalation_days))

    def reader(self, calendar: BusinessCalendar) -> DeadlineReader:
        return DeadlineReader(calendar, self.settings.before_day)

    def _tell(self, ctx: ServiceContext, users: list[User], kind: str, title: str, body: str) -> None:
        notify(ctx.session, self.settings.mailer, ctx.now, users, kind, title, body,
               link=f"/directives/{ctx.variables.get('directive_id')}", directive_id=ctx.variables.get("directive_id"))

    def _lead(self, ctx: ServiceContext) -> list[User]:
        return people_of(ctx.session, ctx.variables["lead"])

    def _tracker(self, ctx: ServiceContext) -> list[User]:
        tracker = ctx.session.get(User, ctx.variables.get("tracker") or "")
        return [tracker] if tracker else []

    @staticmethod
    def _what(v: dict[str, Any]) -> str:
        period = f" (kỳ báo cáo số {v['period_no']})" if v.get("period_no") else ""
        return f"Nhiệm vụ {v['ref']}{period} của văn bản {v.get('number_text') or ''}: {v['summary']}"

    # -- the task's schedule ------------------------------------------------------------
    def schedule(self, ctx: ServiceContext) -> dict[str, Any]:
        """Compute the task's deadline moments (data object ``schedule``) and its ``phase``."""
        v = ctx.variables
        deadline = v.get("deadline")
        reminder_days, escalation_days = self.offsets(ctx)
        schedule: dict[str, Any] = {"deadline": deadline, "original_deadline": deadline, "extensions": [],
                                    "reminder_days": reminder_days, "escalation_days": escalation_days}
        if deadline and not v.get("recurrence"):
            at = time.fromisoformat(v["deadline_time"]) if v.get("deadline_time") else None
            schedule.update(plan(ctx.calendar, reminder_days, escalation_days,
                                 ctx.calendar.deadline(date.fromisoformat(deadline), at)))
        else:
            schedule.update(due_at=None, remind_at=None, escalate_at=None)
        schedule["original_due_at"] = schedule["due_at"]
        return {"schedule": schedule, "phase": phase_at(schedule, ctx.now)}

    def track(self, ctx: ServiceContext) -> dict[str, Any]:
        """Where the task stands now against its (possibly extended) schedule."""
        return {"phase": phase_at(ctx.variables.get("schedule") or {}, ctx.now)}

    def remind(self, ctx: ServiceContext) -> dict[str, Any]:
        v = ctx.variables
        due = datetime.fromisoformat(v.get("period_due") or v["schedule"]["due_at"])
        left = ctx.calendar.working_days_between(ctx.now.date(), due.date())
        self._tell(ctx, self._lead(ctx), "reminder", f"Sắp đến hạn: nhiệm vụ {v['ref']}",
                   f"{self._what(v)}\nHạn xử lý: {dmy(to_local(due))}, còn {left} ngày làm việc.")
        self._fact(ctx, reminded_at=ctx.now.isoformat())
        return {"phase": BEFORE_DUE}

    def mark_overdue(self, ctx: ServiceContext) -> dict[str, Any]:
        v = ctx.variables
        due = datetime.fromisoformat(v.get("period_due") or v["schedule"]["due_at"])
        self._tell(ctx, self._lead(ctx) + self._tracker(ctx), "overdue", f"Quá hạn: nhiệm vụ {v['ref']}",
                   f"{self._what(v)}\nĐã quá hạn xử lý {dmy(to_local(due))} mà chưa hoàn thành.")
        self._fact(ctx, overdue_at=ctx.now.isoformat())
        return {"phase": OVERDUE}

    def send_chase(self, ctx: ServiceContext) -> dict[str, Any]:
        v = ctx.variables
        leader = ctx.session.get(User, ctx.actor.username)
        who = f"{leader.full_name} ({leader.title})" if leader else ctx.actor.username
        self._tell(ctx, self._lead(ctx) + self._tracker(ctx), "chase", f"Đôn đốc: nhiệm vụ {v['ref']}",
                   f"{who} đôn đốc thực hiện {self._what(v)}\n{v.get('chase_text', '')}")
        row = self._fact(ctx, chase_text=v.get("chase_text"), chased_by=ctx.actor.username)
        row.escalated_at = ctx.now
        return {"phase": ESCALATED}

    # -- extensions -----------------------------------------------------------------------
    def request_checks(self, v: dict[str, Any], new_deadline: str) -> str | None:
        """Why an extension request cannot be taken (None when it can)."""
        current = (v.get("schedule") or {}).get("deadline")
        if not current:
            return "Nhiệm vụ không có thời hạn nên không cần gia hạn."
        if new_deadline <= current:
            return f"Hạn mới phải sau hạn hiện tại {dmy(date.fromisoformat(current))}."
        if too_far(date.fromisoformat(new_deadline), date.fromisoformat(current)):
            return "H" + far_sentence(date.fromisoformat(new_deadline))[1:]
        return None

    def apply_extension(self, ctx: ServiceContext) -> dict[str, Any]:
        """Move the deadline to the requested date; every moment is computed again."""
        v = ctx.variables
        schedule = dict(v["schedule"])
        new = v["extension_new_deadline"]
        schedule["extensions"] = schedule.get("extensions", []) + [self._decision(ctx, "approved", schedule)]
        schedule["deadline"] = new
        due = ctx.calendar.deadline(date.fromisoformat(new))
        schedule.update(plan(ctx.calendar, *self.offsets(ctx, schedule), due))
        self._tell(ctx, self._lead(ctx) + self._tracker(ctx), "extension", f"Đồng ý gia hạn: nhiệm vụ {v['ref']}",
                   f"{self._what(v)}\nHạn mới: {dmy(date.fromisoformat(new))}.")
        return {"schedule": schedule, "phase": phase_at(schedule, ctx.now)}

    def reject_extension(self, ctx: ServiceContext) -> dict[str, Any]:
        v = ctx.variables
        schedule = dict(v["schedule"])
        schedule["extensions"] = schedule.get("extensions", []) + [self._decision(ctx, "rejected", schedule)]
        self._tell(ctx, self._lead(ctx), "extension", f"Không đồng ý gia hạn: nhiệm vụ {v['ref']}",
                   f"{self._what(v)}\nLý do: {v.get('extension_decision_reason') or ''}")
        return {"schedule": schedule}

    @staticmethod
    def _decision(ctx: ServiceContext, outcome: str, schedule: dict[str, Any]) -> dict[str, Any]:
        v = ctx.variables
        return {"requested_by": v.get("extension_requested_by"), "requested_at": v.get("extension_requested_at"),
                "reason": v.get("extension_reason"), "from": schedule.get("deadline"),
                "to": v.get("extension_new_deadline"), "outcome": outcome, "decided_by": ctx.actor.username,
                "decided_at": ctx.now.isoformat(), "decision_reason": v.get("extension_decision_reason")}

    # -- matters beyond the agency's authority -------------------------------------------
    def answer_authority(self, ctx: ServiceContext) -> dict[str, Any]:
        v = ctx.variables
        self._tell(ctx, self._lead(ctx), "authority", f"Ý kiến chỉ đạo: nhiệm vụ {v['ref']}",
                   f"{self._what(v)}\nVấn đề: {v.get('authority_matter')}\nÝ kiến: {v.get('authority_decision')}")
        row = self._fact(ctx)
        row.facts = {**row.facts, "authority": row.facts.get("authority", []) + [{
            "matter": v.get("authority_matter"), "decision": v.get("authority_decision"),
            "decided_by": ctx.actor.username, "decided_at": ctx.now.isoformat()}]}
        return {}

    # -- recurring reports ------------------------------------------------------------------
    def next_period(self, ctx: ServiceContext) -> dict[str, Any]:
        """The next report period of a recurring task: when it opens, when it is due, its moments."""
        v = ctx.variables
        opens = datetime.fromisoformat(v["period_due"]) if v.get("period_due") else ctx.now
        reader = self.reader(ctx.calendar)
        upcoming = reader.occurrences(v["recurrence"], (opens + timedelta(seconds=1)).date(), 2)
        stated = next((s for s in upcoming if s > opens), None)
        if stated is None:  # the rule's UNTIL has passed
            return {"periods_over": True}
        has_time = "BYHOUR" in v["recurrence"]
        due = ctx.calendar.deadline(stated.date(), stated.timetz().replace(tzinfo=None) if has_time else None)
        moments = plan(ctx.calendar, *self.offsets(ctx, v.get("schedule")), due)
        return {"period_no": (v.get("period_no") or 0) + 1, "period_opens_at": opens.isoformat(),
                "period_due": moments["due_at"], "period_remind_at": moments["remind_at"],
                "period_escalate_at": moments["escalate_at"], "periods_over": False}

    def finish(self, ctx: ServiceContext) -> dict[str, Any]:
        """Record when the task (or period) was completed and whether its report came in time."""
        v = ctx.variables
        row = self._fact(ctx)
        row.completed_at = ctx.now
        due = (v.get("schedule") or {}).get("due_at") or v.get("period_due")
        row.on_time = None if not due else (row.reported_at or ctx.now) <= datetime.fromisoformat(due)
        return {}

    def mark_reported(self, ctx: ServiceContext) -> dict[str, Any]:
        self._fact(ctx).reported_at = ctx.now
        return {}

    @staticmethod
    def _fact(ctx: ServiceContext, **facts: Any):
        """The read-model row of the running task or period, with ``facts`` added to it."""
        row = on_instance_changed(ctx.session, ctx.instance, ctx.variables)
        if facts:
            row.facts = {**(row.facts or {}), **facts}
        return row

    def handlers(self) -> dict[str, Any]:
        return {
            "directive.schedule": self.schedule,
            "directive.track": self.track,
            "directive.remind": self.remind,
            "directive.mark_overdue": self.mark_overdue,
            "directive.send_chase": self.send_chase,
            "directive.apply_extension": self.apply_extension,
            "directive.reject_extension": self.reject_extension,
            "directive.answer_authority": self.answer_authority,
            "directive.next_period": self.next_period,
            "directive.mark_reported": self.mark_reported,
            "directive.finish": self.finish,
        }


def read_task_deadline(reader: DeadlineReader, task: dict[str, Any], base: date) -> dict[str, Any]:
    """A draft task's deadline: read from its phrase when it has one (counting from ``base``), else its date.

    Returns ``deadline`` (the effective date), ``deadline_time`` ("HH:MM" when the phrase names an
    hour) and ``recurrence`` (an RRULE for a recurring report).
    """
    phrase = (task.get("deadline_phrase") or "").strip()
    if not phrase:
        return {"deadline": task.get("deadline"), "deadline_time": None, "recurrence": None}
    found = reader.read(phrase, base)
    if found.recurrence:
        return {"deadline": None, "deadline_time": None, "recurrence": found.recurrence}
    local = to_local(found.due)
    timed = local.time() != END_OF_DAY
    return {"deadline": local.date().isoformat(), "deadline_time": local.strftime("%H:%M") if timed else None,
            "recurrence": None}
