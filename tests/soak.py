"""A seeded random walk of what users really do, over the web pages and the REST API together.

Several directives live at once: drafted, returned, signed, registered, received, accepted,
coordinated, reported, returned and accepted again, extended or not, escalated beyond authority,
chased when time passes, ended when recurring, claimed and released, cancelled, migrated to a new
version, and the server restarted between any two steps. After every step the walk checks what
must always hold (``Invariants``); a failure names the seed and the steps that led to it, so the
same walk can be run again (``SOAK_SEED=… make soak``).
"""
from __future__ import annotations

import json
import random
from base64 import b64encode
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

from lxml import html
from sqlalchemy import func, select

from engine.anchor import HistoryAnchor
from engine.identity import User
from engine.models import HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance
from workflows.demo import DEMO_PASSWORD
from workflows.models import Assignment

from .invariants import check_invariants

SIGNERS = {"CT": "ct", "KT_CT": "pct.hoang", "TL_CT": "cvp"}
WEEKLY = "trước 15h00 thứ Ba hằng tuần"


class WalkFailure(AssertionError):
    """An invariant broke or a request answered what no user should ever see."""


@dataclass
class Figures:
    """What one walk did."""

    steps: int = 0
    actions: Counter = field(default_factory=Counter)
    completed: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    requests: int = 0
    restarts: int = 0
    instances: int = 0  # at the end, with their events and the anchors taken
    events: int = 0
    anchors: int = 0

    def line(self) -> str:
        done = ", ".join(f"{name} {count}" for name, count in sorted(self.actions.items()))
        steps = ", ".join(f"{name} {count}" for name, count in sorted(self.completed.items()))
        return (f"{self.steps} steps, {self.requests} requests ({done}); tasks completed: {steps}; "
                f"refused as expected: {dict(self.refused)}; {self.instances} instances, {self.events} events, "
                f"{self.anchors} anchors witnessed, 0 findings after every step")


class Walk:
    """One random walk over one database; ``make_app`` gives a (re)started application."""

    def __init__(self, make_app: Callable[[], Any], clock, seed: int):
        self.make_app = make_app
        self.clock = clock
        self.seed = seed
        self.rng = random.Random(seed)
        self.figures = Figures()
        self.log: list[str] = []
        self.app = make_app()
        self.clients: dict[str, Any] = {}
        self.migrated_to: str | None = None
        with self.db.reader() as s:
            users = list(s.scalars(select(User).where(User.active.is_(True))))
        self.users = {u.username: u.actor() for u in users}
        self.agencies = sorted({u.org for u in users if "official" in u.roles})

    # -- plumbing -----------------------------------------------------------------------------
    @property
    def svc(self):
        return self.app.extensions["chidao"]

    @property
    def db(self):
        return self.svc.db

    def web(self, username: str):
        """A browser signed in as ``username`` (cookies survive a restart, as a browser's do)."""
        if username not in self.clients:
            client = self.app.test_client()
            answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
            self._expect(answer, (302,), f"login {username}")
            self.clients[username] = client
        return self.clients[username]

    def request(self, username: str, method: str, url: str, **kwargs):
        """A web request as ``username``; never a server error."""
        answer = getattr(self.web(username), method)(url, **kwargs)
        self._expect(answer, range(200, 500), f"{method.upper()} {url} as {username}")
        return answer

    def rest(self, username: str, method: str, path: str, payload: Any = None):
        """A REST call as ``username`` with basic authentication, as a Camunda client makes it."""
        token = b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
        client = self.app.test_client()
        answer = getattr(client, method)(f"/engine-rest{path}", json=payload,
                                         headers={"Authorization": f"Basic {token}"})
        self._expect(answer, range(200, 500), f"REST {method.upper()} {path} as {username}")
        return answer

    def _expect(self, answer, statuses, what: str) -> None:
        self.figures.requests += 1
        if answer.status_code not in statuses:
            raise WalkFailure(f"{what} answered {answer.status_code}: {error_text(answer)}")

    def fail(self, message: str) -> WalkFailure:
        steps = "\n  ".join(self.log[-25:])
        return WalkFailure(f"seed {self.seed}, step {self.figures.steps}: {message}\nlast steps:\n  {steps}")

    # -- the walk -----------------------------------------------------------------------------
    def run(self, steps: int) -> Figures:
        """Take ``steps`` random user actions, checking every invariant after each."""
        actions = [(10, self.work_on_a_task), (2, self.new_directive), (2, self.claim_or_release),
                   (2, self.ask_for_an_extension), (1, self.raise_a_matter_beyond_authority),
                   (2, self.let_time_pass), (1, self.end_a_recurring_report), (1, self.act_as_someone_else),
                   (1, self.complete_twice), (0.4, self.cancel_an_instance), (0.4, self.migrate_receipts),
                   (0.6, self.restart)]
        weights = [w for w, _ in actions]
        for _ in range(steps):
            self.figures.steps += 1
            done = None
            for _attempt in range(12):
                action = self.rng.choices([a for _, a in actions], weights)[0]
                try:
                    done = action()
                except WalkFailure as exc:
                    raise self.fail(str(exc)) from None
                if done:
                    break
            if done is None:
                done = self.let_time_pass()
            self.log.append(f"{self.figures.steps}. {done}")
            self.figures.actions[done.split(":")[0]] += 1
            self.check()
        with self.db.reader() as s:
            self.figures.instances = s.scalar(select(func.count()).select_from(ProcessInstance))
            self.figures.events = s.scalar(select(func.count()).select_from(HistoryEvent))
            self.figures.anchors = s.scalar(select(func.count()).select_from(HistoryAnchor))
        return self.figures

    def check(self) -> None:
        problems = check_invariants(self.svc)
        if problems:
            raise self.fail("; ".join(problems))

    # -- what users do ------------------------------------------------------------------------
    def new_directive(self) -> str | None:
        with self.db.reader() as s:
            drafts = s.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.element_id == "draft"))
        if drafts >= 3:
            return None
        specialist = self.rng.choice(["cv.lan", "cv.binh"])
        answer = self.request(specialist, "post", "/directives/new")
        self._expect(answer, (303,), "new directive")
        return f"new directive: {specialist}"

    def open_tasks(self) -> list[HumanTask]:
        with self.db.reader() as s:
            return list(s.scalars(select(HumanTask).order_by(HumanTask.created_at, HumanTask.id)))

    def candidates(self, task: HumanTask) -> list[str]:
        """The demo users who may work on ``task``."""
        engine = self.svc.engine
        if task.assignee:
            return [task.assignee] if task.assignee in self.users else []
        return sorted(u for u, actor in self.users.items()
                      if engine.is_candidate(task, actor) and not actor.read_only and u != "admin")

    def work_on_a_task(self) -> str | None:
        tasks = self.open_tasks()
        if not tasks:
            return None
        task = self.rng.choice(tasks)
        people = self.candidates(task)
        if not people:
            raise WalkFailure(f"nobody may work on «{task.name}» ({task.candidate_groups_text}, {task.assignee})")
        who = self.rng.choice(people)
        with self.db.reader() as s:
            context = self.svc.engine.task_variables(s, task.id)
        data = self.answer(task, context)
        via = "web" if self.rng.random() < 0.6 else "rest"
        refusal = self.submit(via, who, task, data)
        if refusal is not None:  # the form says why (a deadline before the signing day): send it back
            data = self.sent_back(task, refusal)
            refusal = self.submit(via, who, task, data)
            if refusal is not None:
                raise WalkFailure(f"«{task.name}» refused from {who} via {via} even when sent back: {refusal}")
            self.figures.refused["a decision the form refused, then sent back"] += 1
        self.figures.completed[task.element_id] += 1
        return f"complete: {task.element_id} by {who} via {via} {summary(data)}"

    def submit(self, via: str, who: str, task: HumanTask, data: dict[str, Any]) -> str | None:
        """Complete ``task`` on its page or through REST; the sentence of a 400 refusal (None when done)."""
        if via == "web":
            return self.complete_on_the_page(who, task, data)
        answer = self.rest(who, "post", f"/task/{task.id}/complete", {"variables": typed(data)})
        if answer.status_code == 400:
            return answer.get_json()["message"]
        self._expect(answer, (204,), f"REST complete «{task.name}»")
        return None

    def sent_back(self, task: HumanTask, refusal: str) -> dict[str, Any]:
        """The decision a reviewer or signer takes when the form refuses approval: return it, saying why."""
        field_ = {"directive_review": "review", "directive_sign": "sign"}.get(task.form_key)
        if field_ is None:
            raise WalkFailure(f"«{task.name}» was refused and cannot be sent back: {refusal}")
        return {f"{field_}_decision": "return", f"{field_}_reason": refusal[:500]}

    def complete_on_the_page(self, who: str, task: HumanTask, data: dict[str, Any]) -> str | None:
        """Open the task's page and send its form; the page's error sentence when it answers 400."""
        page = self.request(who, "get", f"/tasks/{task.id}")
        self._expect(page, (200,), f"open «{task.name}»")
        form = hidden_fields(page.get_data(as_text=True), f"/tasks/{task.id}")
        form.update(form_fields(data))
        answer = self.request(who, "post", f"/tasks/{task.id}", data=form)
        if answer.status_code == 400:
            return error_text(answer)
        if answer.status_code != 303:
            raise WalkFailure(f"the page refused «{task.name}» from {who} ({answer.status_code}): "
                              f"{error_text(answer)} — sent {form}")
        return None

    def answer(self, task: HumanTask, context: dict[str, Any]) -> dict[str, Any]:
        """What the person would fill in, decisions drawn at random."""
        rng, key = self.rng, task.form_key
        if key == "directive_draft":
            return self.draft()
        if key in ("directive_review", "directive_sign"):
            field_ = key.removeprefix("directive_")
            if rng.random() < 0.8:
                return {f"{field_}_decision": "approve"}
            return {f"{field_}_decision": "return", f"{field_}_reason": "Đề nghị chỉnh sửa căn cứ và thời hạn."}
        if key == "directive_register":
            return {"format_checked": True, "copies": rng.randint(2, 30)}
        if key == "directive_receipt":
            return {"received": True}
        if key == "directive_accept":
            return {"handler_name": rng.choice(["Nguyễn Văn An", "Lê Thị Bình", "Trần Quốc Cường"])}
        if key == "directive_contribution":
            return {"contribution": {"text": "Thống nhất nội dung, đề nghị bổ sung số liệu quý IV."}}
        if key == "directive_report":
            return {"report_text": f"Đã triển khai {rng.randint(1, 9)} nội dung theo chỉ đạo."}
        if key == "directive_report_review":
            if rng.random() < 0.7:
                return {"report_decision": "accept"}
            return {"report_decision": "return", "report_review_reason": "Báo cáo thiếu số liệu cụ thể."}
        if key == "directive_chase":
            return {"chase_text": "Đề nghị khẩn trương hoàn thành, báo cáo trong tuần."}
        if key == "directive_chase_ack":
            return {"chase_acknowledged": True, "chase_response": "Sẽ hoàn thành trước cuối tháng."}
        if key == "directive_extension_review":
            if rng.random() < 0.6:
                return {"extension_decision": "approve", "extension_decision_reason": "Đồng ý."}
            return {"extension_decision": "reject", "extension_decision_reason": "Giữ nguyên thời hạn."}
        if key == "directive_authority_decision":
            return {"authority_decision": "Giao Sở Tài chính chủ trì tham mưu, báo cáo UBND tỉnh."}
        if key == "directive_decision_ack":
            return {"decision_acknowledged": True}
        raise WalkFailure(f"the walk does not know the form «{key}» of «{task.name}»")

    def draft(self) -> dict[str, Any]:
        rng = self.rng
        authority = rng.choice(sorted(SIGNERS))
        tasks = []
        for number in range(1, rng.randint(1, 3) + 1):
            lead = rng.choice(self.agencies)
            others = [a for a in self.agencies if a != lead]
            recurring = rng.random() < 0.2
            deadline = None if recurring or rng.random() < 0.15 else \
                (self.clock.now().date() + timedelta(days=rng.randint(3, 40))).isoformat()
            tasks.append({"ref": str(number), "summary": f"Nhiệm vụ số {number} về cải cách hành chính",
                          "lead": [lead], "coordinate": rng.sample(others, rng.choice([0, 0, 1])),
                          "deadline": deadline, "deadline_phrase": WEEKLY if recurring else None})
        recipients = sorted({t["lead"][0] for t in tasks} | set(rng.sample(self.agencies, 1)))
        return {"kind": rng.choice(["cong_van", "thong_bao_ket_luan"]), "field_code": "KT",
                "subject": f"V/v chỉ đạo số {self.figures.steps}", "recipients": recipients,
                "body": "Để thực hiện tốt nhiệm vụ, Chủ tịch UBND tỉnh chỉ đạo:",
                "signing_authority": authority, "signer": SIGNERS[authority], "tasks": tasks}

    def claim_or_release(self) -> str | None:
        tasks = [t for t in self.open_tasks() if t.candidate_groups]
        if not tasks:
            return None
        task = self.rng.choice(tasks)
        via_rest = self.rng.random() < 0.4
        if task.assignee is None:
            who = self.rng.choice(self.candidates(task))
            if via_rest:
                self._expect(self.rest(who, "post", f"/task/{task.id}/claim", {"userId": who}), (204,), "claim")
            else:
                self._expect(self.request(who, "post", f"/tasks/{task.id}/claim"), (303,), "claim")
            return f"claim: {task.element_id} by {who}"
        who = task.assignee
        if via_rest:
            answer = self.rest(who, "post", f"/task/{task.id}/unclaim")
        else:
            answer = self.request(who, "post", f"/tasks/{task.id}/unclaim")
        if task.assigned_by_process:
            self._expect(answer, (403,), f"release of «{task.name}» the process gave {who}")
            self.figures.refused["release of a task the process assigned"] += 1
            return f"refused release: {task.element_id} by {who}"
        self._expect(answer, (204,) if via_rest else (303,), "release")
        return f"release: {task.element_id} by {who}"

    def running_assignments(self) -> list[Assignment]:
        with self.db.reader() as s:
            return list(s.scalars(select(Assignment).join(ProcessInstance, ProcessInstance.id == Assignment.id)
                                  .where(ProcessInstance.status == "running").order_by(Assignment.id)))

    def ask_for_an_extension(self) -> str | None:
        def form(assignment: Assignment) -> dict[str, str]:
            base = assignment.due_at.date() if assignment.due_at else self.clock.now().date()
            return {"extension_new_deadline": (base + timedelta(days=self.rng.randint(5, 30))).isoformat(),
                    "extension_reason": "Chờ ý kiến thẩm định của các bộ, ngành trung ương."}
        return self.send_request("extension", form)

    def raise_a_matter_beyond_authority(self) -> str | None:
        return self.send_request("authority", lambda _: {
            "authority_matter": "Vướng quy định về thẩm quyền phê duyệt giá đất."})

    def send_request(self, kind: str, form: Callable[[Assignment], dict[str, str]]) -> str | None:
        """The lead agency sends a request about one of its running tasks from the task's page."""
        assignments = self.running_assignments()
        if not assignments:
            return None
        assignment = self.rng.choice(assignments)
        data = form(assignment)
        answer = self.request(f"{assignment.lead.lower()}.cv", "post", f"/assignments/{assignment.id}/{kind}",
                              data={**data, "back": "/"})
        self._expect(answer, (303,), f"{kind} request")
        return f"{kind}: {assignment.ref} of {assignment.lead} {data.get('extension_new_deadline', '')}".rstrip()

    def let_time_pass(self) -> str:
        """`chidao worker --once --now` some days later: reminders, overdue notices, chases."""
        moment = self.clock.now() + timedelta(days=self.rng.randint(1, 6), hours=self.rng.randint(0, 12))
        result = self.app.test_cli_runner().invoke(args=["worker", "--once", "--now", moment.isoformat()])
        if result.exit_code != 0 or "việc đến hạn lúc" not in result.output:
            raise WalkFailure(f"chidao worker --once --now {moment.isoformat()}: {result.output}{result.exception!r}")
        return f"time: {result.output.strip()}"

    def end_a_recurring_report(self) -> str | None:
        recurring = [a for a in self.running_assignments() if a.recurrence]
        if not recurring:
            return None
        assignment = self.rng.choice(recurring)
        page = self.request("cv.lan", "get", f"/directives/{assignment.directive_id}")
        self._expect(page, (200,), "the directive page")
        offered = f'action="/assignments/{assignment.id}/close"' in page.get_data(as_text=True)
        if not offered and self.rng.random() < 0.7:
            return None
        answer = self.request("cv.lan", "post", f"/assignments/{assignment.id}/close")  # or from a page left open
        self._expect(answer, (303,), "end of a recurring report")
        if not offered:
            self.figures.refused["ending a report not offered"] += 1
            return f"refused close recurring: {assignment.ref} of {assignment.lead}"
        return f"close recurring: {assignment.ref} of {assignment.lead}"

    def act_as_someone_else(self) -> str | None:
        """An official opens or completes a task that is not theirs: refused, nothing changes."""
        tasks = self.open_tasks()
        if not tasks:
            return None
        task = self.rng.choice(tasks)
        allowed = set(self.candidates(task))
        outsiders = sorted(u for u, a in self.users.items() if u not in allowed and not a.read_only
                           and "admin" not in a.roles and not self.svc.engine.is_candidate(task, a))
        who = self.rng.choice(outsiders)
        before = self.history_length()
        with self.db.reader() as s:
            data = self.answer(task, self.svc.engine.task_variables(s, task.id))
        if self.rng.random() < 0.5:
            answer = self.request(who, "post", f"/tasks/{task.id}", data=form_fields(data))
            refused = answer.status_code in (403, 404) or (answer.status_code == 303 and task.assignee)
        else:
            answer = self.rest(who, "post", f"/task/{task.id}/complete", {"variables": typed(data)})
            refused = answer.status_code in (403, 404)
        if not refused or self.history_length() != before:
            raise WalkFailure(f"{who} completed «{task.name}» of {task.candidate_groups_text} "
                              f"({answer.status_code})")
        self.figures.refused["a task of someone else"] += 1
        return f"refused outsider: {task.element_id} by {who}"

    def complete_twice(self) -> str | None:
        """The same form sent again (a double click, a second tab): the second is refused."""
        tasks = [t for t in self.open_tasks() if t.form_key not in ("directive_draft",)]
        if not tasks:
            return None
        task = self.rng.choice(tasks)
        who = self.rng.choice(self.candidates(task))
        with self.db.reader() as s:
            data = self.answer(task, self.svc.engine.task_variables(s, task.id))
        if self.complete_on_the_page(who, task, data) is not None:
            return None
        again = self.rest(who, "post", f"/task/{task.id}/complete", {"variables": typed(data)})
        self._expect(again, (404, 409), f"a second completion of «{task.name}»")
        self.figures.refused["a second completion"] += 1
        return f"complete twice: {task.element_id} by {who}"

    def cancel_an_instance(self) -> str | None:
        with self.db.reader() as s:
            running = list(s.scalars(select(ProcessInstance.id).where(
                ProcessInstance.status == "running", ProcessInstance.definition_key == "directive",
                ProcessInstance.parent_instance_id.is_(None)).order_by(ProcessInstance.id)))
        if len(running) < 3:
            return None
        instance_id = self.rng.choice(running)
        self._expect(self.rest("admin", "delete", f"/process-instance/{instance_id}"), (204,), "cancel")
        return f"cancel: {instance_id}"

    def migrate_receipts(self) -> str | None:
        """The admin deploys a receipt process with a filing step and moves the waiting receipts to it."""
        with self.db.reader() as s:
            waiting = list(s.scalars(select(ProcessInstance.id).where(
                ProcessInstance.status == "running", ProcessInstance.definition_key == "directive_receipt")
                .order_by(ProcessInstance.id)))
            source = {s.get(ProcessInstance, i).definition_id for i in waiting}
        if not waiting or self.migrated_to in source:
            return None
        if self.migrated_to is None:
            from .test_catalogue import receipt_with_filing

            answer = self.request("admin", "post", "/admin/processes/upload", data={
                "file": (_bytes_io(receipt_with_filing()), "directive_receipt.bpmn")},
                content_type="multipart/form-data")
            self._expect(answer, (303,), "deployment of the receipt v2")
            with self.db.reader() as s:
                self.migrated_to = s.scalars(select(ProcessDefinition.id).where(
                    ProcessDefinition.key == "directive_receipt").order_by(ProcessDefinition.version.desc())).first()
        chosen = self.rng.sample(waiting, max(1, len(waiting) // 2))
        with self.db.reader() as s:
            definition = s.get(ProcessInstance, chosen[0]).definition_id
            chosen = [i for i in chosen if s.get(ProcessInstance, i).definition_id == definition]
        answer = self.request("admin", "post", f"/admin/processes/{definition}/migrate",
                              data={"instance": chosen, "target": self.migrated_to})
        self._expect(answer, (303,), "migration")
        return f"migrate: {len(chosen)} receipts"

    def restart(self) -> str:
        """The server stops and starts again over the same database."""
        self.db.dispose()
        self.app = self.make_app()
        browsers, self.clients = self.clients, {}
        name = self.app.config["SESSION_COOKIE_NAME"]
        for username, old in browsers.items():  # the browsers keep their session cookies
            cookie = old.get_cookie(name)
            if cookie is not None:
                self.clients[username] = self.app.test_client()
                self.clients[username].set_cookie(name, cookie.value)
        self.figures.restarts += 1
        return "restart"

    def history_length(self) -> int:
        with self.db.reader() as s:
            return s.scalar(select(func.count()).select_from(HistoryEvent))


# -- forms as a browser and a Camunda client send them -------------------------------------------
def form_fields(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """JSON form data as the page's inputs name it: tables as ``tasks.0.ref``, objects as ``a.b``."""
    fields: dict[str, Any] = {}
    for name, value in data.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            fields.update(form_fields(value, f"{path}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, row in enumerate(value):
                fields.update(form_fields(row, f"{path}.{index}."))
        elif isinstance(value, bool):
            if value:
                fields[path] = "on"
        elif value is None:
            fields[path] = ""
        else:
            fields[path] = value if isinstance(value, list) else str(value)
    return fields


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden and read-only inputs of the task's form, sent back as the browser would."""
    root = html.fromstring(page)
    found: dict[str, str] = {}
    for form in root.xpath(f"//form[@action='{action}']"):
        for node in form.xpath(".//input[@name]"):
            if node.get("type") == "hidden" or node.get("readonly") is not None:
                found[node.get("name")] = node.get("value") or ""
    return found


def typed(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Variables as a Camunda client sends them."""
    def one(value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"value": value, "type": "Boolean"}
        if isinstance(value, int):
            return {"value": value, "type": "Integer"}
        if isinstance(value, str):
            return {"value": value, "type": "String"}
        return {"value": json.dumps(value, ensure_ascii=False), "type": "Json"}
    return {name: one(value) for name, value in data.items()}


def summary(data: dict[str, Any]) -> str:
    decisions = {k: v for k, v in data.items() if k.endswith("_decision") and isinstance(v, str) and len(v) < 10}
    return str(decisions) if decisions else ""


def error_text(answer) -> str:
    """What the answer says went wrong: the page's error sentences, or the body of a JSON or text answer."""
    body = answer.get_data(as_text=True)
    if not answer.mimetype == "text/html":
        return body[:600]
    root = html.fromstring(body)
    said = [t.strip() for t in root.xpath("//*[contains(@class,'error')]//text() | //main//h1//text()"
                                          " | //main//p//text()") if t.strip()]
    return " | ".join(said)[:600] or body[:600]


def _bytes_io(content: bytes):
    from io import BytesIO

    return BytesIO(content)
