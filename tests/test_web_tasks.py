"""The task list and task pages over HTTP: what each agency sees, forms and their errors."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.models import HistoryEvent, HumanTask
from workflows.models import Directive

from .conftest import draft_data, login


def test_login_rejects_a_wrong_password_with_a_sentence(client):
    response = client.post("/login", data={"username": "sct.cv", "password": "sai-mat-khau"})
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_pages_require_login(client):
    response = client.get("/tasks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_agency_sees_only_its_own_tasks(client, lifecycle):
    lifecycle.distributed()
    page = login(client, "sct.cv").get("/tasks").get_data(as_text=True)
    assert "Xác nhận nhận văn bản" in page and "Tiếp nhận nhiệm vụ" in page
    assert "Hướng dẫn phát triển KCN sinh thái" not in page  # the Ban's task
    assert page.count('data-task-id="') == 2


def test_another_agencys_task_is_refused_by_url(client, lifecycle):
    lifecycle.distributed()
    foreign = lifecycle.task("bqlkkt.cv", "accept")
    login(client, "sct.cv")
    assert client.get(f"/tasks/{foreign.id}").status_code == 403
    response = client.post(f"/tasks/{foreign.id}", data={"handler_name": "Kẻ lạ"})
    assert response.status_code == 403
    assert lifecycle.task("bqlkkt.cv", "accept").id == foreign.id


def test_an_empty_report_is_refused_with_the_field_named_and_nothing_changes(client, lifecycle, svc):
    lifecycle.distributed()
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    report = lifecycle.task("bqlkkt.cv", "report")
    login(client, "bqlkkt.cv")
    response = client.post(f"/tasks/{report.id}", data={"lead": "BQLKKT", "lead_name": "Ban Quản lý Khu kinh tế",
                                                        "report_text": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'data-error-for="report_text"[^>]*>Trường «Nội dung báo cáo» là bắt buộc.', page)
    assert lifecycle.task("bqlkkt.cv", "report").id == report.id


def test_a_tampered_hidden_field_is_refused_and_nothing_changes(client, lifecycle, svc):
    lifecycle.distributed()
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    report = lifecycle.task("bqlkkt.cv", "report")
    login(client, "bqlkkt.cv")
    response = client.post(f"/tasks/{report.id}", data={"lead": "SCT", "lead_name": "Ban Quản lý Khu kinh tế",
                                                        "report_text": "Báo cáo đầy đủ kết quả thực hiện."})
    assert response.status_code == 400
    assert "Trường «Mã cơ quan chủ trì» chỉ để xem và không được sửa" in response.get_data(as_text=True)
    with svc.db.reader() as s:
        assert s.get(HumanTask, report.id) is not None
        assert not s.scalars(select(HistoryEvent).where(HistoryEvent.task_id == report.id,
                                                        HistoryEvent.event_type == "task_completed")).all()


def test_a_valid_report_completes_the_task_and_it_leaves_the_list(client, lifecycle):
    lifecycle.distributed()
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    report = lifecycle.task("bqlkkt.cv", "report")
    login(client, "bqlkkt.cv")
    response = client.post(f"/tasks/{report.id}", data={"lead": "BQLKKT", "lead_name": "Ban Quản lý Khu kinh tế",
                                                        "report_text": "Đã ban hành hướng dẫn cho các KCN."},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã hoàn thành «Báo cáo kết quả thực hiện»." in page
    assert report.id not in page
    assert lifecycle.task("cv.lan", "review_report").label.startswith("Ban Quản lý Khu kinh tế – nhiệm vụ 2")


def test_the_draft_form_reads_rows_of_tasks_and_agency_pickers(client, lifecycle, svc):
    instance_id = lifecycle.start()
    draft = lifecycle.task("cv.lan", "draft", instance_id)
    login(client, "cv.lan")
    form = {
        "kind": "cong_van", "field_code": "KT", "subject": "V/v kiểm tra tiến độ", "body": "Nội dung",
        "recipients": ["SCT", "G_HUYEN"], "signing_authority": "TL_CT", "signer": "cvp",
        "tasks.0.ref": "1", "tasks.0.summary": "Kiểm tra tiến độ các cụm", "tasks.0.lead": ["G_HUYEN"],
        "tasks.0.deadline": "2027-01-15",
        "tasks.1.ref": "2", "tasks.1.summary": "Tổng hợp báo cáo", "tasks.1.lead": ["SCT"],
        "tasks.1.coordinate": ["G_HUYEN"], "tasks.1.deadline": "",
    }
    response = client.post(f"/tasks/{draft.id}", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    with svc.db.reader() as s:
        directive = s.get(Directive, instance_id)
    assert directive.tasks[1] == {"ref": "2", "summary": "Tổng hợp báo cáo", "lead": ["SCT"],
                                  "coordinate": ["G_HUYEN"], "deadline": None}
    assert directive.stage == "Thẩm định dự thảo"


def test_a_draft_with_an_unknown_agency_and_a_past_deadline_names_both_fields(client, lifecycle):
    instance_id = lifecycle.start()
    draft = lifecycle.task("cv.lan", "draft", instance_id)
    login(client, "cv.lan")
    form = {
        "kind": "cong_van", "field_code": "KT", "subject": "V/v kiểm tra tiến độ", "recipients": ["SCT"],
        "signing_authority": "KT_CT", "signer": "pct.hoang",
        "tasks.0.ref": "1", "tasks.0.summary": "Kiểm tra", "tasks.0.lead": ["SO_MA"],
        "tasks.0.deadline": "2025-06-30",
    }
    page = client.post(f"/tasks/{draft.id}", data=form).get_data(as_text=True)
    assert "Nhiệm vụ 1: không có cơ quan mã «SO_MA» trong danh bạ." in page
    assert "Nhiệm vụ 1: hạn xử lý 30/06/2025 đã qua (hôm nay là 23/11/2026)." in page
    assert lifecycle.task("cv.lan", "draft", instance_id).id == draft.id
    far = client.post(f"/tasks/{draft.id}", data={**form, "tasks.0.lead": ["SCT"],
                                                  "tasks.0.deadline": "9999-12-31"}).get_data(as_text=True)
    assert "Nhiệm vụ 1: hạn 31/12/9999 xa quá 10 năm; hãy kiểm tra lại năm" in far


def test_the_directive_page_shows_each_agencys_progress_and_the_diagram(client, lifecycle):
    instance_id = lifecycle.distributed()
    page = login(client, "cv.lan").get(f"/directives/{instance_id}").get_data(as_text=True)
    assert "01/UBND-KT" in page
    assert page.count("data-assignment=") == 2
    assert 'data-active=\'["receive", "carry_out"]\'' in page
    page = login(client.application.test_client(), "sct.cv").get(f"/directives/{instance_id}").get_data(as_text=True)
    assert page.count("data-assignment=") == 1


def test_an_agency_cannot_open_a_directive_not_sent_to_it(client, lifecycle):
    instance_id = lifecycle.distributed()
    assert login(client, "stp.cv").get(f"/directives/{instance_id}").status_code == 403


def test_english_is_one_click_away(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in page


def test_opening_a_task_someone_else_completed_says_who_and_when(client, lifecycle):
    lifecycle.distributed()
    accept = lifecycle.task("sct.cv", "accept")
    lifecycle.complete("sct.td", "accept", {"handler_name": "Giám đốc Sở"})
    response = login(client, "sct.cv").get(f"/tasks/{accept.id}")
    assert response.status_code == 409
    assert ("«Tiếp nhận nhiệm vụ» đã được Thủ trưởng Sở Công Thương (SCT) hoàn thành lúc 09:00 23/11/2026"
            in response.get_data(as_text=True))


def test_a_form_without_its_csrf_token_is_refused(database_url, clock):
    from .conftest import fresh_app

    app = fresh_app(database_url, clock)
    client = app.test_client()
    response = client.post("/login", data={"username": "cv.lan", "password": "demo123"})
    assert response.status_code == 400
    assert "mã CSRF" in response.get_data(as_text=True)
    app.extensions["chidao"].db.dispose()


def test_a_report_carries_its_attachment_to_the_tracker(client, lifecycle):
    import io

    lifecycle.distributed()
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    report = lifecycle.task("bqlkkt.cv", "report")
    login(client, "bqlkkt.cv")
    response = client.post(f"/tasks/{report.id}", data={
        "lead": "BQLKKT", "lead_name": "Ban Quản lý Khu kinh tế", "report_text": "Báo cáo kết quả kèm theo.",
        "report_attachments": (io.BytesIO("Bảng số liệu".encode()), "so-lieu.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    review = lifecycle.task("cv.lan", "review_report")
    tracker = login(client.application.test_client(), "cv.lan")
    page = tracker.get(f"/tasks/{review.id}").get_data(as_text=True)
    link = re.search(r'href="(/attachments/[^"]+)"', page).group(1)
    download = tracker.get(link)
    assert download.get_data() == "Bảng số liệu".encode() and "so-lieu.txt" in download.headers["Content-Disposition"]
    assert login(client.application.test_client(), "stp.cv").get(link).status_code == 403


def test_an_agency_finds_the_directive_in_its_incoming_list_with_its_own_number(client, lifecycle):
    instance_id = lifecycle.distributed()
    login(client, "sct.cv")
    page = client.get("/directives").get_data(as_text=True)
    assert "<h1>Văn bản đến" in page and "Chưa xác nhận" in page
    lifecycle.complete("sct.cv", "acknowledge", {"received": True})
    rows = lxml_rows(client.get("/directives").get_data(as_text=True))
    assert [r[0] for r in rows] == ["01/UBND-KT23/11/2026"] and rows[0][4] == "1"
    assert f'href="/directives/{instance_id}"' in client.get("/directives").get_data(as_text=True)
    assert "<h1>Văn bản đến" not in login(client.application.test_client(), "cv.lan").get("/directives").get_data(
        as_text=True)


def lxml_rows(page: str) -> list[list[str]]:
    import lxml.html

    table = lxml.html.fromstring(page).get_element_by_id("directive-list")
    return [[" ".join(td.text_content().split()).replace(" ", "") for td in tr.xpath("td")]
            for tr in table.xpath(".//tbody/tr")]


def test_an_agency_outside_the_task_cannot_download_its_report_attachment(client, lifecycle):
    import io

    lifecycle.distributed()
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    lifecycle.complete("bqlkkt.cv", "contribute", {"contribution": {"text": "Thống nhất với dự thảo."}})
    report = lifecycle.task("sct.cv", "report")
    login(client, "sct.cv").post(f"/tasks/{report.id}", data={
        "lead": "SCT", "lead_name": "Sở Công Thương", "report_text": "Báo cáo có số liệu kèm theo.",
        "report_attachments": (io.BytesIO(b"<html>x</html>"), "bang.html")}, content_type="multipart/form-data")
    page = login(client.application.test_client(), "cv.lan").get(
        f"/tasks/{lifecycle.task('cv.lan', 'review_report').id}").get_data(as_text=True)
    link = re.search(r'href="(/attachments/[^"]+)"', page).group(1)
    coordinator = login(client.application.test_client(), "bqlkkt.cv").get(link)
    assert coordinator.status_code == 200
    assert coordinator.headers["Content-Type"] == "application/octet-stream"
    assert coordinator.headers["X-Content-Type-Options"] == "nosniff"
    assert login(client.application.test_client(), "bao.cv").get(link).status_code == 403


def test_a_task_summary_of_a_whole_paragraph_is_shortened_in_the_task_list_and_kept_whole_in_the_task(lifecycle):
    summary = "Rà soát, đánh giá thực trạng các cụm công nghiệp trên địa bàn tỉnh " * 40  # 2,680 characters
    lifecycle.distributed(draft_data(tasks=[{"ref": "1", "summary": summary, "lead": ["SCT"], "coordinate": [],
                                            "deadline": "2027-06-30"}]))
    accept = lifecycle.task("sct.cv", "accept")
    assert len(accept.label) <= 500 and accept.label.endswith("…")
    assert accept.label.startswith("Nhiệm vụ 1: Rà soát, đánh giá")


def test_an_agencys_inbox_counts_only_the_tasks_it_leads_or_coordinates(client, lifecycle):
    lifecycle.distributed(draft_data(tasks=[
        {"ref": "1", "summary": "Xây dựng chính sách ưu đãi", "lead": ["SCT"], "coordinate": [], "deadline": None},
        {"ref": "2", "summary": "Hướng dẫn phát triển KCN", "lead": ["BQLKKT"], "coordinate": [], "deadline": None},
        {"ref": "3", "summary": "Rà soát quy hoạch", "lead": ["BQLKKT"], "coordinate": [], "deadline": None}]))
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    lifecycle.complete("sct.cv", "report", {"report_text": "Đã trình dự thảo chính sách."})
    lifecycle.complete("cv.lan", "review_report", {"report_decision": "accept"})
    login(client, "sct.cv")
    assert re.search(r"<td>\s*1/1<div", client.get("/directives").get_data(as_text=True))
    office = login(client.application.test_client(), "cv.lan")
    assert re.search(r"<td>\s*1/3<div", office.get("/directives").get_data(as_text=True))


def test_a_draft_of_5000_task_rows_is_refused_without_reading_or_showing_them_all(client, lifecycle):
    task = lifecycle.task("cv.lan", "draft", lifecycle.start())
    login(client, "cv.lan")
    form = {"kind": "cong_van", "field_code": "KT", "subject": "V/v kiểm tra tiến độ", "recipients": "SCT",
            "signing_authority": "TL_CT", "signer": "cvp"}
    for i in range(5000):
        form.update({f"tasks.{i}.ref": str(i + 1), f"tasks.{i}.summary": "Kiểm tra tiến độ", f"tasks.{i}.lead": "SCT",
                     f"tasks.{i}.deadline": "2027-01-15"})
    response = client.post(f"/tasks/{task.id}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Trường «Nhiệm vụ giao» có quá 300 mục." in page
    assert len(set(re.findall(r'name="tasks\.(\d+)\.summary"', page))) <= 301  # not the 5,000 sent
    assert lifecycle.task("cv.lan", "draft", task.instance_id).id == task.id  # nothing moved on
