"""Tracking status as Vietnamese offices report it.

Đang thực hiện: trong hạn / sắp đến hạn (three working days or fewer) / quá hạn;
hoàn thành: đúng hạn / quá hạn. Recurring reports count per period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from engine import Actor
from engine.calendar import BusinessCalendar
from engine.clock import to_local

from .models import Assignment, Directive, ReportPeriod
from .queries import list_contains, sees_province

SOON_WORKING_DAYS = 3

STATUSES = {
    "on_track": "Đang thực hiện – trong hạn",
    "due_soon": "Đang thực hiện – sắp đến hạn",
    "overdue": "Đang thực hiện – quá hạn",
    "no_deadline": "Đang thực hiện – không thời hạn",
    "recurring": "Báo cáo định kỳ",
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "done": "Hoàn thành",
    "closed": "Đã dừng",
}


@dataclass(frozen=True)
class Standing:
    """Where one task (or report period) stands: its status code and working days left."""

    code: str
    days_left: int | None

    @property
    def label(self) -> str:
        return STATUSES[self.code]

    @property
    def colour(self) -> str:
        """The colour class of the status: red overdue, orange soon, green done."""
        return {"overdue": "late", "due_soon": "soon", "done_late": "late"}.get(
            self.code, "done" if self.code.startswith("done") else "")


def standing(status: str, due_at: datetime | None, on_time: bool | None, now: datetime,
             calendar: BusinessCalendar, recurring: bool = False) -> Standing:
    """The standing of a task at ``now``."""
    if status == "completed":
        code = "done" if on_time is None else ("done_on_time" if on_time else "done_late")
        return Standing(code, None)
    if status == "cancelled":
        return Standing("closed", None)
    if recurring:
        return Standing("recurring", None)
    if due_at is None:
        return Standing("no_deadline", None)
    left = calendar.working_days_between(to_local(now).date(), to_local(due_at).date())
    if due_at < now:
        return Standing("overdue", left)
    return Standing("due_soon" if left <= SOON_WORKING_DAYS else "on_track", left)


def visible_assignments(actor: Actor, directive_id: str | None = None) -> Select:
    """Assignments the actor may see (their agency's, or all for the issuing side), newest directive first."""
    query = select(Assignment, Directive).join(Directive, Directive.id == Assignment.directive_id)
    if not sees_province(actor):
        query = query.where(or_(Assignment.lead == actor.org, list_contains(Assignment.coordinators, actor.org or "")))
    if directive_id:
        query = query.where(Assignment.directive_id == directive_id)
    return query.order_by(Directive.created_at.desc(), Assignment.ref, Assignment.lead)


def tracking_rows(session: Session, actor: Actor, now: datetime, calendar: BusinessCalendar,
                  directive_id: str | None = None) -> list[dict]:
    """One row per assignment with its standing; recurring tasks also count their periods."""
    rows = []
    for assignment, directive in session.execute(visible_assignments(actor, directive_id)):
        recurring = bool(assignment.recurrence)
        rows.append({"assignment": assignment, "directive": directive,
                     "standing": standing(assignment.status, assignment.due_at, assignment.on_time, now, calendar,
                                          recurring)})
        if recurring:
            for period in session.scalars(select(ReportPeriod).where(ReportPeriod.assignment_id == assignment.id)
                                          .order_by(ReportPeriod.period_no)):
                rows.append({"assignment": assignment, "directive": directive, "period": period,
                             "standing": standing(period.status, period.due_at, period.on_time, now, calendar)})
    return rows


def counts(rows: list[dict], key) -> dict[str, dict[str, int]]:
    """Rows counted by ``key(row)`` and status code (periods stand for their recurring task)."""
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        if row["standing"].code == "recurring":
            continue
        group = table.setdefault(key(row), {code: 0 for code in STATUSES})
        group[row["standing"].code] += 1
    return table
