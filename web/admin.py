"""Process administration: the working calendar's exceptions and the incidents of failed jobs."""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import CalendarDay, Job, load_calendar
from engine.incidents import FAILED_JOB, open_incidents
from engine.jobs import INCIDENT, retry_incident
from engine.oplog import log_operation

from . import query_args
from .services import services

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_only(view):
    """Only process admins reach these pages (auditors may look, not change)."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.has_role("admin", "auditor"):
            abort(403, _("Chỉ quản trị quy trình được vào trang này."))
        if request.method == "POST" and not current_user.has_role("admin"):
            abort(403, _("Tài khoản kiểm tra chỉ được xem, không được thay đổi dữ liệu."))
        return view(*args, **kwargs)
    return login_required(guarded)


@bp.route("/calendar", methods=["GET", "POST"])
@admin_only
def calendar():
    year = query_args.year(services().clock.today().year)
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            flash(_("Ngày không hợp lệ: hãy chọn ngày theo lịch."), "error")
            return redirect(url_for("admin.calendar", year=year), 303)
        note = request.form.get("note", "").strip()
        if not note:
            flash(_("Hãy ghi lý do (ví dụ «Nghỉ bù Tết», «Làm bù thứ Bảy»)."), "error")
            return redirect(url_for("admin.calendar", year=year), 303)
        if len(note) > CalendarDay.note.type.length:
            flash(_("Lý do dài %(n)s ký tự, quá giới hạn %(limit)s ký tự; hãy ghi ngắn lại.", n=len(note),
                    limit=CalendarDay.note.type.length), "error")
            return redirect(url_for("admin.calendar", year=year), 303)
        with services().db.transaction() as s:
            row = s.get(CalendarDay, day) or CalendarDay(day=day)
            row.working, row.note, row.changed_by = request.form.get("working") == "1", note, current_user.username
            s.add(row)
            log_operation(s, current_user.actor(), services().clock.now(), "calendar_set", day.isoformat(),
                          working=row.working, note=note)
        flash(_("Đã ghi ngày %(day)s.", day=day.strftime("%d/%m/%Y")), "success")
        return redirect(url_for("admin.calendar", year=day.year), 303)
    with services().db.reader() as s:
        rows = s.scalars(select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31)))
                         .order_by(CalendarDay.day)).all()
        calendar = load_calendar(s)
    return render_template("admin/calendar.html", year=year, rows=rows, holidays=calendar.holidays_of(year),
                           swapped=calendar.swapped_workdays(year))


@bp.route("/calendar/<day>/delete", methods=["POST"])
@admin_only
def calendar_delete(day: str):
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        abort(404, _("Ngày này không có trong danh sách ngoại lệ."))
    with services().db.transaction() as s:
        row = s.get(CalendarDay, chosen)
        if row is None:
            abort(404, _("Ngày này không có trong danh sách ngoại lệ."))
        s.delete(row)
        log_operation(s, current_user.actor(), services().clock.now(), "calendar_remove", day)
    flash(_("Đã xóa ngày %(day)s khỏi danh sách ngoại lệ.", day=chosen.strftime("%d/%m/%Y")),
          "success")
    return redirect(url_for("admin.calendar", year=day[:4]), 303)


#: Retries an administrator gives an external task back from the incidents page.
EXTERNAL_RETRIES = 3


@bp.route("/incidents")
@admin_only
def incidents():
    with services().db.reader() as s:
        rows = open_incidents(s)
        waiting = s.scalars(select(Job).where(Job.status != INCIDENT).order_by(Job.due_at).limit(50)).all()
    return render_template("admin/incidents.html", rows=rows, waiting=waiting, failed_job=FAILED_JOB)


@bp.route("/incidents/<job_id>/<action>", methods=["POST"])
@admin_only
def incident_action(job_id: str, action: str):
    with services().db.transaction() as s:
        if action == "retry":
            job = retry_incident(s, job_id, services().clock.now())
            log_operation(s, current_user.actor(), services().clock.now(), "incident_retry", job_id,
                          element=job.element_id, instance=job.instance_id)
            message = _("Sẽ chạy lại việc này ở lần chạy kế tiếp của bộ xử lý.")
        elif action == "retry_external":
            task = services().engine.external.set_retries(s, job_id, EXTERNAL_RETRIES, current_user.actor())
            log_operation(s, current_user.actor(), services().clock.now(), "incident_retry", job_id,
                          element=task.element_id, instance=task.instance_id)
            message = _("Hệ thống bên ngoài sẽ được giao lại bước này (%(n)s lần thử).", n=EXTERNAL_RETRIES)
        elif action == "cancel":
            job = s.get(Job, job_id)
            if job is None or job.status != INCIDENT:
                abort(404, _("Không tìm thấy sự cố này, hoặc nó đã được xử lý."))
            s.delete(job)
            log_operation(s, current_user.actor(), services().clock.now(), "incident_cancel", job_id,
                          element=job.element_id, instance=job.instance_id, error=job.last_error)
            message = _("Đã hủy việc lỗi.")
        else:
            abort(404)
    flash(message, "success")
    return redirect(url_for("admin.incidents"), 303)
