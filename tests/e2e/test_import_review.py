"""Importing seed 003 in the browser: upload, see every proposal beside its source words, correct, start.

The Office specialist uploads the Bắc Giang công văn (its header was lost in extraction, so it has no
subject): the review page shows the text with the fields highlighted, 22 tasks filled in, the missing
subject flagged. Starting without a subject is refused beside the field; once typed, the draft exists
and nothing else has moved.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import HumanTask, ProcessInstance

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "workflows" / "data" / "seeds" / "003_09fc60a00c80ca95.txt"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "import-review.png"


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", "cv.binh")
    page.fill("#password", "demo123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/tasks")


def test_the_specialist_reviews_an_uploaded_directive_and_starts_it(live_app, live_server, page, artifacts):
    _sign_in(page, live_server)
    page.click("#import-link")
    page.set_input_files("#import-file", str(SEED))
    page.click("#import-read")
    page.wait_for_selector("#import-review-form")

    rows = page.locator(".table-field .rows .row")
    assert rows.count() == 22
    assert page.input_value("[name='tasks.0.ref']") == "1.1"
    assert page.is_checked("[name='tasks.0.lead'][value='SCT']")
    assert page.is_checked("[name='tasks.16.lead'][value='DPTTH']")  # 5.4: three leads, the Đài among them
    assert page.input_value("[name='tasks.4.deadline_phrase']") == "Hằng tháng"
    assert "Không tìm thấy trích yếu" in page.locator("[data-field='subject']").inner_text()
    assert "Độ tin cậy" in page.locator("[data-field='tasks.0.lead']").inner_text()

    page.locator("[data-field='tasks.0.lead'] .src-link").click()
    flashed = page.locator("#source-text mark.flash")
    assert "Sở Công Thương" in " ".join(flashed.all_inner_texts())
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "import-review.png"), full_page=False)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    page.locator("[data-field='tasks.16.lead'] .src-link").click()
    assert "Đài Phát thanh và Truyền hình tỉnh" in " ".join(flashed.all_inner_texts())

    page.click("#import-start")
    page.wait_for_selector("#form-errors")
    assert "Trích yếu" in page.locator("[data-field='subject']").inner_text() or \
        page.locator("[data-error-for='subject']").count() == 1
    db = live_app.extensions["chidao"].db
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 0

    page.fill("[name='subject']", "V/v triển khai Nghị định số 32/2024/NĐ-CP về quản lý, phát triển cụm công nghiệp")
    page.click("#import-start")
    page.wait_for_url(re.compile(r".*/tasks/[^/]+$"))
    assert "22 nhiệm vụ" in page.locator(".flash.success").inner_text()
    assert page.input_value("[name='tasks.21.ref']") == "7"
    with db.reader() as s:
        draft = s.scalars(select(HumanTask)).one()
        assert draft.element_id == "draft"
