"""Keep the read model in step with the process instances.

Called by the engine once per changed instance at the end of a command. The
stage shown to users is the name of the element(s) the instance waits in, as
drawn in the BPMN, so the lifecycle stays in the diagram.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.models import ProcessInstance

from .models import Assignment, Directive, Receipt, ReportPeriod

DONE_STAGE = "Đã hoàn thành"


def _stage(instance: ProcessInstance) -> str:
    if instance.status == "completed":
        return DONE_STAGE
    work = [e["name"] for e in instance.active_elements if e.get("kind") in ("task", "call")]
    return ", ".join(dict.fromkeys(work)) or "Đang theo dõi"


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _returned_reason(variables: dict[str, Any], *pairs: tuple[str, str]) -> str | None:
    for decision, reason in pairs:
        if variables.get(decision) == "return":
            return variables.get(reason)
    return None


def project_directive(session: Session, instance: ProcessInstance, v: dict[str, Any]) -> None:
    row = session.get(Directive, instance.id)
    if row is None:
        row = Directive(id=instance.id, business_key=instance.business_key, created_at=instance.started_at,
                        source=v.get("seed_source"))
        session.add(row)
    row.kind, row.field_code, row.subject = v.get("kind"), v.get("field_code"), v.get("subject")
    row.body, row.recipients, row.tasks = v.get("body"), v.get("recipients") or [], v.get("tasks") or []
    row.signing_authority, row.signer, row.drafter = v.get("signing_authority"), v.get("signer"), v.get("initiator")
    row.number, row.number_text, row.issued_on = v.get("number"), v.get("number_text"), _date(v.get("issued_on"))
    row.status, row.stage = instance.status, _stage(instance)
    waiting_in_draft = any(e["id"] == "draft" for e in instance.active_elements)
    row.last_reason = _returned_reason(v, ("sign_decision", "sign_reason"), ("review_decision", "review_reason")) \
        if waiting_in_draft else None
    row.updated_at = instance.updated_at


def project_assignment(session: Session, instance: ProcessInstance, v: dict[str, Any]) -> Assignment:
    row = session.get(Assignment, instance.id)
    if row is None:
        row = Assignment(id=instance.id, directive_id=v["directive_id"], ref=v["ref"], summary=v["summary"],
                         lead=v["lead"], coordinators=[c["agency"] for c in v.get("contributions", [])],
                         deadline=_date(v.get("deadline")), deadline_phrase=v.get("deadline_phrase"),
                         recurrence=v.get("recurrence"), extensions=[], facts={})
        session.add(row)
    schedule = v.get("schedule") or {}
    row.deadline = _date(schedule.get("deadline")) or row.deadline
    row.due_at = _moment(schedule.get("due_at"))
    row.original_due_at = _moment(schedule.get("original_due_at"))
    row.extensions = schedule.get("extensions") or []
    row.status, row.stage = instance.status, _stage(instance)
    row.report_text = v.get("report_text") or row.report_text
    waiting_for_report = any(e["id"] == "report" for e in instance.active_elements)
    row.last_reason = _returned_reason(v, ("report_decision", "report_review_reason")) if waiting_for_report else None
    row.updated_at = instance.updated_at
    return row


def project_period(session: Session, instance: ProcessInstance, v: dict[str, Any]) -> ReportPeriod:
    row = session.get(ReportPeriod, instance.id)
    if row is None:
        row = ReportPeriod(id=instance.id, assignment_id=instance.parent_instance_id, directive_id=v["directive_id"],
                           lead=v["lead"], period_no=v["period_no"], due_at=_moment(v["period_due"]), facts={})
        session.add(row)
    row.status, row.stage = instance.status, _stage(instance)
    row.report_text = v.get("report_text") or row.report_text
    row.updated_at = instance.updated_at
    return row


def project_receipt(session: Session, instance: ProcessInstance, v: dict[str, Any]) -> None:
    row = session.get(Receipt, instance.id)
    if row is None:
        row = Receipt(id=instance.id, directive_id=v["directive_id"], agency=v["agency"])
        session.add(row)
    row.status, row.incoming_number = instance.status, v.get("incoming_number")
    row.updated_at = instance.updated_at


PROJECTIONS = {
    "directive": project_directive,
    "directive_task": project_assignment,
    "directive_receipt": project_receipt,
    "directive_report_period": project_period,
}


def on_instance_changed(session: Session, instance: ProcessInstance, variables: dict[str, Any]):
    """Engine listener: refresh (and return) the read-model row of a directive, assignment, receipt or period."""
    projection = PROJECTIONS.get(instance.definition_key)
    return projection(session, instance, variables) if projection is not None else None
