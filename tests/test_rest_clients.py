"""Real Camunda clients from PyPI talk to the engine unchanged (pycamunda over a live server)."""
from __future__ import annotations

from pathlib import Path

import pycamunda.deployment
import pycamunda.processdef
import pycamunda.task
from camunda.external_task.external_task_worker import ExternalTaskWorker
from requests.auth import HTTPBasicAuth
from sqlalchemy import select

from engine.models import ProcessInstance

from workflows.demo import DEMO_PASSWORD

from .conftest import Lifecycle, draft_data
from .test_rest import basic
from .test_rest_external import deployed_and_started

DIRECTIVE = Path(__file__).parents[1] / "bpmn" / "directive.bpmn"


def as_user(request, username: str):
    request.auth = HTTPBasicAuth(username, DEMO_PASSWORD)
    return request()


def test_pycamunda_deploys_starts_queries_by_candidate_group_claims_and_completes(live_app, live_server):
    url = f"{live_server}/engine-rest"
    create = pycamunda.deployment.Create(url=url, name="Triển khai từ pycamunda")
    with DIRECTIVE.open("rb") as bpmn:
        create.add_resource(bpmn)
        deployed = as_user(create, "admin")
    (definition,) = deployed.deployed_process_definitions.values()
    assert (definition.key, definition.version) == ("directive", 2)

    start = pycamunda.processdef.StartInstance(url=url, key="directive", business_key="VB-PYCAMUNDA")
    start.add_variable("subject", "V/v thử nghiệm từ pycamunda", type_="String")
    instance = as_user(start, "cv.lan")
    assert instance.definition_id == definition.id_ and instance.business_key == "VB-PYCAMUNDA"

    query = pycamunda.task.GetList(url=url, candidate_group="VPUBND:specialist", process_instance_id=instance.id_)
    (task,) = as_user(query, "cv.lan")
    assert (task.task_definition_key, task.name) == ("draft", "Soạn dự thảo")

    as_user(pycamunda.task.Claim(url=url, id_=task.id_, user_id="cv.lan"), "cv.lan")
    assert as_user(pycamunda.task.Get(url=url, id_=task.id_), "cv.lan").assignee == "cv.lan"
    complete = pycamunda.task.Complete(url=url, id_=task.id_)
    for name, value in draft_data().items():
        complete.add_variable(name, value)
    as_user(complete, "cv.lan")

    review = as_user(pycamunda.task.GetList(url=url, process_instance_id=instance.id_), "cvp")
    assert [t.task_definition_key for t in review] == ["review"]
    lifecycle = Lifecycle(live_app.extensions["chidao"])
    assert [t.element_id for t in lifecycle.human_tasks(instance.id_)] == ["review"]


def exchange_worker(live_server, worker_id: str) -> ExternalTaskWorker:
    return ExternalTaskWorker(worker_id=worker_id, base_url=f"{live_server}/engine-rest", config={
        "auth_basic": {"username": "admin", "password": DEMO_PASSWORD}, "maxTasks": 1, "lockDuration": 60_000,
        "asyncResponseTimeout": 1_000, "retries": 2, "retryTimeout": 0, "sleepSeconds": 0})


def test_the_camunda_external_task_client_completes_a_task_and_its_failures_end_in_an_incident(live_app, live_server):
    client = live_app.test_client()
    first, second = deployed_and_started(client), deployed_and_started(client)
    seen = []

    def send(task):
        seen.append((task.get_activity_id(), task.get_variable("so_ky_hieu")))
        return task.complete({"ma_goi_tin": "EDXML-0001"})

    exchange_worker(live_server, "lien-thong").fetch_and_execute("edxml", send)
    assert seen == [("send", "07/UBND-KT")]
    with live_app.extensions["chidao"].db.reader() as s:
        statuses = {i.id: i.status for i in s.scalars(select(ProcessInstance))}
    (left,) = [i for i in (first, second) if statuses[i] == "running"]  # the worker took one of the two

    def broken(task):
        return task.failure("Trục liên thông không trả lời", "HTTP 503", max_retries=2, retry_timeout=0)

    worker = exchange_worker(live_server, "lien-thong")
    for _ in range(3):  # 2 retries, then none left
        worker.fetch_and_execute("edxml", broken)
    incidents = client.get("/engine-rest/incident", headers=basic("admin")).get_json()
    assert [(i["incidentType"], i["processInstanceId"]) for i in incidents] == [("failedExternalTask", left)]
