"""Real Camunda clients from PyPI talk to the engine unchanged (pycamunda over a live server)."""
from __future__ import annotations

from pathlib import Path

import pycamunda.deployment
import pycamunda.processdef
import pycamunda.task
from requests.auth import HTTPBasicAuth

from workflows.demo import DEMO_PASSWORD

from .conftest import Lifecycle, draft_data

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
