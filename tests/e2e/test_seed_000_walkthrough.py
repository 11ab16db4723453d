"""Seed 000 (Bình Định, 7 tasks) from draft to closed in the browser, each role signing in in turn.

This is the walkthrough a new user does after ``make demo``: the specialist finds the pre-filled
draft, the Office leader approves, the Vice-Chairman signs, the clerk registers, every agency
acknowledges, accepts, coordinates and reports, the specialist accepts every report.
"""
from __future__ import annotations

import re

import pytest

from engine.models import HumanTask
from workflows.demo import load_seed, seed_files

pytestmark = pytest.mark.browser

SEED = "000_4d45b63e93395a07"


def _start_seed(app) -> str:
    svc = app.extensions["chidao"]
    text, label = seed_files()[SEED]
    with svc.db.transaction() as s:
        return load_seed(svc.engine, s, SEED, text, label)


class Desk:
    """One browser, signing in as whoever's turn it is."""

    def __init__(self, page, base: str):
        self.page, self.base, self.user = page, base, None

    def sign_in(self, username: str) -> None:
        if self.user == username:
            return
        if self.user:
            self.page.click("header .me button[type=submit]")
            self.page.wait_for_url(f"{self.base}/login")
        self.page.goto(f"{self.base}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", "demo123")
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base}/tasks")
        self.user = username

    def open_first(self, username: str, task_name: str) -> None:
        self.sign_in(username)
        self.page.goto(f"{self.base}/tasks")
        self.page.locator("#task-list tr", has_text=task_name).first.locator("a").click()
        self.page.wait_for_selector("#task-form")

    def submit(self, flash: str) -> None:
        self.page.click("#submit-task")
        self.page.wait_for_url(re.compile(r".*/tasks$"))
        assert flash in self.page.locator(".flash.success").inner_text()


def _waiting(app, element_id: str) -> list[HumanTask]:
    from sqlalchemy import select

    with app.extensions["chidao"].db.reader() as s:
        return list(s.scalars(select(HumanTask).where(HumanTask.element_id == element_id)
                              .order_by(HumanTask.created_at, HumanTask.id)))


def _agency_user(task: HumanTask) -> str:
    return next(g for g in task.candidate_groups if ":" in g).split(":")[0].lower() + ".cv"


def _each_agency(app, desk: Desk, element_id: str, fill) -> int:
    done = 0
    while True:
        tasks = _waiting(app, element_id)
        if not tasks:
            return done
        task = tasks[0]
        desk.sign_in(_agency_user(task))
        desk.page.goto(f"{desk.base}/tasks/{task.id}")
        desk.page.wait_for_selector("#task-form")
        fill(desk.page)
        desk.submit("Đã hoàn thành")
        done += 1


def test_seed_000_goes_from_draft_to_closed_in_the_browser(live_app, live_server, page, artifacts):
    directive_id = _start_seed(live_app)
    desk = Desk(page, live_server)

    desk.open_first("cv.lan", "Soạn dự thảo")
    assert "Khu, cụm công nghiệp theo hướng sinh thái" in page.input_value("#f-subject")
    assert page.locator(".rows > .row").count() == 7
    desk.submit("Đã hoàn thành «Soạn dự thảo».")

    desk.open_first("cvp", "Thẩm định dự thảo")
    page.check("input[name=review_decision][value=approve]")
    desk.submit("Đã hoàn thành «Thẩm định dự thảo».")

    desk.open_first("pct.hoang", "Ký ban hành")
    page.check("input[name=sign_decision][value=approve]")
    desk.submit("Đã hoàn thành «Ký ban hành».")

    desk.open_first("vanthu", "Vào sổ văn bản đi")
    page.check("#f-format_checked")
    page.fill("#f-copies", "14")
    desk.submit("Đã hoàn thành «Vào sổ văn bản đi».")

    assert _each_agency(live_app, desk, "acknowledge", lambda p: p.check("#f-received")) == 9
    assert _each_agency(live_app, desk, "accept", lambda p: p.fill("#f-handler_name", "Chuyên viên phụ trách")) == 22
    assert _each_agency(live_app, desk, "contribute", lambda p: p.fill(
        "#f-contribution-text", "Thống nhất nội dung, đề nghị cơ quan chủ trì tổng hợp.")) == 4
    assert _each_agency(live_app, desk, "report", lambda p: p.fill(
        "#f-report_text", "Đã triển khai nhiệm vụ; kết quả chi tiết như báo cáo.")) == 22

    reviews = 0
    while _waiting(live_app, "review_report"):
        desk.open_first("cv.lan", "Đánh giá báo cáo")
        page.check("input[name=report_decision][value=accept]")
        desk.submit("Đã hoàn thành «Đánh giá báo cáo».")
        reviews += 1
    assert reviews == 22

    page.goto(f"{live_server}/directives/{directive_id}")
    assert page.locator("#closed-badge").inner_text() == "Đã hoàn thành – mọi nhiệm vụ đã được chấp nhận"
    assert page.locator("#number-text").inner_text() == "01/UBND-KT"
    page.wait_for_selector("#diagram[data-ready=true]")
    page.screenshot(path=str(artifacts / "seed-000-closed.png"), full_page=True)
