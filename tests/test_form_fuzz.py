"""Every web form and REST body, fed hostile values one field at a time: NUL and other control
characters, lone surrogates, huge, negative and fractional numbers, impossible dates, very long text,
wrong JSON types. No answer is a 500, and a refused request leaves every table as it was."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from engine.db import Base
from engine.models import HistoryEvent
from web.login_throttle import LoginFailure
from workflows.demo import DEMO_PASSWORD

from .conftest import draft_data, login
from .test_input_edge import basic

HOSTILE_TEXT = [
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\x0b", "\x7f", "\x85", "\u202eđảo", "\ufeff", "😀" * 50,
    "x" * 600, "đ" * 30_000, "9" * 40, "-1", "0", "-99999999999999999999", "1e309", "NaN", "3.5",
    "2027-02-31", "2027-13-01", "0000-01-01", "9999-12-31", "31/02/2027", "31 tháng 2 năm 2027",
    "trước ngày 30/02/2027", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "%", "_", "\\",
    "../../etc/passwd", "' OR 1=1 --", "{{7*7}}", "${7*7}", "null", "[]", "{}",
]
HOSTILE_JSON = HOSTILE_TEXT + [None, True, -1, 0, 10 ** 30, -10 ** 30, 3.5, 1e308, [], {}, ["SCT"] * 500,
                               {"value": "x", "type": "Object"}, {"$ref": "#"}]


@dataclass
class Target:
    """One request that works as written (its baseline), whose fields the test spoils one at a time."""

    user: str
    method: str
    path: str
    baseline: dict[str, Any]
    as_json: bool = False


def _draft(lifecycle, client) -> Target:
    task = lifecycle.task("cv.lan", "draft", lifecycle.start())
    form = {"kind": "cong_van", "field_code": "KT", "subject": "V/v kiểm tra tiến độ", "body": "Nội dung",
            "recipients": "SCT", "signing_authority": "TL_CT", "signer": "cvp", "send_edxml": "on",
            "tasks.0.ref": "1", "tasks.0.summary": "Kiểm tra tiến độ", "tasks.0.lead": "SCT",
            "tasks.0.coordinate": "BQLKKT", "tasks.0.deadline": "2027-01-15"}
    return Target("cv.lan", "post", f"/tasks/{task.id}", form)


def _report(lifecycle, client) -> Target:
    lifecycle.distributed()
    lifecycle.complete("bqlkkt.cv", "accept", {"handler_name": "Trần Thị B"})
    task = lifecycle.task("bqlkkt.cv", "report")
    return Target("bqlkkt.cv", "post", f"/tasks/{task.id}", {
        "lead": "BQLKKT", "lead_name": "Ban Quản lý Khu kinh tế", "report_text": "Đã ban hành hướng dẫn."})


def _extension(lifecycle, client) -> Target:
    lifecycle.distributed(draft_data(tasks=[{"ref": "1", "summary": "Xây dựng chính sách", "lead": ["SCT"],
                                             "coordinate": [], "deadline": "2027-06-30"}]))
    task = lifecycle.task("sct.cv", "accept")
    return Target("sct.cv", "post", f"/assignments/{task.instance_id}/extension", {
        "extension_new_deadline": "2027-07-30", "extension_reason": "Chờ số liệu.", "back": "/directives"})


def _calendar(lifecycle, client) -> Target:
    return Target("admin", "post", "/admin/calendar", {"day": "2027-02-10", "working": "0", "note": "Nghỉ bù"})


def _form_version(lifecycle, client) -> Target:
    schema = {"title": "Báo cáo", "type": "object", "properties": {"text": {"type": "string", "title": "Nội dung"}}}
    return Target("admin", "post", "/admin/forms/fuzz_form", {"schema": json.dumps(schema), "note": "thử"})


def _password(lifecycle, client) -> Target:
    with lifecycle.svc.db.transaction() as s:
        s.execute(delete(LoginFailure))  # each try starts unlocked, whatever the last one typed as the password
    return Target("vanthu", "post", "/account/password", {  # the two new ones differ: the password never changes
        "current": DEMO_PASSWORD, "new": "Mật khẩu mới 2027", "confirm": "Mật khẩu mới 2028"})


def _rest_start(lifecycle, client) -> Target:
    return Target("cv.lan", "post", "/engine-rest/process-definition/key/directive/start", {
        "businessKey": "VB-FUZZ", "variables": {"subject": {"value": "V/v thử nghiệm", "type": "String"},
                                                "send_edxml": {"value": False, "type": "Boolean"}}}, True)


def _rest_complete(lifecycle, client) -> Target:
    task = lifecycle.task("cv.lan", "draft", lifecycle.start())
    variables = {name: {"value": json.dumps(value) if isinstance(value, list) else value,
                        "type": "Json" if isinstance(value, list) else "String"}
                 for name, value in draft_data().items() if value is not None}
    return Target("cv.lan", "post", f"/engine-rest/task/{task.id}/complete", {"variables": variables}, True)


def _rest_message(lifecycle, client) -> Target:
    lifecycle.distributed()
    task = lifecycle.task("sct.cv", "accept")
    return Target("cv.lan", "post", "/engine-rest/message", {
        "messageName": "Xin gia hạn", "processInstanceId": task.instance_id, "resultEnabled": True,
        "processVariables": {"extension_new_deadline": {"value": "2027-12-31", "type": "String"},
                             "extension_reason": {"value": "Chờ số liệu.", "type": "String"}}}, True)


def _rest_task_query(lifecycle, client) -> Target:
    lifecycle.start()
    return Target("admin", "post", "/engine-rest/task", {
        "nameLike": "%thảo%", "dueAfter": "2026-01-01T00:00:00.000+0700", "sorting": [
            {"sortBy": "created", "sortOrder": "desc"}], "processVariables": [
            {"name": "subject", "operator": "like", "value": "%"}]}, True)


def _rest_variables(lifecycle, client) -> Target:
    directive = lifecycle.start()
    return Target("admin", "post", f"/engine-rest/process-instance/{directive}/variables", {
        "modifications": {"subject": {"value": "V/v sửa", "type": "String"}}}, True)


def _rest_fetch_and_lock(lifecycle, client) -> Target:
    return Target("admin", "post", "/engine-rest/external-task/fetchAndLock", {
        "workerId": "w1", "maxTasks": 2, "topics": [{"topicName": "edxml", "lockDuration": 1000}]}, True)


TARGETS: dict[str, Callable] = {
    "draft": _draft, "report": _report, "extension": _extension, "calendar": _calendar,
    "form version": _form_version, "password": _password, "REST start": _rest_start,
    "REST complete": _rest_complete, "REST message": _rest_message, "REST task query": _rest_task_query,
    "REST variables": _rest_variables, "REST fetchAndLock": _rest_fetch_and_lock,
}


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON body a value can be put: each key and list item, at every depth."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, prefix + (index,))
    return found


def spoiled(body: Any, path: tuple, value: Any) -> Any:
    """A copy of ``body`` with ``value`` at ``path``."""
    body = json.loads(json.dumps(body))
    node = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return body


def table_counts(svc) -> dict[str, int]:
    """How many rows each table holds, and the newest history event: what a refused request must not move."""
    with svc.db.reader() as s:
        counts = {table.name: s.scalar(select(func.count()).select_from(table))
                  for table in Base.metadata.sorted_tables if table.name not in ("login_failure", "user_session")}
        counts["newest event"] = s.scalar(select(func.max(HistoryEvent.id))) or 0
    return counts


def send(client, target: Target, body: Any, raw: str | None = None):
    if target.as_json:
        headers = {**basic(target.user), "Content-Type": "application/json"}
        return client.open(target.path, method=target.method.upper(), headers=headers,
                           data=raw if raw is not None else json.dumps(body))
    return client.open(target.path, method=target.method.upper(), data=body)


@pytest.mark.parametrize("name", TARGETS)
def test_no_hostile_field_answers_500_and_a_refusal_changes_nothing(client, lifecycle, svc, name):
    ready: list[Target] = []  # the target stays while requests are refused; one that went through is set up again

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(data=st.data())
    def attempt(data):
        if not ready:
            ready.append(TARGETS[name](lifecycle, client))
            if not ready[0].as_json:
                login(client, ready[0].user)
        target = ready[0]
        fields = paths(target.baseline) if target.as_json else list(target.baseline)
        field = data.draw(st.sampled_from(fields), label="field")
        if target.as_json:
            value = data.draw(st.sampled_from(HOSTILE_JSON) | st.text(max_size=40), label="value")
            body = spoiled(target.baseline, field, value)
        else:
            value = data.draw(st.sampled_from(HOSTILE_TEXT) | st.text(max_size=40), label="value")
            body = {**target.baseline, field: value}
        before = table_counts(svc)
        response = send(client, target, body)
        assert response.status_code < 500, (field, value, response.get_data(as_text=True)[:2000])
        if 400 <= response.status_code < 500:
            assert table_counts(svc) == before, (field, value)
        else:
            ready.clear()

    attempt()


@pytest.mark.parametrize("raw", ['{"variables": NaN}', '{"variables": {"subject": {"value": Infinity}}}',
                                 '{"variables": {"subject": {"value": "\\ud800"}}}', '[1, 2', '"text"', "[]",
                                 '{"variables": ' * 2000 + "{}" + "}" * 2000,
                                 '{"variables": ' * 40 + "{}" + "}" * 40])
def test_a_malformed_json_body_is_a_400(client, svc, raw):
    before = table_counts(svc)
    response = send(client, _rest_start(None, client), None, raw)
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert table_counts(svc) == before
    assert re.search(r"\w", response.get_json()["message"])
