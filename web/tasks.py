"""«Việc cần làm»: the task list of the signed-in user, and the page of one task."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from engine import Conflict, EngineError, Forbidden, InvalidInput, NotFound, load_calendar
from engine.clock import to_local
from engine.form_catalogue import form_keys
from engine.models import Attachment, HumanTask, ProcessInstance
from engine.tasks import TaskFilter, count_tasks, list_tasks
from workflows.agencies import Directory
from workflows.models import Assignment, Receipt
from workflows.queries import directive_by_business_key
from workflows.signing import AUTHORITIES, signers
from workflows.status import SOON_WORKING_DAYS, standing
from workflows.tracking import REQUEST_MESSAGES

from . import query_args
from .formschema import Options, build_fields, file_ids, read_form, walk_fields
from .services import services
from .tracking import REQUESTS, extension_pending

bp = Blueprint("tasks", __name__)

PER_PAGE = 20


def options_provider(session: Session):
    """Choices for the ``agencies`` and ``signers`` widgets, read from the directory and the users."""
    def options_for(widget: str) -> Options:
        if widget == "agencies":
            return [(label, [(e.code, e.name) for e in entries]) for label, entries in Directory(session).options()]
        if widget == "signers":
            return [("", [(user.username, f"{user.full_name} – {user.title} ({_labels(allowed)})")
                          for user, allowed in signers(session)])]
        return []
    return options_for


def _labels(authorities: list[str]) -> str:
    return ", ".join(AUTHORITIES[code]["label"] for code in authorities)


def _soon_until(calendar, now) -> datetime:
    """The end of the «sắp đến hạn» window: the end of the third working day from today."""
    return calendar.deadline(calendar.add_working_days(to_local(now).date(), SOON_WORKING_DAYS))


def _filter_from_request(calendar) -> tuple[TaskFilter, str]:
    now = services().clock.now()
    state = request.args.get("state", "")
    f = TaskFilter(actor=current_user.actor(), search=request.args.get("q") or None,
                   sort=request.args.get("sort", "due"))
    if state == "overdue":
        f.due_before = now
    elif state == "soon":
        f.due_after, f.due_before = now, _soon_until(calendar, now)
    return f, state


@bp.route("/")
@login_required
def home():
    return redirect(url_for("tasks.index"))


@bp.route("/tasks")
@login_required
def index():
    page = query_args.page_number()
    now = services().clock.now()
    with services().db.reader() as s:
        calendar = load_calendar(s)
        f, state = _filter_from_request(calendar)
        total = count_tasks(s, f)
        rows = list_tasks(s, f, (page - 1) * PER_PAGE, PER_PAGE)
        mine = TaskFilter(actor=current_user.actor())
        counts = {
            "all": count_tasks(s, mine),
            "overdue": count_tasks(s, TaskFilter(actor=mine.actor, due_before=now)),
            "soon": count_tasks(s, TaskFilter(actor=mine.actor, due_after=now, due_before=_soon_until(calendar, now))),
        }
    standings = {t.id: standing("running", t.due_at, None, now, calendar) for t in rows}
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template("tasks/list.html", rows=rows, total=total, counts=counts, state=state,
                           page=page, pages=pages, standings=standings)


def _visible_task(session: Session, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise services().engine.missing_task(session, task_id)
    actor = current_user.actor()
    if not (services().engine.is_candidate(task, actor) or current_user.has_role("admin", "auditor")):
        abort(403, _("Nhiệm vụ này không thuộc đơn vị hoặc vai trò của bạn."))
    return task


def _page(session: Session, task: HumanTask, values: dict | None = None, errors: dict | None = None,
          message: str | None = None, status: int = 200):
    engine = services().engine
    variables = engine.task_variables(session, task.id)
    schema = engine.form(session, task.form_key) or {"properties": {}}
    errors = errors or {}
    fields = build_fields(schema, values if values is not None else variables, errors, options_provider(session))
    shown = {f.path for f in walk_fields(fields)}
    other_errors = [msg for path, msg in errors.items() if path not in shown]
    directory = Directory(session)
    assignment = session.get(Assignment, task.instance_id)
    context = {
        "directive": directive_by_business_key(session, task.business_key),
        "assignment": assignment,
        "follow_up": _follow_up(session, task, assignment, variables),
        "receipt": session.get(Receipt, task.instance_id),
        "instance": session.get(ProcessInstance, task.instance_id),
        "reasons": [(schema_title(session, key), variables[key]) for key in schema.get("x-context", [])
                    if variables.get(key)],
        "contributions": [c for c in variables.get("contributions", []) if c.get("text")],
    }
    can_act = engine.may_work_on(task, current_user.actor())
    return render_template("tasks/task.html", task=task, schema=schema, fields=fields, errors=errors,
                           other_errors=other_errors, message=message, directory=directory, can_act=can_act,
                           variables=variables, **context), status


def _follow_up(session: Session, task: HumanTask, assignment: Assignment | None, variables: dict) -> dict | None:
    """The deadline standing of the task's assignment and the requests its lead agency may send now."""
    if assignment is None:
        return None
    engine = services().engine
    actor = current_user.actor()
    calendar = load_calendar(session)
    mine = actor.org == assignment.lead and not actor.read_only
    requests = []
    for kind, (message, _done) in REQUESTS.items():
        if kind == "extension" and (extension_pending(session, assignment.id) or assignment.due_at is None):
            continue
        if mine and engine.waits_for_message(session, assignment.id, message):
            schema = engine.form(session, REQUEST_MESSAGES[message].form_key)
            fields = build_fields(schema, {}, {}, options_provider(session), prefix="")
            requests.append({"kind": kind, "title": schema["title"], "fields": fields})
    return {
        "standing": standing(assignment.status, assignment.due_at, assignment.on_time, services().clock.now(),
                             calendar, bool(assignment.recurrence)),
        "schedule": variables.get("schedule") or {},
        "requests": requests,
        "authority": (assignment.facts or {}).get("authority", []),
    }


def schema_title(session: Session, key: str) -> str:
    """The title of a variable as some form names it."""
    engine = services().engine
    for schema in (engine.form(session, name) for name in sorted(form_keys(session, engine.plugin.forms))):
        prop = schema.get("properties", {}).get(key)
        if prop:
            return prop.get("title", key)
    return key


@bp.route("/tasks/<task_id>")
@login_required
def show(task_id: str):
    with services().db.reader() as s:
        task = _visible_task(s, task_id)
        return _page(s, task)


def _store_file(session: Session, task: HumanTask):
    def store(upload: FileStorage) -> str:
        content = upload.read()
        attachment = Attachment(
            id=str(uuid.uuid4()), filename=upload.filename[:255],
            content_type=upload.mimetype or "application/octet-stream",
            size=len(content), sha256=hashlib.sha256(content).hexdigest(), business_key=task.business_key,
            instance_id=task.instance_id, content=content,
            uploaded_by=current_user.username, uploaded_at=services().clock.now(),
        )
        session.add(attachment)
        return attachment.id
    return store


@bp.route("/tasks/<task_id>", methods=["POST"])
@login_required
def complete(task_id: str):
    engine = services().engine
    try:
        with services().db.reader() as s:
            task = _visible_task(s, task_id)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("tasks.index"), 303)
    with services().db.reader() as s:
        schema = engine.form(s, task.form_key) or {"properties": {}}
        known = file_ids(schema, engine.task_variables(s, task_id))
    data = read_form(schema, request.form, request.files, None, known)
    try:
        with services().db.transaction() as s:
            engine.complete_task(s, task_id, current_user.actor(),
                                 read_form(schema, request.form, request.files, _store_file(s, task), known))
    except InvalidInput as exc:
        message = exc.message
        if any(f.filename for f in request.files.values()):
            message += " " + _("Tệp đính kèm vừa chọn chưa được lưu; hãy chọn lại.")
        with services().db.reader() as s:
            return _page(s, task, values=data, errors=exc.errors, message=message, status=400)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("tasks.index"), 303)
    except (Forbidden, NotFound):
        raise
    except EngineError as exc:
        with services().db.reader() as s:
            return _page(s, task, values=data, message=exc.message, status=exc.status)
    flash(_("Đã hoàn thành «%(name)s».", name=task.name), "success")
    return redirect(url_for("tasks.index"), 303)


def _open_task(task_id: str) -> HumanTask | None:
    """The task as it is now in the task lists, when the user may work on it (None otherwise: the engine
    then says why, without telling an outsider who holds it)."""
    with services().db.reader() as s:
        task = s.get(HumanTask, task_id)
        return task if task is not None and services().engine.may_work_on(task, current_user.actor()) else None


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str):
    task = _open_task(task_id)
    if task is not None and task.assignee == current_user.username:  # a second click, another tab
        flash(_("Bạn đang xử lý nhiệm vụ này."), "info")
        return redirect(url_for("tasks.show", task_id=task_id), 303)
    with services().db.transaction() as s:
        services().engine.claim(s, task_id, current_user.actor())
    flash(_("Bạn đã nhận xử lý nhiệm vụ này."), "success")
    return redirect(url_for("tasks.show", task_id=task_id), 303)


@bp.route("/tasks/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id: str):
    task = _open_task(task_id)
    if task is not None and task.assignee is None:
        flash(_("Nhiệm vụ này chưa có ai nhận xử lý nên không có gì để trả về nhóm."), "info")
        return redirect(url_for("tasks.show", task_id=task_id), 303)
    with services().db.transaction() as s:
        services().engine.unclaim(s, task_id, current_user.actor())
    flash(_("Đã trả việc về nhóm: người khác trong nhóm có thể nhận xử lý."), "info")
    return redirect(url_for("tasks.show", task_id=task_id), 303)
