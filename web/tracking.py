"""Follow-up: extension requests, authority matters, closing recurring reports, the dashboard,
exports, the deadline preview and the bell."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from openpyxl import Workbook
from sqlalchemy import select, update

from engine import Conflict, InvalidInput, load_calendar
from engine.clock import to_local
from engine.models import HumanTask
from workflows.agencies import Directory
from workflows.deadlines import DeadlineError
from workflows.models import Assignment
from workflows.notifications import Notification
from workflows.queries import can_view, sees_province
from workflows.status import STATUSES, counts, tracking_rows
from workflows.tracking import AUTHORITY_MESSAGE, EXTENSION_MESSAGE, REQUEST_MESSAGES

from .formschema import read_form
from .redirects import local_path
from .security_headers import download
from .services import services
from .settings import deadline_reader
from .spreadsheet_cells import append_as_values, csv_cell

bp = Blueprint("tracking", __name__)

#: Messages an agency sends about its task, with what the page says once it is sent.
CLOSE_MESSAGE = "Kết thúc theo dõi"
REQUESTS = {
    "extension": (EXTENSION_MESSAGE, _l("Đã gửi đề nghị gia hạn; Lãnh đạo Văn phòng sẽ xem xét.")),
    "authority": (AUTHORITY_MESSAGE, _l("Đã báo cáo vấn đề vượt thẩm quyền lên Lãnh đạo UBND tỉnh.")),
}


def extension_pending(session, assignment_id: str) -> bool:
    """True while an extension request of the assignment waits for the Office leader."""
    return session.scalar(select(HumanTask.id).where(HumanTask.instance_id == assignment_id,
                                                     HumanTask.element_id == "review_extension")) is not None


def _assignment_of_my_agency(session, assignment_id: str) -> Assignment:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404, _("Không tìm thấy nhiệm vụ này."))
    if assignment.lead != current_user.org or current_user.actor().read_only:
        abort(403, _("Chỉ cơ quan chủ trì được gửi đề nghị về nhiệm vụ này."))
    return assignment


@bp.route("/assignments/<assignment_id>/<kind>", methods=["POST"])
@login_required
def send_request(assignment_id: str, kind: str):
    """An agency asks for an extension or raises a matter beyond its authority."""
    if kind not in REQUESTS:
        abort(404)
    message, done = REQUESTS[kind]
    engine = services().engine
    with services().db.reader() as s:
        schema = engine.form(s, REQUEST_MESSAGES[message].form_key)
    data = read_form(schema, request.form, request.files, None, set())
    back = local_path(request.form.get("back"), url_for("directives.index"))
    try:
        with services().db.transaction() as s:
            _assignment_of_my_agency(s, assignment_id)
            if kind == "extension" and extension_pending(s, assignment_id):
                raise Conflict(_("Đề nghị gia hạn trước đang chờ Lãnh đạo Văn phòng xem xét."))
            engine.correlate_message(s, assignment_id, message, current_user.actor(), data)
    except InvalidInput as exc:
        flash(" ".join(exc.errors.values()) or exc.message, "error")
        return redirect(back, 303)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(back, 303)
    flash(str(done), "success")
    return redirect(back, 303)


@bp.route("/assignments/<assignment_id>/close", methods=["POST"])
@login_required
def close(assignment_id: str):
    """The tracking specialist ends a recurring report."""
    with services().db.reader() as s:
        assignment = s.get(Assignment, assignment_id)
        if assignment is None or not assignment.recurrence:
            abort(404, _("Không tìm thấy nhiệm vụ báo cáo định kỳ này."))
        if not current_user.has_role("specialist"):
            abort(403, _("Chỉ chuyên viên Văn phòng được kết thúc theo dõi báo cáo định kỳ."))
        directive_id = assignment.directive_id
    try:
        with services().db.transaction() as s:
            services().engine.correlate_message(s, assignment_id, CLOSE_MESSAGE, current_user.actor(), {})
    except Conflict:  # a page opened before the task moved on (or before it was accepted)
        flash(not_closable_now(), "error")
        return redirect(url_for("directives.show", directive_id=directive_id), 303)
    flash(_("Đã kết thúc theo dõi báo cáo định kỳ."), "success")
    return redirect(url_for("directives.show", directive_id=directive_id), 303)


def not_closable_now() -> str:
    """Why a recurring report cannot be ended at this moment."""
    return _("Chưa kết thúc theo dõi được: cơ quan chủ trì chưa tiếp nhận nhiệm vụ, hoặc nhiệm vụ đã kết thúc.")


# -- dashboard and exports -----------------------------------------------------------
def _rows(directive_id: str | None):
    now = services().clock.now()
    with services().db.reader() as s:
        if directive_id and not can_view(s, current_user.actor(), directive_id):
            abort(403, _("Văn bản này không gửi đến hoặc giao cho đơn vị của bạn."))
        rows = tracking_rows(s, current_user.actor(), now, load_calendar(s), directive_id)
        directory = Directory(s)
    return rows, directory


@bp.route("/dashboard")
@login_required
def dashboard():
    directive_id = request.args.get("directive") or None
    rows, directory = _rows(directive_id)
    by_agency = counts(rows, lambda r: r["assignment"].lead)
    total = counts(rows, lambda r: "all").get("all", {code: 0 for code in STATUSES})
    chart = [(directory.name(code), values) for code, values in sorted(by_agency.items(),
                                                                       key=lambda kv: directory.name(kv[0]))]
    return render_template("tracking/dashboard.html", rows=rows, chart=chart, total=total, statuses=STATUSES,
                           directory=directory, directive_id=directive_id,
                           province_wide=sees_province(current_user.actor()))


EXPORT_HEADER = ["Số, ký hiệu", "Trích yếu", "Mục", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Kỳ báo cáo",
                 "Hạn ban đầu", "Hạn hiện tại", "Số lần gia hạn", "Tình trạng", "Ngày làm việc còn lại",
                 "Hoàn thành lúc"]


def _export_rows(rows, directory) -> list[list]:
    def day(moment):
        return to_local(moment).strftime("%d/%m/%Y") if moment else ""

    table = []
    for row in rows:
        a, d, period = row["assignment"], row["directive"], row.get("period")
        due = period.due_at if period else a.due_at
        done = period.completed_at if period else a.completed_at
        table.append([d.number_text or "", d.subject or "", a.ref, a.summary, directory.name(a.lead),
                      period.period_no if period else "", day(a.original_due_at if not period else due), day(due),
                      len([e for e in a.extensions if e.get("outcome") == "approved"]) if not period else "",
                      row["standing"].label, "" if row["standing"].days_left is None else row["standing"].days_left,
                      to_local(done).strftime("%H:%M %d/%m/%Y") if done else ""])
    return table


@bp.route("/dashboard/export.<fmt>")
@login_required
@download
def export(fmt: str):
    rows, directory = _rows(request.args.get("directive") or None)
    table = _export_rows(rows, directory)
    stamp = services().clock.now().strftime("%Y%m%d")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_HEADER)
        writer.writerows([csv_cell(value) for value in line] for line in table)
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8", headers={
            "Content-Disposition": f"attachment; filename=theo-doi-nhiem-vu-{stamp}.csv"})
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Theo dõi nhiệm vụ"
        sheet.append(EXPORT_HEADER)
        for line in table:
            append_as_values(sheet, line)
        out = io.BytesIO()
        book.save(out)
        return Response(out.getvalue(), headers={
            "Content-Disposition": f"attachment; filename=theo-doi-nhiem-vu-{stamp}.xlsx"},
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    abort(404)


# -- deadline preview for the draft form ----------------------------------------------
@bp.route("/deadlines/preview")
@login_required
def preview():
    phrase = request.args.get("phrase", "")
    try:
        base = date.fromisoformat(request.args["from"]) if request.args.get("from") else services().clock.today()
    except ValueError:
        return jsonify({"error": _("Ngày tính mốc không hợp lệ.")}), 400
    with services().db.reader() as s:
        reader = deadline_reader(s, current_app.config)
        try:
            found = reader.read(phrase, base)
        except DeadlineError as exc:
            return jsonify({"error": exc.message}), 400
    due = to_local(found.due)
    text = due.strftime("%d/%m/%Y") + ("" if (due.hour, due.minute) == (23, 59) else due.strftime(" lúc %H:%M"))
    if not found.recurrence and due.date() > found.stated:
        text += " " + _("(ngày %(day)s là ngày nghỉ)", day=found.stated.strftime("%d/%m/%Y"))
    return jsonify({**found.as_json(), "due_text": text,
                    "date": due.date().isoformat() if not found.recurrence else None})


# -- the bell ---------------------------------------------------------------------------
@bp.route("/notifications")
@login_required
def notifications():
    with services().db.transaction() as s:
        rows = list(s.scalars(select(Notification).where(Notification.username == current_user.username)
                              .order_by(Notification.created_at.desc()).limit(100)))
        new_ids = {n.id for n in rows if n.read_at is None}
        s.execute(update(Notification).where(Notification.username == current_user.username,
                                             Notification.read_at.is_(None)).values(read_at=services().clock.now()))
    return render_template("tracking/notifications.html", rows=rows, new_ids=new_ids)


def working_days_left(due_at: datetime | None, calendar, now: datetime) -> int | None:
    """Working days from today to a due date (negative when overdue)."""
    if due_at is None:
        return None
    return calendar.working_days_between(to_local(now).date(), to_local(due_at).date())
