"""Directives: the Office's list, starting a new draft, the page of one directive, its diagram."""
from __future__ import annotations

import uuid
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import load_calendar
from engine.incidents import incidents_by_element
from engine.models import Attachment, HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance
from workflows.agencies import Directory
from workflows.models import Assignment, Directive, Receipt
from workflows.queries import (
    assignments_of,
    can_view,
    may_open_attachment,
    progress,
    receipts_of,
    search_directives,
    sees_province,
)
from workflows.signing import AUTHORITIES
from workflows.status import standing

from . import query_args
from .security_headers import download
from .services import services
from .tracking import CLOSE_MESSAGE

bp = Blueprint("directives", __name__)

PER_PAGE = 20
#: Types served as they are; anything else is sent as an opaque download.
SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg", "text/plain",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TIMELINE_EVENTS = ("instance_started", "task_completed", "instance_completed")
KINDS = {"cong_van": "Công văn", "thong_bao_ket_luan": "Thông báo kết luận", "thong_bao": "Thông báo",
         "ke_hoach": "Kế hoạch", "quyet_dinh": "Quyết định", "chi_thi": "Chỉ thị", "cong_dien": "Công điện"}


@bp.route("/directives")
@login_required
def index():
    actor = current_user.actor()
    page = query_args.page_number()
    text, status = request.args.get("q") or None, request.args.get("status") or None
    with services().db.reader() as s:
        rows, total = search_directives(s, actor, text, status, (page - 1) * PER_PAGE, PER_PAGE)
        ids = [d.id for d in rows]
        own = None if sees_province(actor) else actor.org
        task_progress = progress(s, Assignment, ids, own)
        inbox = None if own is None else {
            r.directive_id: r for r in s.scalars(select(Receipt).where(Receipt.directive_id.in_(ids),
                                                                       Receipt.agency == actor.org))}
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template("directives/list.html", rows=rows, total=total, page=page, pages=pages,
                           task_progress=task_progress, inbox=inbox, kinds=KINDS,
                           heading=_("Văn bản chỉ đạo") if inbox is None else _("Văn bản đến"))


@bp.route("/directives/new", methods=["POST"])
@login_required
def new():
    if not current_user.has_role("specialist"):
        abort(403, _("Chỉ chuyên viên Văn phòng được soạn văn bản chỉ đạo mới."))
    business_key = f"VB-{uuid.uuid4().hex[:12].upper()}"
    with services().db.transaction() as s:
        instance = services().engine.start(s, "directive", current_user.actor(), {}, business_key)
        task = s.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).first()
    return redirect(url_for("tasks.show", task_id=task.id), 303)


def _directive_or_404(s, directive_id: str) -> Directive:
    directive = s.get(Directive, directive_id)
    if directive is None:
        abort(404, _("Không tìm thấy văn bản này."))
    if not can_view(s, current_user.actor(), directive_id):
        abort(403, _("Văn bản này không gửi đến hoặc giao cho đơn vị của bạn."))
    return directive


@bp.route("/directives/<directive_id>")
@login_required
def show(directive_id: str):
    actor = current_user.actor()
    with services().db.reader() as s:
        directive = _directive_or_404(s, directive_id)
        own_agency = None if sees_province(actor) else actor.org
        instance = s.get(ProcessInstance, directive.id)
        history = s.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == directive.id)
                            .order_by(HistoryEvent.seq)).all()
        completed = sorted({e.element_id for e in history if e.element_id and e.event_type in
                            ("activity_completed", "task_completed")})
        open_tasks = s.scalars(select(HumanTask).where(HumanTask.instance_id == directive.id)).all()
        incidents = incidents_by_element(s, directive.id)
        people = {e.actor for e in history if e.actor} | ({directive.signer} if directive.signer else set())
        calendar = load_calendar(s)
        now = services().clock.now()
        assignments = assignments_of(s, directive.id, own_agency)
        standings = {a.id: standing(a.status, a.due_at, a.on_time, now, calendar, bool(a.recurrence))
                     for a in assignments}
        closable = {a.id for a in assignments if a.recurrence and a.status == "running"
                    and services().engine.waits_for_message(s, a.id, CLOSE_MESSAGE)}
        return render_template(
            "directives/show.html", standings=standings, closable=closable, directive=directive, instance=instance,
            directory=Directory(s),
            assignments=assignments,
            receipts=receipts_of(s, directive.id, own_agency),
            history=[e for e in history if e.event_type in TIMELINE_EVENTS],
            completed=completed, open_tasks=open_tasks, incidents=incidents, kinds=KINDS, authorities=AUTHORITIES,
            own_agency=own_agency, names={u: services().engine.display_name(s, u) for u in people},
        )


@bp.route("/definitions/<definition_id>.bpmn")
@login_required
@download
def diagram(definition_id: str):
    """A version's BPMN file, for the diagrams (which fetch it) and to save: never displayed as a page, so
    markup inside a model never runs."""
    with services().db.reader() as s:
        definition = s.get(ProcessDefinition, definition_id)
        if definition is None:
            abort(404, _("Không tìm thấy phiên bản quy trình này."))
        return Response(definition.bpmn_xml, mimetype="application/xml", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(definition_id)}.bpmn"})


@bp.route("/attachments/<attachment_id>")
@login_required
@download
def attachment(attachment_id: str):
    with services().db.reader() as s:
        item = s.get(Attachment, attachment_id)
        if item is None:
            abort(404, _("Không tìm thấy tệp đính kèm."))
        if not may_open_attachment(s, current_user.actor(), item):
            abort(403, _("Bạn không được xem tệp này."))
        mimetype = item.content_type if item.content_type in SAFE_TYPES else "application/octet-stream"
        return Response(item.content, mimetype=mimetype, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(item.filename)}"})
