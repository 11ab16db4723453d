"""In a real browser: an agency official reports on a task, first wrongly, then rightly."""
from __future__ import annotations

import re

import pytest

from ..conftest import Lifecycle

pytestmark = pytest.mark.browser


def _report_waiting(app) -> str:
    lifecycle = Lifecycle(app.extensions["chidao"])
    instance_id = lifecycle.distributed()
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    return instance_id


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "demo123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/tasks")


def test_an_official_sees_the_field_error_then_reports_and_the_task_leaves_the_list(live_app, live_server, page,
                                                                                    artifacts):
    _report_waiting(live_app)
    _sign_in(page, live_server, "bqlkkt.cv")
    row = page.locator("#task-list tr", has_text="Báo cáo kết quả thực hiện")
    assert row.count() == 1
    page.screenshot(path=str(artifacts / "task-list.png"), full_page=True)
    row.locator("a").click()
    page.wait_for_selector("#task-form")

    page.click("#submit-task")
    error = page.locator('[data-error-for="report_text"]')
    error.wait_for()
    assert error.inner_text() == "Trường «Nội dung báo cáo» là bắt buộc."
    page.screenshot(path=str(artifacts / "report-error.png"), full_page=True)

    page.fill("#f-report_text", "Ban đã ban hành hướng dẫn phát triển KCN sinh thái cho các nhà đầu tư.")
    page.click("#submit-task")
    page.wait_for_url(re.compile(r".*/tasks$"))
    assert "Đã hoàn thành «Báo cáo kết quả thực hiện»." in page.locator(".flash.success").inner_text()
    assert page.locator("#task-list tr", has_text="Báo cáo kết quả thực hiện").count() == 0


def test_the_directive_page_draws_the_process_with_the_current_position(live_app, live_server, page, artifacts):
    instance_id = _report_waiting(live_app)
    _sign_in(page, live_server, "cv.lan")
    page.goto(f"{live_server}/directives/{instance_id}")
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator("#diagram .djs-element.active").count() == 2  # receive and carry_out
    assert page.locator("#diagram .djs-element.completed").count() >= 5
    page.screenshot(path=str(artifacts / "directive.png"), full_page=True)


def test_a_specialist_drafts_a_directive_adding_a_task_row_in_the_browser(live_app, live_server, page):
    """Adds a task row, sees a deadline phrase resolved while typing, submits the draft."""
    _sign_in(page, live_server, "cv.lan")
    page.click("text=+ Soạn văn bản mới")
    page.wait_for_selector("#task-form")
    page.select_option("#f-kind", "cong_van")
    page.select_option("#f-field_code", "KT")
    page.fill("#f-subject", "V/v kiểm tra tiến độ cụm công nghiệp")
    page.check("#f-recipients-SCT")
    page.check("#f-recipients-G_HUYEN")
    page.select_option("#f-signing_authority", "KT_CT")
    page.select_option("#f-signer", "pct.hoang")
    page.fill("#f-tasks-0-ref", "1")
    page.fill("#f-tasks-0-summary", "Kiểm tra tiến độ các cụm công nghiệp")
    page.check("#f-tasks-0-lead-SCT")
    page.click("text=+ Thêm nhiệm vụ")
    page.fill("#f-tasks-1-ref", "2")
    page.fill("#f-tasks-1-summary", "Báo cáo kết quả rà soát")
    page.check("#f-tasks-1-lead-G_HUYEN")
    page.fill("#f-tasks-1-deadline_phrase", "hoàn thành trong tháng 1/2027")
    preview = page.locator("#f-tasks-1-deadline_phrase + .deadline-preview.ok")
    preview.wait_for()
    assert preview.inner_text() == "→ 01/02/2027 (ngày 31/01/2027 là ngày nghỉ)"
    assert page.input_value("#f-tasks-1-deadline") == "2027-02-01"
    page.fill("#f-tasks-1-deadline", "2027-01-15")
    page.fill("#f-tasks-1-deadline_phrase", "")
    assert "Sở Công Thương" in page.locator('[data-chosen-for="f-recipients"]').inner_text()
    page.click("#submit-task")
    page.wait_for_url(re.compile(r".*/tasks$"))
    assert "Đã hoàn thành «Soạn dự thảo»." in page.locator(".flash.success").inner_text()
    page.goto(f"{live_server}/directives")
    page.click("text=V/v kiểm tra tiến độ cụm công nghiệp")
    assert page.locator("#assignments tbody tr").count() == 2
    assert "15/01/2027" in page.locator("#assignments").inner_text()
