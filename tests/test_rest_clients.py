"""Real Camunda clients from PyPI talk to the engine unchanged, over a live server: pycamunda, and the
external-task client as the worker that hands a directive to the document-exchange axis."""
from __future__ import annotations

import json
from pathlib import Path

import pycamunda.deployment
import pycamunda.processdef
import pycamunda.task
from camunda.external_task.external_task_worker import ExternalTaskWorker
from requests.auth import HTTPBasicAuth

from workflows.demo import DEMO_PASSWORD
from workflows.edxml import package

from .conftest import Lifecycle, draft_data
from .test_rest import basic

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

    # The draft is assigned to its initiator: a candidate query finds it only with includeAssignedTasks, as in Camunda.
    query = pycamunda.task.GetList(url=url, candidate_group="VPUBND:specialist", process_instance_id=instance.id_,
                                   include_assigned_tasks=True)
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


def test_the_external_task_client_hands_a_directive_to_the_axis_and_failures_end_in_an_incident(
        live_app, live_server):
    lifecycle = Lifecycle(live_app.extensions["chidao"])
    first = lifecycle.distributed(draft_data(send_edxml=True))
    second = lifecycle.distributed(draft_data(send_edxml=True, subject="V/v thứ hai"))
    sent = []

    def send(task):
        variables = {name: task.get_variable(name) for name in ("number_text", "subject", "kind")}
        variables["exchange"] = json.loads(task.get_variable("exchange"))  # a Json variable arrives as text
        content, result = package(variables, document_id=task.get_process_instance_id())
        sent.append((task.get_activity_id(), task.get_process_instance_id(), content))
        return task.complete(result)

    exchange_worker(live_server, "lien-thong").fetch_and_execute("edxml", send)
    ((activity, done, content),) = sent
    assert activity == "exchange" and done in (first, second) and b"<edXML:Subject>" in content
    left = second if done == first else first

    def broken(task):
        return task.failure("Trục liên thông không trả lời", "HTTP 503", max_retries=2, retry_timeout=0)

    worker = exchange_worker(live_server, "lien-thong")
    for _ in range(3):  # 2 retries, then none left
        worker.fetch_and_execute("edxml", broken)
    incidents = live_app.test_client().get("/engine-rest/incident", headers=basic("admin")).get_json()
    assert [(i["incidentType"], i["processInstanceId"], i["activityId"]) for i in incidents] == [
        ("failedExternalTask", left, "exchange")]
