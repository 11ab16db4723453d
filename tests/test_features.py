"""Step definitions for features/*.feature: every step is done over HTTP, as a user would,
by opening the task page, taking the form as the browser would send it, and changing what the
person changes."""
from __future__ import annotations

import base64
import io
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime

import lxml.html
import pytest
import weasyprint
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import delete, func, select, update

from engine import User, load_calendar
from engine.clock import LOCAL_TZ
from engine.jobs import Job
from engine.models import HistoryEvent, HumanTask, ProcessInstance
from engine.replay import replay_instance
from workflows.agencies import Directory
from workflows.deadlines import DeadlineReader
from workflows.demo import DEMO_PASSWORD, draft_from_label, seed_files
from workflows.importing.scoring import same_rule
from workflows.models import Assignment, Directive, IncomingEntry, OutgoingEntry, Receipt

scenarios("vong_doi_van_ban.feature", "phan_quyen.feature", "dong_thoi.feature", "du_lieu_sai.feature",
          "theo_doi_thoi_han.feature", "kiem_chung.feature", "rest_api.feature", "nhap_van_ban.feature")


@dataclass
class World:
    """What a scenario remembers between steps."""

    app: object
    svc: object
    clock: object
    clients: dict = field(default_factory=dict)
    instance_id: str | None = None
    response: object = None
    snapshot: tuple | None = None
    race: list = field(default_factory=list)
    event_seq: int | None = None  # the event someone tampered with
    draft: dict | None = None  # what was drafted through the REST API
    review: list | None = None  # the import review form's values, as the browser would send them

    def client(self, username: str):
        if username not in self.clients:
            client = self.app.test_client()
            response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 302, f"{username} cannot sign in"
            self.clients[username] = client
        return self.clients[username]

    def tasks(self, element_id: str | None = None, agency: str | None = None) -> list[HumanTask]:
        with self.svc.db.reader() as s:
            query = select(HumanTask).order_by(HumanTask.created_at, HumanTask.id)
            if element_id:
                query = query.where(HumanTask.element_id == element_id)
            rows = list(s.scalars(query))
        return [t for t in rows if agency is None or agency_of(t) == agency]

    def state(self) -> tuple:
        """Everything a failed submission must leave as it was."""
        with self.svc.db.reader() as s:
            return (
                sorted(s.scalars(select(HumanTask.id))),
                s.scalar(select(func.count()).select_from(HistoryEvent)),
                sorted(s.execute(select(ProcessInstance.id, ProcessInstance.row_version)).all()),
                s.scalar(select(func.count()).select_from(OutgoingEntry)),
            )

    def form_of(self, username: str, task: HumanTask) -> list[tuple[str, str]]:
        page = self.client(username).get(f"/tasks/{task.id}")
        assert page.status_code == 200, page.get_data(as_text=True)
        form = lxml.html.fromstring(page.get_data(as_text=True)).get_element_by_id("task-form")
        return [(k, v) for k, v in form.form_values() if "__index__" not in k]

    def submit(self, username: str, task: HumanTask, changes: dict[str, str | list[str]]):
        values = [(k, v) for k, v in self.form_of(username, task) if k not in changes]
        for key, value in changes.items():
            values.extend((key, v) for v in (value if isinstance(value, list) else [value]))
        self.snapshot = self.state()
        form = {}
        for key, value in values:
            form.setdefault(key, []).append(value)
        self.response = self.client(username).post(f"/tasks/{task.id}", data=form)
        return self.response


def agency_of(task: HumanTask) -> str | None:
    """The agency a task is assigned to, read from its candidate groups (``SCT:official``)."""
    for group in task.candidate_groups:
        if ":" in group:
            return group.split(":")[0]
    return None


def user_of(agency: str) -> str:
    return f"{agency.lower()}.cv"


def _ok(response) -> None:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-3000:]


@pytest.fixture
def world(app, svc, clock) -> World:
    return World(app, svc, clock)


def _assignment_task(world: World, element_id: str, ref: str, agency: str) -> HumanTask:
    with world.svc.db.reader() as s:
        instances = set(s.scalars(select(Assignment.id).where(Assignment.ref == ref)))
    tasks = [t for t in world.tasks(element_id) if t.instance_id in instances
             and (agency_of(t) == agency or element_id == "review_report")]
    if element_id == "review_report":
        with world.svc.db.reader() as s:
            tasks = [t for t in tasks if s.get(Assignment, t.instance_id).lead == agency]
    assert tasks, f"no «{element_id}» task for item {ref} of {agency}"
    return tasks[0]


# -- Given -------------------------------------------------------------------
@given(parsers.parse('chuyên viên "{username}" soạn dự thảo từ văn bản mẫu "{seed}"'))
def draft_from_seed(world: World, username: str, seed: str, rebase: bool = True):
    text, label = seed_files()[seed]
    with world.svc.db.transaction() as s:
        draft = draft_from_label(s, label, text, world.clock.today(), rebase)
        instance = world.svc.engine.start(s, "directive", s.get(User, username).actor(), draft,
                                          business_key=f"VB-FEATURE-{seed[:3]}")
        world.instance_id = instance.id


@given(parsers.parse('văn bản mẫu "{seed}" đã được phát hành'))
def distributed_seed(world: World, seed: str):
    draft_from_seed(world, "cv.lan", seed)
    submit_draft(world, "cv.lan")
    approve_draft(world, "cvp")
    sign(world, "pct.hoang")
    register(world, "vanthu")


@given(parsers.parse('"{username}" đã tiếp nhận nhiệm vụ "{ref}"'))
def accepted(world: World, username: str, ref: str):
    accept_item(world, username, ref)


# -- When: the directive -------------------------------------------------------
@when(parsers.parse('"{username}" trình dự thảo'))
def submit_draft(world: World, username: str):
    _ok(world.submit(username, world.tasks("draft")[0], {}))


@when(parsers.parse('"{username}" trình dự thảo với cơ quan chủ trì nhiệm vụ "{ref}" là "{code}"'))
def submit_draft_with_lead(world: World, username: str, ref: str, code: str):
    index = _task_index(world, username, ref)
    world.submit(username, world.tasks("draft")[0], {f"tasks.{index}.lead": [code]})


@when(parsers.parse('"{username}" trình dự thảo với hạn nhiệm vụ "{ref}" là "{day}"'))
def submit_draft_with_deadline(world: World, username: str, ref: str, day: str):
    index = _task_index(world, username, ref)
    iso = datetime.strptime(day, "%d/%m/%Y").date().isoformat()
    world.submit(username, world.tasks("draft")[0], {f"tasks.{index}.deadline": iso})


def _task_index(world: World, username: str, ref: str) -> int:
    values = dict(world.form_of(username, world.tasks("draft")[0]))
    return next(int(k.split(".")[1]) for k, v in values.items() if re.fullmatch(r"tasks\.\d+\.ref", k) and v == ref)


@when(parsers.parse('"{username}" đồng ý dự thảo'))
def approve_draft(world: World, username: str):
    _ok(world.submit(username, world.tasks("review")[0], {"review_decision": "approve"}))


@when(parsers.parse('"{username}" trả lại dự thảo với lý do "{reason}"'))
def return_draft(world: World, username: str, reason: str):
    task = (world.tasks("review") or world.tasks("sign"))[0]
    prefix = "review" if task.element_id == "review" else "sign"
    _ok(world.submit(username, task, {f"{prefix}_decision": "return", f"{prefix}_reason": reason}))


@when(parsers.parse('"{username}" ký ban hành'))
def sign(world: World, username: str):
    world.submit(username, world.tasks("sign")[0], {"sign_decision": "approve"})


@when(parsers.parse('"{username}" vào sổ văn bản đi'))
def register(world: World, username: str):
    _ok(world.submit(username, world.tasks("register")[0], {"format_checked": "on", "copies": "30"}))


@given(parsers.parse('ngày hôm nay là "{day}"'))
@when(parsers.parse('ngày hôm nay là "{day}"'))
def today_is(world: World, day: str):
    world.clock.set(datetime.strptime(day, "%d/%m/%Y").replace(hour=9, tzinfo=LOCAL_TZ))


# -- When: the agencies --------------------------------------------------------
FILL = {
    "acknowledge": {"received": "on"},
    "accept": {"handler_name": "Chuyên viên phụ trách"},
    "contribute": {"contribution.text": "Thống nhất nội dung, đề nghị cơ quan chủ trì tổng hợp."},
    "report": {"report_text": "Đã triển khai đầy đủ nội dung được giao; kết quả như báo cáo kèm theo."},
}


def _everyone(world: World, element_id: str) -> None:
    tasks = world.tasks(element_id)
    assert tasks, f"no «{element_id}» task is waiting"
    for task in tasks:
        _ok(world.submit(user_of(agency_of(task)), task, FILL[element_id]))
    assert not world.tasks(element_id)


@when("mọi cơ quan nhận xác nhận đã nhận văn bản")
def everyone_acknowledges(world: World):
    _everyone(world, "acknowledge")


@when("mọi cơ quan chủ trì tiếp nhận nhiệm vụ")
def everyone_accepts(world: World):
    _everyone(world, "accept")


@when("mọi cơ quan phối hợp gửi ý kiến phối hợp")
def everyone_contributes(world: World):
    if world.tasks("contribute"):
        _everyone(world, "contribute")


@when("mọi cơ quan chủ trì báo cáo kết quả")
def everyone_reports(world: World):
    _everyone(world, "report")


@when(parsers.parse('"{username}" chấp nhận mọi báo cáo'))
def tracker_accepts_all(world: World, username: str):
    for task in world.tasks("review_report"):
        _ok(world.submit(username, task, {"report_decision": "accept"}))


@when(parsers.parse('"{username}" tiếp nhận nhiệm vụ "{ref}"'))
def accept_item(world: World, username: str, ref: str):
    task = _assignment_task(world, "accept", ref, username.split(".")[0].upper())
    _ok(world.submit(username, task, FILL["accept"]))


@when(parsers.parse('"{username}" gửi ý kiến phối hợp cho nhiệm vụ "{ref}"'))
def contribute_item(world: World, username: str, ref: str):
    task = _assignment_task(world, "contribute", ref, username.split(".")[0].upper())
    _ok(world.submit(username, task, FILL["contribute"]))


@when(parsers.parse('"{username}" báo cáo kết quả nhiệm vụ "{ref}"'))
def report_item(world: World, username: str, ref: str):
    task = _assignment_task(world, "report", ref, username.split(".")[0].upper())
    _ok(world.submit(username, task, FILL["report"]))


@when(parsers.re(r'"(?P<username>[^"]+)" gửi báo cáo nhiệm vụ "(?P<ref>[^"]+)" với nội dung "(?P<text>[^"]*)"'))
def report_with_text(world: World, username: str, ref: str, text: str):
    task = _assignment_task(world, "report", ref, username.split(".")[0].upper())
    world.submit(username, task, {"report_text": text})


@when(parsers.parse('"{username}" gửi báo cáo nhiệm vụ "{ref}" nhưng sửa trường ẩn "{name}" thành "{value}"'))
def report_tampered(world: World, username: str, ref: str, name: str, value: str):
    task = _assignment_task(world, "report", ref, username.split(".")[0].upper())
    world.submit(username, task, {**FILL["report"], name: value})


@when(parsers.parse('"{username}" trả lại báo cáo nhiệm vụ "{ref}" của "{agency}" với lý do "{reason}"'))
def return_report(world: World, username: str, ref: str, agency: str, reason: str):
    task = _assignment_task(world, "review_report", ref, agency)
    _ok(world.submit(username, task, {"report_decision": "return", "report_review_reason": reason}))


# -- When: authorization and races ---------------------------------------------
def _named_task(world: World, name: str, agency: str) -> HumanTask:
    return next(t for t in world.tasks(agency=agency) if t.name == name)


@when(parsers.parse('"{username}" mở việc "{name}" của "{agency}" bằng đường dẫn'))
def open_foreign(world: World, username: str, name: str, agency: str):
    world.response = world.client(username).get(f"/tasks/{_named_task(world, name, agency).id}")


@when(parsers.parse('"{username}" gửi biểu mẫu việc "{name}" của "{agency}" bằng đường dẫn'))
def post_foreign(world: World, username: str, name: str, agency: str):
    task = _named_task(world, name, agency)
    world.snapshot = world.state()
    world.response = world.client(username).post(f"/tasks/{task.id}", data={"handler_name": "Người ngoài"})


@when(parsers.parse('"{first}" và "{second}" cùng lúc tiếp nhận nhiệm vụ "{ref}"'))
def race_accept(world: World, first: str, second: str, ref: str):
    task = _assignment_task(world, "accept", ref, first.split(".")[0].upper())
    forms = {u: dict(world.form_of(u, task)) | {"handler_name": f"Người xử lý {u}"} for u in (first, second)}
    barrier = threading.Barrier(2)
    results = {}

    def run(username):
        client = world.client(username)
        barrier.wait()
        results[username] = client.post(f"/tasks/{task.id}", data=forms[username], follow_redirects=True)

    threads = [threading.Thread(target=run, args=(u,)) for u in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    world.race = [(u, results[u].get_data(as_text=True)) for u in (first, second)]
    world.instance_id = task.id


# -- Then ----------------------------------------------------------------------
def _directive(world: World) -> Directive:
    with world.svc.db.reader() as s:
        return s.get(Directive, world.instance_id)


@then(parsers.parse('văn bản có số "{number}" và ngày ban hành "{day}"'))
def numbered(world: World, number: str, day: str):
    directive = _directive(world)
    assert (directive.number_text, directive.issued_on.strftime("%d/%m/%Y")) == (number, day)
    page = world.client("cv.lan").get(f"/directives/{world.instance_id}").get_data(as_text=True)
    assert f'<dd id="number-text">{number}</dd>' in page


@then(parsers.parse("sổ văn bản đi năm {year:d} có {count:d} dòng"))
def outgoing_rows(world: World, year: int, count: int):
    with world.svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(OutgoingEntry).where(OutgoingEntry.year == year)) == count


@then(parsers.parse("văn bản được phát hành đến {count:d} cơ quan"))
def receipts_count(world: World, count: int):
    with world.svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Receipt).where(Receipt.directive_id == world.instance_id)) \
            == count
    assert len(world.tasks("acknowledge")) == count


@then(parsers.parse("có {count:d} nhiệm vụ được giao cho các cơ quan chủ trì"))
def assignment_count(world: World, count: int):
    with world.svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Assignment)
                        .where(Assignment.directive_id == world.instance_id)) == count
    assert len(world.tasks("accept")) == count


@then("mỗi cơ quan nhận có số đến 1 trong sổ văn bản đến của mình")
def incoming_numbers(world: World):
    with world.svc.db.reader() as s:
        rows = s.execute(select(IncomingEntry.agency, IncomingEntry.number)).all()
        receipts = s.scalar(select(func.count()).select_from(Receipt))
    assert len(rows) == receipts and {n for _, n in rows} == {1}


@then("văn bản vẫn đang xử lý")
def still_running(world: World):
    assert _directive(world).status == "running"


@then(parsers.parse('văn bản đã hoàn thành và trang văn bản ghi "{text}"'))
def closed(world: World, text: str):
    assert _directive(world).status == "completed"
    page = world.client("cv.lan").get(f"/directives/{world.instance_id}").get_data(as_text=True)
    assert f'<span class="pill done" id="closed-badge">{text}</span>' in page


@then(parsers.parse('việc "{name}" trở lại danh sách việc của "{username}" kèm lý do "{reason}"'))
def back_with_reason(world: World, username: str, name: str, reason: str):
    page = world.client(username).get("/tasks").get_data(as_text=True)
    task = next(t for t in world.tasks() if t.name == name and (t.assignee == username or agency_of(t)
                                                                == username.split(".")[0].upper()))
    assert f'href="/tasks/{task.id}"' in page
    assert reason in world.client(username).get(f"/tasks/{task.id}").get_data(as_text=True)


@then(parsers.parse('văn bản chờ "{name}" của "{username}"'))
def waits_for(world: World, name: str, username: str):
    assert [t.name for t in world.tasks()] == [name]
    assert name in world.client(username).get("/tasks").get_data(as_text=True)


@then(parsers.parse('danh sách việc của "{username}" chỉ có việc của "{agency}"'))
def only_own(world: World, username: str, agency: str):
    page = world.client(username).get("/tasks").get_data(as_text=True)
    shown = set(re.findall(r'data-task-id="([^"]+)"', page))
    own = {t.id for t in world.tasks(agency=agency)}
    assert shown == own and own


@then(parsers.parse('"{username}" nhận lỗi {status:d}'))
def refused(world: World, username: str, status: int):
    assert world.response.status_code == status
    assert "<h1>Không có quyền truy cập</h1>" in world.response.get_data(as_text=True)


@then(parsers.parse('việc "{name}" của "{agency}" vẫn chờ xử lý'))
def still_waiting(world: World, name: str, agency: str):
    assert _named_task(world, name, agency)
    assert world.state() == world.snapshot


@then("đúng một người tiếp nhận thành công")
def one_winner(world: World):
    winners = [u for u, page in world.race if "Đã hoàn thành «Tiếp nhận nhiệm vụ»." in page]
    assert len(winners) == 1, world.race


@then(parsers.parse('người còn lại được báo ai đã hoàn thành việc "{name}"'))
def loser_told(world: World, name: str):
    winner = next(u for u, page in world.race if "Đã hoàn thành «Tiếp nhận nhiệm vụ»." in page)
    loser_page = next(page for u, page in world.race if u != winner)
    with world.svc.db.reader() as s:
        who = s.get(User, winner)
    assert f"«{name}» đã được {who.full_name} ({who.org}) hoàn thành lúc" in loser_page


@then(parsers.parse('nhiệm vụ "{ref}" chỉ được tiếp nhận một lần trong lịch sử'))
def accepted_once(world: World, ref: str):
    with world.svc.db.reader() as s:
        count = s.scalar(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.task_id == world.instance_id, HistoryEvent.event_type == "task_completed"))
    assert count == 1


@then(parsers.parse('biểu mẫu báo lỗi ở trường "{path}": "{message}"'))
def field_error(world: World, path: str, message: str):
    assert world.response.status_code == 400
    page = lxml.html.fromstring(world.response.get_data(as_text=True))
    errors = page.xpath(f'//*[@data-error-for="{path}"]')
    assert errors and errors[0].text_content().strip() == message


@then(parsers.parse('biểu mẫu báo lỗi: "{message}"'))
def form_error(world: World, message: str):
    assert world.response.status_code == 400
    summary = lxml.html.fromstring(world.response.get_data(as_text=True)).get_element_by_id("form-errors")
    assert message in summary.text_content()


@then("không có gì thay đổi")
def nothing_changed(world: World):
    assert world.state() == world.snapshot


# -- time: deadlines, reminders, escalations, extensions --------------------------------
def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%H:%M %d/%m/%Y").replace(tzinfo=LOCAL_TZ)


def _signed_by(world: World) -> str:
    with world.svc.db.reader() as s:
        return s.get(Directive, world.instance_id).signer


def _through_distribution(world: World, drafter: str) -> None:
    submit_draft(world, drafter)
    approve_draft(world, "cvp")
    _ok(world.submit(_signed_by(world), world.tasks("sign")[0], {"sign_decision": "approve"}))
    register(world, "vanthu")


@given(parsers.parse('văn bản mẫu "{seed}" giữ nguyên ngày đã được phát hành'))
def distributed_as_written(world: World, seed: str):
    draft_from_seed(world, "cv.lan", seed, rebase=False)
    _through_distribution(world, "cv.lan")


@given(parsers.parse('văn bản mẫu "{seed}" được phát hành với hạn nhiệm vụ "{ref}" là "{phrase}"'))
def distributed_with_phrase(world: World, seed: str, ref: str, phrase: str):
    draft_from_seed(world, "cv.lan", seed, rebase=False)
    index = _task_index(world, "cv.lan", ref)
    world.submit("cv.lan", world.tasks("draft")[0], {f"tasks.{index}.deadline_phrase": phrase,
                                                     f"tasks.{index}.deadline": ""})
    _ok(world.response)
    approve_draft(world, "cvp")
    _ok(world.submit(_signed_by(world), world.tasks("sign")[0], {"sign_decision": "approve"}))
    register(world, "vanthu")


def _assignment(world: World, ref: str, agency: str) -> Assignment:
    with world.svc.db.reader() as s:
        return s.scalars(select(Assignment).where(Assignment.ref == ref, Assignment.lead == agency)).one()


@then(parsers.parse('nhiệm vụ "{ref}" của "{agency}" có hạn "{day}" và được nhắc lúc "{moment}"'))
def has_deadline(world: World, ref: str, agency: str, day: str, moment: str):
    assignment = _assignment(world, ref, agency)
    assert assignment.due_at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y") == day
    with world.svc.db.reader() as s:
        schedule = world.svc.engine.variables(s, s.get(ProcessInstance, assignment.id))["schedule"]
    assert datetime.fromisoformat(schedule["remind_at"]) == _moment(moment)


@when(parsers.parse('đến "{moment}" bộ xử lý việc hẹn giờ chạy'))
def worker_runs(world: World, moment: str):
    world.clock.set(_moment(moment))
    world.svc.worker.tick_all()


def _notices(world: World, username: str) -> list[str]:
    from workflows.notifications import Notification

    with world.svc.db.reader() as s:
        return list(s.scalars(select(Notification.title).where(Notification.username == username)))


@then(parsers.parse('"{username}" nhận thông báo "{title}"'))
def notified(world: World, username: str, title: str):
    assert title in _notices(world, username)
    assert title in world.client(username).get("/notifications").get_data(as_text=True)


@then(parsers.parse('"{username}" không nhận thông báo "{title}"'))
def not_notified(world: World, username: str, title: str):
    assert title not in _notices(world, username)


def _periods(world: World, ref: str) -> list[tuple[str, str]]:
    from workflows.models import ReportPeriod

    with world.svc.db.reader() as s:
        assignment = s.scalars(select(Assignment).where(Assignment.ref == ref)).one()
        rows = s.scalars(select(ReportPeriod).where(ReportPeriod.assignment_id == assignment.id)
                         .order_by(ReportPeriod.period_no))
        return [(str(p.period_no), p.due_at.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")) for p in rows]


@then(parsers.parse('nhiệm vụ "{ref}" có các kỳ báo cáo:'))
def has_periods(world: World, ref: str, datatable):
    assert _periods(world, ref) == [tuple(row) for row in datatable[1:]]


@then(parsers.parse('kỳ báo cáo {number} của nhiệm vụ "{ref}" có hạn "{moment}"'))
def period_due(world: World, number: str, ref: str, moment: str):
    assert (number, moment) in _periods(world, ref)


@then(parsers.parse('việc "{name}" của "{username}" ghi hạn "{day}"'))
def listed_with_due(world: World, name: str, username: str, day: str):
    page = world.client(username).get("/tasks").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr class=[^>]*data-task-id=.*?</tr>", page, re.S) if name in r)
    assert day in row


def _own_task(world: World, username: str, ref: str, element_id: str = "accept") -> HumanTask:
    return _assignment_task(world, element_id, ref, username.split(".")[0].upper())


@when(parsers.parse('"{username}" xin gia hạn nhiệm vụ "{ref}" đến "{day}" vì "{reason}"'))
def ask_extension(world: World, username: str, ref: str, day: str, reason: str):
    task = _own_task(world, username, ref)
    page = world.client(username).get(f"/tasks/{task.id}").get_data(as_text=True)
    action = re.search(r'action="(/assignments/[^"]+/extension)"', page).group(1)
    new = datetime.strptime(day, "%d/%m/%Y").date().isoformat()
    _ok(world.client(username).post(action, data={"extension_new_deadline": new, "extension_reason": reason,
                                                  "back": f"/tasks/{task.id}"}))


@when(parsers.parse('"{username}" đồng ý gia hạn vì "{reason}"'))
def approve_extension(world: World, username: str, reason: str):
    _ok(world.submit(username, world.tasks("review_extension")[0],
                     {"extension_decision": "approve", "extension_decision_reason": reason}))


@when(parsers.parse('"{username}" không đồng ý gia hạn vì "{reason}"'))
def reject_extension(world: World, username: str, reason: str):
    _ok(world.submit(username, world.tasks("review_extension")[0],
                     {"extension_decision": "reject", "extension_decision_reason": reason}))


@then(parsers.parse('trang văn bản ghi nhiệm vụ "{ref}" của "{agency}" có hạn đầu "{day}"'))
def page_shows_original(world: World, ref: str, agency: str, day: str):
    assignment = _assignment(world, ref, agency)
    page = world.client("cv.lan").get(f"/directives/{world.instance_id}").get_data(as_text=True)
    row = re.search(rf'<tr data-assignment="{assignment.id}">.*?</tr>', page, re.S).group(0)
    assert f"hạn đầu {day}" in row


@then(parsers.parse('"{username}" có việc "{name}" về nhiệm vụ "{ref}"'))
def has_task_about(world: World, username: str, name: str, ref: str):
    page = world.client(username).get("/tasks").get_data(as_text=True)
    rows = [r for r in re.findall(r"<tr class=[^>]*data-task-id=.*?</tr>", page, re.S) if name in r]
    assert any(f"nhiệm vụ {ref}:" in r.lower() or f"nhiệm vụ {ref} " in r.lower() for r in rows), rows


def _task_about(world: World, element_id: str, ref: str) -> HumanTask:
    return next(t for t in world.tasks(element_id) if f"nhiệm vụ {ref}:" in (t.label or "").lower())


@when(parsers.parse('"{username}" đôn đốc nhiệm vụ "{ref}" với nội dung "{text}"'))
def chase(world: World, username: str, ref: str, text: str):
    _ok(world.submit(username, _task_about(world, "chase", ref), {"chase_text": text}))


@then(parsers.parse('lịch sử nhiệm vụ "{ref}" của "{agency}" ghi "{name}" do "{username}"'))
def history_shows(world: World, ref: str, agency: str, name: str, username: str):
    assignment = _assignment(world, ref, agency)
    with world.svc.db.reader() as s:
        events = s.execute(select(HistoryEvent.element_name, HistoryEvent.actor).where(
            HistoryEvent.instance_id == assignment.id, HistoryEvent.event_type == "task_completed")).all()
    assert (name, username) in events


@when(parsers.parse('"{username}" báo cáo vấn đề vượt thẩm quyền của nhiệm vụ "{ref}": "{text}"'))
def raise_matter(world: World, username: str, ref: str, text: str):
    task = _own_task(world, username, ref)
    page = world.client(username).get(f"/tasks/{task.id}").get_data(as_text=True)
    action = re.search(r'action="(/assignments/[^"]+/authority)"', page).group(1)
    _ok(world.client(username).post(action, data={"authority_matter": text, "back": f"/tasks/{task.id}"}))


@when(parsers.parse('"{username}" cho ý kiến "{text}"'))
def decide(world: World, username: str, text: str):
    _ok(world.submit(username, world.tasks("decide_authority")[0], {"authority_decision": text}))


@then(parsers.parse('trang việc của "{username}" về nhiệm vụ "{ref}" ghi "{text}"'))
def task_page_shows(world: World, username: str, ref: str, text: str):
    task = _task_about(world, "receive_decision", ref)
    assert text in world.client(username).get(f"/tasks/{task.id}").get_data(as_text=True)


@when(parsers.parse('"{username}" kết thúc theo dõi báo cáo định kỳ của nhiệm vụ "{ref}"'))
def close_recurring(world: World, username: str, ref: str):
    with world.svc.db.reader() as s:
        assignment = s.scalars(select(Assignment).where(Assignment.ref == ref)).one()
    page = world.client(username).get(f"/directives/{world.instance_id}").get_data(as_text=True)
    assert f'action="/assignments/{assignment.id}/close"' in page
    _ok(world.client(username).post(f"/assignments/{assignment.id}/close"))


# -- audit: replay, tampering, anchors -------------------------------------------------------
@when("bộ xử lý nền lập mốc kiểm chứng")
def anchor(world: World):
    assert world.svc.worker.anchor_if_due() is not None


def _directive_event(world: World, element_id: str, **match) -> HistoryEvent:
    with world.svc.db.reader() as s:
        events = s.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == world.instance_id,
                                                      HistoryEvent.event_type == "task_completed",
                                                      HistoryEvent.element_id == element_id)
                           .order_by(HistoryEvent.seq)).all()
    return next(e for e in events if all(e.data["submitted"].get(k) == v for k, v in match.items()))


@when(parsers.parse('ai đó sửa trong cơ sở dữ liệu lý do trả lại dự thảo thành "{text}"'))
def edit_return_reason(world: World, text: str):
    event = _directive_event(world, "review", review_decision="return")
    submitted = {**event.data["submitted"], "review_reason": text}
    with world.svc.db.transaction() as s:
        s.execute(update(HistoryEvent).where(HistoryEvent.id == event.id)
                  .values(data={**event.data, "submitted": submitted}))
    world.event_seq = event.seq


@when("ai đó xóa trong cơ sở dữ liệu sự kiện ký ban hành")
def delete_signature(world: World):
    event = _directive_event(world, "sign")
    with world.svc.db.transaction() as s:
        s.execute(delete(HistoryEvent).where(HistoryEvent.id == event.id))
    world.event_seq = event.seq


@when(parsers.parse('ai đó xóa trong cơ sở dữ liệu phiên nhiệm vụ "{ref}" của "{agency}" cùng toàn bộ lịch sử'))
def delete_assignment_instance(world: World, ref: str, agency: str):
    with world.svc.db.transaction() as s:
        instance_id = s.scalars(select(Assignment.id).where(Assignment.ref == ref, Assignment.lead == agency)).one()
        for table, column in ((HumanTask, HumanTask.instance_id), (Job, Job.instance_id),
                              (HistoryEvent, HistoryEvent.instance_id), (ProcessInstance, ProcessInstance.id)):
            s.execute(delete(table).where(column == instance_id))


def _with_seq(world: World, text: str) -> str:
    return text.replace("<số sự kiện>", str(world.event_seq))


@then(parsers.parse('"{username}" thấy mọi phiên của văn bản đã được kiểm chứng'))
def all_verified(world: World, username: str):
    with world.svc.db.reader() as s:
        business_key = s.get(ProcessInstance, world.instance_id).business_key
        ids = s.scalars(select(ProcessInstance.id).where(ProcessInstance.business_key == business_key)).all()
        results = [replay_instance(world.svc.engine, s, i) for i in ids]
    assert len(ids) > 30 and all(r.verified for r in results), [r.sentence() for r in results if not r.verified]
    page = world.client(username).get(f"/audit/instances/{world.instance_id}").get_data(as_text=True)
    assert 'data-verified="true"' in page


@then(parsers.parse('"{username}" thấy trang kiểm chứng của văn bản báo "{text}"'))
def audit_page_says(world: World, username: str, text: str):
    page = world.client(username).get(f"/audit/instances/{world.instance_id}").get_data(as_text=True)
    assert 'data-verified="false"' in page and _with_seq(world, text) in page


@then(parsers.parse('lệnh "chidao verify --all" báo "{text}" và kết thúc với mã {code:d}'))
def verify_all_says(world: World, text: str, code: int):
    result = world.app.test_cli_runner().invoke(args=["verify", "--all"])
    assert result.exit_code == code and _with_seq(world, text) in result.output, result.output


# -- the REST API -----------------------------------------------------------------------------
REST_FILL = {
    "acknowledge": {"received": True},
    "accept": {"handler_name": "Chuyên viên phụ trách"},
    "contribute": {"contribution": {"text": "Thống nhất nội dung, đề nghị cơ quan chủ trì tổng hợp."}},
    "report": {"report_text": "Đã triển khai đầy đủ nội dung được giao; kết quả như báo cáo kèm theo."},
}


def _basic(username: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _untyped(values: dict) -> dict:
    return {name: {"value": value} for name, value in values.items()}


def _rest_complete(world: World, username: str, element_id: str, values: dict, task_id: str | None = None):
    client = world.app.test_client()
    if task_id is None:
        found = client.get(f"/engine-rest/task?taskDefinitionKey={element_id}&processInstanceId={world.instance_id}",
                           headers=_basic(username)).get_json()
        assert found, f"{username} sees no «{element_id}» task over REST"
        task_id = found[0]["id"]
    return client.post(f"/engine-rest/task/{task_id}/complete", headers=_basic(username),
                       json={"variables": _untyped(values)})


@when(parsers.parse('"{username}" khởi tạo qua REST văn bản từ văn bản mẫu "{seed}"'))
def rest_start(world: World, username: str, seed: str):
    text, label = seed_files()[seed]
    with world.svc.db.transaction() as s:
        world.draft = draft_from_label(s, label, text, world.clock.today(), True)
    response = world.app.test_client().post("/engine-rest/process-definition/key/directive/start",
                                            headers=_basic(username), json={
                                                "businessKey": f"VB-REST-{seed[:3]}",
                                                "variables": {"subject": {"value": world.draft["subject"],
                                                                          "type": "String"}}})
    assert response.status_code == 200, response.get_json()
    world.instance_id = response.get_json()["id"]


@when(parsers.parse('"{username}" trình dự thảo qua REST'))
def rest_draft(world: World, username: str):
    assert _rest_complete(world, username, "draft", world.draft).status_code == 204


@when(parsers.parse('"{username}" đồng ý dự thảo qua REST'))
def rest_review(world: World, username: str):
    assert _rest_complete(world, username, "review", {"review_decision": "approve"}).status_code == 204


@when("người ký ký ban hành qua REST")
def rest_sign(world: World):
    assert _rest_complete(world, world.draft["signer"], "sign", {"sign_decision": "approve"}).status_code == 204


@when(parsers.parse('"{username}" vào sổ văn bản đi qua REST'))
def rest_register(world: World, username: str):
    answer = _rest_complete(world, username, "register", {"format_checked": True, "copies": 30})
    assert answer.status_code == 204, answer.get_json()


@when(parsers.parse('mọi cơ quan xử lý qua REST việc "{element_id}"'))
def rest_everyone(world: World, element_id: str):
    tasks = world.tasks(element_id)
    if element_id == "contribute" and not tasks:
        return
    assert tasks, f"no «{element_id}» task is waiting"
    for task in tasks:
        answer = _rest_complete(world, user_of(agency_of(task)), element_id, REST_FILL[element_id], task.id)
        assert answer.status_code == 204, answer.get_json()
    assert not world.tasks(element_id)


@when(parsers.parse('"{username}" chấp nhận mọi báo cáo qua REST'))
def rest_accept_reports(world: World, username: str):
    for task in world.tasks("review_report"):
        answer = _rest_complete(world, username, "review_report", {"report_decision": "accept"}, task.id)
        assert answer.status_code == 204, answer.get_json()


@then(parsers.parse('"{username}" nhận lỗi {status:d} khi hoàn thành qua REST việc "{element_id}"'))
def rest_refused(world: World, username: str, status: int, element_id: str):
    (task,) = [t for t in world.tasks(element_id) if t.instance_id == world.instance_id]
    answer = _rest_complete(world, username, element_id, {"review_decision": "approve"}, task.id)
    assert answer.status_code == status and answer.get_json()["type"] == "AuthorizationException"
    assert [t.id for t in world.tasks(element_id)] == [task.id]


@then(parsers.parse('lịch sử REST của văn bản ghi "{username}" hoàn thành việc "{element_id}"'))
def rest_history(world: World, username: str, element_id: str):
    tasks = world.app.test_client().get(
        f"/engine-rest/history/task?processInstanceId={world.instance_id}&taskDefinitionKey={element_id}",
        headers=_basic("thanhtra")).get_json()
    assert [(t["assignee"], bool(t["endTime"])) for t in tasks] == [(username, True)]


# -- importing a directive from its file ---------------------------------------------
def _review_form(response) -> list[tuple[str, str]]:
    form = lxml.html.fromstring(response.get_data(as_text=True)).get_element_by_id("import-review-form")
    return [(k, v) for k, v in form.form_values() if "__index__" not in k]


def _rows(values: list[tuple[str, str]]) -> dict[str, dict[str, list[str]]]:
    """The review form's task rows by ref: each input's values."""
    cells: dict[int, dict[str, list[str]]] = {}
    for key, value in values:
        found = re.fullmatch(r"tasks\.(\d+)\.(\w+)", key)
        if found:
            cells.setdefault(int(found.group(1)), {}).setdefault(found.group(2), []).append(value)
    return {row["ref"][0]: row for row in cells.values()}


@when(parsers.parse('chuyên viên "{username}" tải lên văn bản mẫu "{seed}"'))
def upload_seed(world: World, username: str, seed: str):
    text, _label = seed_files()[seed]
    world.response = world.client(username).post(
        "/directives/import", data={"file": (io.BytesIO(text.encode("utf-8")), f"{seed}.txt")},
        content_type="multipart/form-data")
    assert world.response.status_code == 200, world.response.get_data(as_text=True)[-2000:]
    world.review = _review_form(world.response)


@when("chuyên viên \"cv.lan\" tải lên một bản PDF chỉ có hình ảnh")
def upload_scan(world: World):
    image = weasyprint.HTML(string='<img src="data:image/svg+xml;base64,'
                            + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
                                               b'<rect width="400" height="300" fill="#888"/></svg>').decode()
                            + '">').write_pdf()
    world.snapshot = world.state()
    world.response = world.client("cv.lan").post(
        "/directives/import", data={"file": (io.BytesIO(image), "ban-scan.pdf")}, content_type="multipart/form-data")


def _start_import(world: World, username: str, changes: dict[str, str]) -> None:
    values = [(k, v) for k, v in world.review if k not in changes] + list(changes.items())
    form: dict[str, list[str]] = {}
    for key, value in values:
        form.setdefault(key, []).append(value)
    world.snapshot = world.state()
    world.response = world.client(username).post("/directives/import/start", data=form)
    if world.response.status_code in (302, 303):
        with world.svc.db.reader() as s:
            world.instance_id = s.scalars(select(ProcessInstance.id).where(
                ProcessInstance.definition_id.like("directive%"))).first()


@when(parsers.parse('"{username}" tạo dự thảo khi chưa ghi trích yếu'))
def start_without_subject(world: World, username: str):
    _start_import(world, username, {"subject": ""})


@when(parsers.parse('"{username}" ghi trích yếu "{subject}" rồi tạo dự thảo'))
def start_with_subject(world: World, username: str, subject: str):
    _start_import(world, username, {"subject": subject})
    _ok(world.response)


@then(parsers.parse('trang kiểm tra đề xuất đúng các nhiệm vụ trong nhãn của "{seed}"'))
def proposes_labelled_tasks(world: World, seed: str):
    _text, label = seed_files()[seed]
    rows = _rows(world.review)
    assert list(rows) == [t["ref"] for t in label["tasks"]]
    with world.svc.db.reader() as s:
        directory = Directory(s)
        reader = DeadlineReader(load_calendar(s))
    for task in label["tasks"]:
        row = rows[task["ref"]]
        leads = {directory.resolve(name) for name in task["lead"]}
        concrete = {code for code in leads if not directory.is_vague(code)}
        assert set(row.get("lead", [])) == concrete, task["ref"]
        assert {directory.resolve(name) for name in task["coordinate"]} <= set(row.get("coordinate", [])), task["ref"]
        phrase = (row.get("deadline_phrase") or [""])[0]
        if task["deadline"] or task["recurrence"]:
            read = reader.read(phrase, date(label["year"], 1, 1))
            assert (read.recurrence and same_rule(read.recurrence, task["recurrence"])) or \
                read.stated.isoformat() == task["deadline"], (task["ref"], phrase)
        else:
            assert not phrase, (task["ref"], phrase)


@then("chưa có quy trình nào được bắt đầu")
def nothing_started(world: World):
    with world.svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 0


@then(parsers.parse('trang nhập báo lỗi "{words}"'))
def import_refused(world: World, words: str):
    assert world.response.status_code == 400
    message = lxml.html.fromstring(world.response.get_data(as_text=True)).get_element_by_id("import-error")
    assert words in message.text_content()


@then(parsers.parse('{count:d} nhiệm vụ của văn bản mẫu "{seed}" được giao đến đúng các cơ quan chủ trì trong nhãn'))
def fanned_out_as_labelled(world: World, count: int, seed: str):
    _text, label = seed_files()[seed]
    assert len(label["tasks"]) == count
    with world.svc.db.reader() as s:
        directory = Directory(s)
        given = {}
        for row in s.scalars(select(Assignment).where(Assignment.directive_id == world.instance_id)):
            given.setdefault(row.ref, set()).add(row.lead)
    assert len(given) == count
    for task in label["tasks"]:
        assert given[task["ref"]] == set(directory.expand([directory.resolve(n) for n in task["lead"]])), task["ref"]
