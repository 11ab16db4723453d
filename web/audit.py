"""Inspection: find instances, walk their history step by step, verify it, export it.

Auditors and process admins read here; nothing on these pages changes data.
"""
from __future__ import annotations

import json
from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine import NotFound
from engine.anchor import AnchorHead, latest_anchor
from engine.audit import missing_children, store_findings, verify_instance
from engine.clock import to_local
from engine.models import HistoryEvent, ProcessDefinition, ProcessInstance
from engine.replay import ReplayResult, Step, instance_events
from workflows.models import Assignment, Directive

from . import query_args
from .security_headers import download
from .services import services

bp = Blueprint("audit", __name__, url_prefix="/audit")

EVENT_NAMES = {
    "instance_started": "Khởi tạo phiên", "instance_completed": "Kết thúc phiên", "instance_cancelled": "Hủy phiên",
    "instance_migrated": "Chuyển phiên bản quy trình", "task_created": "Giao việc", "task_completed": "Hoàn thành việc",
    "task_claimed": "Nhận xử lý", "task_unclaimed": "Trả việc về nhóm", "task_due_changed": "Đổi hạn xử lý",
    "task_cancelled": "Hủy việc (không còn cần làm)",
    "activity_completed": "Hoàn thành bước", "call_started": "Mở phiên con", "message_correlated": "Nhận thông điệp",
    "external_task_created": "Giao cho hệ thống bên ngoài", "external_task_failed": "Hệ thống bên ngoài báo lỗi",
    "error_thrown": "Lỗi nghiệp vụ", "variables_set": "Sửa biến của phiên", "task_comment": "Ý kiến",
}
STATUSES = ("running", "completed", "cancelled", "overdue", "extended", "escalated")
PAGE = 50


def auditors_only(view):
    """Only inspectors and process admins read the audit pages."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.has_role("auditor", "admin"):
            abort(403, _("Chỉ thanh tra và quản trị quy trình được xem lịch sử kiểm chứng."))
        return view(*args, **kwargs)
    return login_required(guarded)


def resolve_instance(session: Session, text: str) -> str:
    """An instance id from its id, its directive's number («07/UBND-KT») or its business key."""
    if session.get(ProcessInstance, text) is not None or session.scalar(
            select(HistoryEvent.id).where(HistoryEvent.instance_id == text).limit(1)) is not None:
        return text
    found = session.scalar(select(Directive.id)
                           .where(or_(Directive.number_text == text, Directive.business_key == text)).limit(1))
    if found is None and _known_as_gone(session, text):
        return text  # deleted with its whole history: its page says what the anchors or its parent prove
    if found is None:
        raise NotFound(f"Không tìm thấy phiên quy trình hay văn bản «{text}».")
    return found


def _known_as_gone(session: Session, instance_id: str) -> bool:
    """Whether the anchors or a parent's history know an instance that is no longer stored."""
    if session.scalar(select(AnchorHead.seq).where(AnchorHead.instance_id == instance_id).limit(1)) is not None:
        return True
    return bool(missing_children(session, child=instance_id))


def event_label(event: HistoryEvent) -> str:
    """What happened, in words: the kind of event and the step."""
    name = EVENT_NAMES.get(event.event_type, event.event_type)
    return f"{name} «{event.element_name or event.element_id}»" if event.element_id else name


def step_line(event: HistoryEvent, step: Step) -> str:
    """One line of ``chidao replay``: number, moment, who, what, and where the tokens are after it."""
    who = f"{event.actor} ({event.actor_org})" if event.actor_org else (event.actor or "hệ thống")
    waiting = ", ".join(step.active) or "—"
    return f"{event.seq:>4}  {to_local(event.at):%d/%m/%Y %H:%M}  {who:<24} {event_label(event)}  → chờ: {waiting}"


def _search_query():
    args = request.args
    query = (select(ProcessInstance, Directive)
             .outerjoin(Directive, Directive.business_key == ProcessInstance.business_key))
    if args.get("q"):
        words = args['q'].strip()
        query = query.where(or_(*(column.icontains(words, autoescape=True) for column in (
            Directive.number_text, Directive.subject, ProcessInstance.business_key, ProcessInstance.id))))
    if args.get("agency"):
        agency = args["agency"].strip()
        query = query.where(or_(
            exists().where(HistoryEvent.instance_id == ProcessInstance.id, HistoryEvent.actor_org == agency),
            exists().where(Assignment.id == ProcessInstance.id, Assignment.lead == agency)))
    if args.get("user"):
        query = query.where(exists().where(HistoryEvent.instance_id == ProcessInstance.id,
                                           HistoryEvent.actor == args["user"].strip()))
    since, until = query_args.day("since"), query_args.day("until", end=True)
    if since:
        query = query.where(ProcessInstance.started_at >= since)
    if until:
        query = query.where(ProcessInstance.started_at <= until)
    status = args.get("status")
    if status and status not in STATUSES:
        abort(400, _("Trạng thái «%(value)s» không có; hãy chọn một trong: %(known)s.", value=status,
                     known=", ".join(STATUSES)))
    if status in ("running", "completed", "cancelled"):
        query = query.where(ProcessInstance.status == status)
    elif status == "overdue":
        now = services().clock.now()
        query = query.where(exists().where(Assignment.id == ProcessInstance.id, or_(
            Assignment.on_time.is_(False), (Assignment.completed_at.is_(None) & (Assignment.due_at < now)))))
    elif status == "extended":  # an approved extension moved the deadline (a rejected request does not)
        query = query.where(exists().where(Assignment.id == ProcessInstance.id, Assignment.original_due_at.is_not(None),
                                           Assignment.due_at != Assignment.original_due_at))
    elif status == "escalated":
        query = query.where(exists().where(Assignment.id == ProcessInstance.id, Assignment.escalated_at.is_not(None)))
    return query.order_by(ProcessInstance.started_at.desc(), ProcessInstance.id)


@bp.route("/")
@auditors_only
def search():
    page = query_args.page_number()
    with services().db.reader() as s:
        rows = s.execute(_search_query().offset((page - 1) * PAGE).limit(PAGE + 1)).all()
        findings = store_findings(services().engine, s)
        last_anchor = latest_anchor(s)
        if last_anchor is not None:
            s.expunge(last_anchor)
    return render_template("audit/search.html", rows=rows[:PAGE], page=page, more=len(rows) > PAGE,
                           statuses=STATUSES, findings=findings, last_anchor=last_anchor)


def _history(instance_id: str) -> tuple[ProcessInstance | None, list[HistoryEvent], ReplayResult]:
    with services().db.reader() as s:
        try:
            instance_id = resolve_instance(s, instance_id)
        except NotFound:
            abort(404, _("Không tìm thấy phiên quy trình này."))
        instance = s.get(ProcessInstance, instance_id)
        events = instance_events(s, instance_id)
        result = verify_instance(services().engine, s, instance_id, with_steps=True)
        for event in events:
            s.expunge(event)
        if instance is not None:
            s.expunge(instance)
    return instance, events, result


def _event_json(event: HistoryEvent) -> dict[str, Any]:
    return {"seq": event.seq, "at": to_local(event.at).isoformat(), "event_type": event.event_type,
            "actor": event.actor, "actor_org": event.actor_org, "definition_id": event.definition_id,
            "element_id": event.element_id, "element_name": event.element_name, "task_id": event.task_id,
            "data": event.data, "prev_hash": event.prev_hash, "hash": event.hash}


@bp.route("/instances/<instance_id>")
@auditors_only
def instance(instance_id: str):
    instance, events, result = _history(instance_id)
    steps = {step.seq: step for step in result.steps}
    walk = [{**_event_json(e), "label": event_label(e), "when": f"{to_local(e.at):%H:%M:%S %d/%m/%Y}",
             "active": steps[e.seq].active if e.seq in steps else [],
             "completed": steps[e.seq].completed if e.seq in steps else [],
             "changes": steps[e.seq].changes if e.seq in steps else {},
             "diagram": url_for("directives.diagram", definition_id=e.definition_id)} for e in events]
    with services().db.reader() as s:
        directive = s.scalar(select(Directive).where(Directive.business_key == instance.business_key)) \
            if instance is not None and instance.business_key else None
        definition = s.get(ProcessDefinition, instance.definition_id) if instance is not None else None
        if directive is not None:
            s.expunge(directive)
    return render_template("audit/instance.html", instance=instance, instance_id=instance_id, walk=walk,
                           result=result, directive=directive, definition=definition,
                           start=request.args.get("step", type=int))


@bp.route("/instances/<instance_id>/history.json")
@auditors_only
@download
def export_json(instance_id: str):
    instance, events, result = _history(instance_id)
    document = {
        "instance_id": instance_id,
        "process": {"definition_id": instance.definition_id, "key": instance.definition_key,
                    "business_key": instance.business_key, "status": instance.status} if instance else None,
        "verification": {"verified": result.verified, "sentence": result.sentence(),
                         "chain_broken": result.chain_broken,
                         "divergence": vars(result.divergence) if result.divergence else None,
                         "record_finding": result.record_finding},
        "exported_at": services().clock.now().isoformat(), "exported_by": current_user.username,
        "events": [_event_json(e) for e in events],
    }
    body = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="lich-su-{instance_id}.json"'})


def _report_html(instance_id: str, pdf: bool) -> str:
    instance, events, result = _history(instance_id)
    return render_template("audit/report.html", instance=instance, instance_id=instance_id, events=events,
                           result=result, label=event_label, now=services().clock.now(), pdf=pdf)


@bp.route("/instances/<instance_id>/report")
@auditors_only
def report(instance_id: str):
    return _report_html(instance_id, pdf=False)


@bp.route("/instances/<instance_id>/report.pdf")
@auditors_only
@download
def report_pdf(instance_id: str):
    from weasyprint import HTML  # loaded on demand: it pulls in Pango

    document = HTML(string=_report_html(instance_id, pdf=True)).write_pdf()
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="bao-cao-lich-su-{instance_id}.pdf"'})
