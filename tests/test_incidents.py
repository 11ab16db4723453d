"""Every incident, whatever made it, is on the admin's page, in the REST API and marked on the directive's diagram."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from engine.jobs import INCIDENT, Job
from workflows.models import Assignment

from .conftest import draft_data, login
from .test_rest import basic

ADMIN = basic("admin")


def failed_exchange(client, lifecycle) -> tuple[str, str]:
    """A directive whose hand-over to the exchange axis failed down to no retries: (directive id, task id)."""
    directive = lifecycle.distributed(draft_data(send_edxml=True))
    (task,) = client.post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json={
        "workerId": "lien-thong-1", "maxTasks": 1,
        "topics": [{"topicName": "edxml", "lockDuration": 60_000}]}).get_json()
    failed = client.post(f"/engine-rest/external-task/{task['id']}/failure", headers=ADMIN, json={
        "workerId": "lien-thong-1", "errorMessage": "Trục liên thông không trả lời", "retries": 0})
    assert failed.status_code == 204
    return directive, task["id"]


def diagram_incidents(page: str) -> list[str]:
    return json.loads(re.search(r"data-incidents='([^']*)'", page).group(1))


def test_an_external_task_failed_to_no_retries_is_on_the_incidents_page_and_the_diagram(client, lifecycle):
    directive, task_id = failed_exchange(client, lifecycle)
    rest = client.get("/engine-rest/incident", headers=ADMIN).get_json()
    assert [(i["id"], i["incidentType"], i["activityId"]) for i in rest] == [(task_id, "failedExternalTask",
                                                                                "exchange")]
    login(client, "admin")
    page = client.get("/admin/incidents").get_data(as_text=True)
    assert "Không có sự cố nào" not in page
    assert "Trục liên thông không trả lời" in page and "Hệ thống bên ngoài báo lỗi, hết lượt thử" in page
    shown = client.get(f"/directives/{directive}").get_data(as_text=True)
    assert diagram_incidents(shown) == ["exchange"] and 'id="incidents"' in shown
    client.post(f"/admin/incidents/{task_id}/retry_external")
    assert client.get("/engine-rest/incident", headers=ADMIN).get_json() == []
    assert diagram_incidents(client.get(f"/directives/{directive}").get_data(as_text=True)) == []


def test_a_failed_timer_in_a_task_marks_the_call_activity_that_waits_for_it(client, lifecycle, svc):
    directive = lifecycle.distributed(draft_data())
    lifecycle.complete("sct.cv", "accept", {"handler_name": "Nguyễn Văn A"})
    with svc.db.transaction() as s:
        task_instance = s.scalars(select(Assignment.id).where(Assignment.lead == "SCT")).one()
        job = s.scalars(select(Job).where(Job.instance_id == task_instance)).first()
        job.status, job.attempts, job.last_error = INCIDENT, job.max_attempts, "Máy chủ thư không trả lời"
    login(client, "cv.lan")
    shown = client.get(f"/directives/{directive}").get_data(as_text=True)
    assert diagram_incidents(shown) == ["carry_out"] and "Máy chủ thư không trả lời" in shown
    agency = login(client.application.test_client(), "sct.cv").get(f"/directives/{directive}").get_data(as_text=True)
    assert diagram_incidents(agency) == ["carry_out"] and "Máy chủ thư không trả lời" not in agency
