"""In a real browser: an inspector walks a directive's history with the keyboard and the slider."""
from __future__ import annotations

import pytest

from ..conftest import Lifecycle, draft_data
from .test_agency_report import _sign_in

pytestmark = pytest.mark.browser


def test_an_inspector_walks_the_history_step_by_step_and_links_to_a_step(live_app, live_server, page, artifacts):
    lifecycle = Lifecycle(live_app.extensions["chidao"])
    directive = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), directive)
    lifecycle.complete("cvp", "review", {"review_decision": "return", "review_reason": "Bổ sung căn cứ."}, directive)
    _sign_in(page, live_server, "thanhtra")
    page.goto(f"{live_server}/audit/?q=sinh thái")
    page.click(f'#audit-results a[href="/audit/instances/{directive}"]')
    page.wait_for_selector("#walker[data-ready=true]")
    assert "Đã kiểm chứng" in page.inner_text("#verdict")
    page.wait_for_selector("#audit-diagram[data-step='1']")
    page.keyboard.press("End")
    last = page.locator("#step-slider").get_attribute("max")
    page.wait_for_selector(f"#audit-diagram[data-step='{last}']")
    assert page.locator("#audit-diagram .djs-element.active[data-element-id='draft']").count() == 1
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#step-position") == f"{int(last) - 1}/{last}"
    page.fill("#step-slider", "1")
    page.dispatch_event("#step-slider", "input")
    assert "Khởi tạo phiên" in page.inner_text("#step-label")
    review = page.evaluate("""() => JSON.parse(document.getElementById('walker').dataset.steps)
        .find(s => s.event_type === 'task_completed' && s.element_id === 'review').seq""")
    page.goto(f"{live_server}/audit/instances/{directive}?step={review}")
    page.wait_for_selector(f"#audit-diagram[data-step='{review}']")
    assert "Hoàn thành việc «Thẩm định dự thảo»" in page.inner_text("#step-label")
    assert "Bổ sung căn cứ." in page.inner_text("#step-changes")
    assert "cvp (VPUBND)" in page.inner_text("#step-actor")
    page.screenshot(path=str(artifacts / "audit-walker.png"), full_page=True)
