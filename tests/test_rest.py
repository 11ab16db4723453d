"""The Camunda 7 REST API over HTTP: shapes, typed variables, authorization and Camunda's error bodies."""
from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import ProcessInstance
from engine.replay import replay_instance
from workflows.demo import DEMO_PASSWORD

from .conftest import draft_data

DIRECTIVE = (Path(__file__).parents[1] / "bpmn" / "directive.bpmn").read_bytes()


def basic(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_every_endpoint_asks_for_basic_authentication(client):
    response = client.get("/engine-rest/task")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.get_json()["type"] == "AuthenticationException"
    assert client.get("/engine-rest/task", headers=basic("cv.lan", "sai-mat-khau")).status_code == 401


def test_a_process_starts_by_key_with_typed_variables_and_answers_them(client, svc):
    response = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"), json={
        "businessKey": "VB-REST-1", "withVariablesInReturn": True,
        "variables": {"subject": {"value": "V/v thử nghiệm", "type": "String"},
                      "send_edxml": {"value": True, "type": "Boolean"},
                      "recipients": {"value": '["SCT", "SXD"]', "type": "Json"}}})
    assert response.status_code == 200, response.get_json()
    started = response.get_json()
    assert started["businessKey"] == "VB-REST-1" and started["ended"] is False
    assert started["variables"]["subject"] == {"value": "V/v thử nghiệm", "type": "String", "valueInfo": {}}
    assert started["variables"]["send_edxml"]["type"] == "Boolean"
    fetched = client.get(f"/engine-rest/process-instance/{started['id']}", headers=basic("cv.lan")).get_json()
    assert fetched["definitionId"] == started["definitionId"]
    assert client.get(f"/engine-rest/process-instance/{started['id']}/variables/recipients",
                      headers=basic("cv.lan")).get_json()["value"] == '["SCT", "SXD"]'


def test_a_start_cannot_name_someone_else_as_its_initiator(client, svc):
    with svc.db.reader() as s:
        before = s.scalar(select(func.count()).select_from(ProcessInstance))
    forged = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"), json={
        "variables": {"initiator": {"value": "sct.cv", "type": "String"}}})
    assert forged.status_code == 400 and forged.get_json()["type"] == "InvalidRequestException"
    assert "«initiator»" in forged.get_json()["message"] and "(cv.lan)" in forged.get_json()["message"]
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == before  # nothing was started
    started = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"),
                          json={"variables": {"subject": {"value": "V/v thử", "type": "String"}}}).get_json()
    drafts = client.get(f"/engine-rest/task?processInstanceId={started['id']}", headers=basic("cv.lan")).get_json()
    assert [(t["taskDefinitionKey"], t["assignee"]) for t in drafts] == [("draft", "cv.lan")]


@pytest.mark.parametrize("variables, field", [
    ({"tracker": {"value": "sct.cv", "type": "String"}}, "tracker"),  # who follows the directive up
    ({"number_text": {"value": "01/UBND-KT", "type": "String"}}, "number_text"),  # a number before registration
    ({"approved": {"value": True, "type": "Boolean"}}, "approved"),  # a review decision nobody made
    ({"send_edxml": {"value": "có", "type": "String"}}, "send_edxml"),  # a form field of the wrong type
    ({"kind": {"value": "sac_lenh", "type": "String"}}, "kind"),  # a value the form does not offer
    ({"subject": {"value": "x" * 501, "type": "String"}}, "subject"),  # longer than the form allows
])
def test_a_start_carries_only_valid_fields_of_the_start_form(client, svc, variables, field):
    with svc.db.reader() as s:
        before = s.scalar(select(func.count()).select_from(ProcessInstance))
    refused = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"),
                          json={"variables": variables})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["type"] == "InvalidRequestException"
    assert field in refused.get_json()["errors"] and "directive_draft" in refused.get_json()["message"]
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == before  # nothing was started


def test_a_start_fills_the_draft_in_ahead_and_the_draft_still_asks_for_the_rest(client, svc):
    started = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"), json={
        "variables": {"subject": {"value": "V/v kiểm tra đê điều", "type": "String"}}}).get_json()
    draft = client.get(f"/engine-rest/task?processInstanceId={started['id']}", headers=basic("cv.lan")).get_json()[0]
    variables = client.get(f"/engine-rest/task/{draft['id']}/form-variables", headers=basic("cv.lan")).get_json()
    assert variables["subject"]["value"] == "V/v kiểm tra đê điều" and variables["send_edxml"]["value"] is False
    unfinished = client.post(f"/engine-rest/task/{draft['id']}/complete", headers=basic("cv.lan"), json={
        "variables": {"subject": {"value": "V/v kiểm tra đê điều", "type": "String"}}})
    assert unfinished.status_code == 400 and "recipients" in unfinished.get_json()["errors"]


@pytest.mark.parametrize("variables, message", [
    ({"copies": {"value": "ba", "type": "Integer"}}, "Cannot convert value 'ba' of variable 'copies' to type Integer."),
    ({"copies": {"value": 3, "type": "Money"}}, "Unsupported value type 'Money' of variable 'copies'."),
    ({"meta": {"value": "{", "type": "Json"}}, "Variable 'meta' is not valid JSON"),
])
def test_wrong_variable_types_are_named_with_a_400(client, variables, message):
    response = client.post("/engine-rest/process-definition/key/directive/start", headers=basic("cv.lan"),
                           json={"variables": variables})
    assert response.status_code == 400
    assert response.get_json()["type"] == "InvalidRequestException" and message in response.get_json()["message"]


def test_malformed_json_and_unknown_ids_get_camunda_errors(client):
    response = client.post("/engine-rest/process-definition/key/directive/start", headers={
        **basic("cv.lan"), "Content-Type": "application/json"}, data="{khong-phai-json")
    assert response.status_code == 400 and response.get_json()["message"] == "The request body is not valid JSON."
    missing = client.get("/engine-rest/task/khong-co", headers=basic("cv.lan"))
    assert missing.status_code == 404 and missing.get_json() == {
        "type": "InvalidRequestException", "message": "No matching task with id khong-co"}
    unknown = client.get("/engine-rest/process-definition/key/khong-co", headers=basic("cv.lan"))
    assert unknown.status_code == 404


def test_a_task_query_filters_by_candidate_group_and_an_agency_sees_only_its_own(client, lifecycle):
    lifecycle.distributed()
    sct = client.get("/engine-rest/task?candidateGroup=SCT:official&sortBy=created&sortOrder=asc",
                     headers=basic("sct.cv")).get_json()
    assert {t["taskDefinitionKey"] for t in sct} == {"acknowledge", "accept"}
    assert all(t["created"].endswith("+0700") for t in sct)
    foreign = client.get("/engine-rest/task?candidateGroup=SCT:official", headers=basic("bqlkkt.cv")).get_json()
    assert foreign == []
    assert client.get(f"/engine-rest/task/{sct[0]['id']}", headers=basic("bqlkkt.cv")).status_code == 403
    count = client.get("/engine-rest/task/count?candidateGroup=SCT:official", headers=basic("sct.cv")).get_json()
    assert count == {"count": len(sct)}
    bad = client.get("/engine-rest/task?dueBefore=mai", headers=basic("sct.cv"))
    assert bad.status_code == 400 and "'dueBefore'" in bad.get_json()["message"]


def test_claim_complete_with_variables_and_a_second_completion_is_a_conflict(client, lifecycle):
    instance_id = lifecycle.start()
    draft = client.get(f"/engine-rest/task?processInstanceId={instance_id}", headers=basic("cv.lan")).get_json()[0]
    assert client.post(f"/engine-rest/task/{draft['id']}/claim", headers=basic("cv.lan"),
                       json={"userId": "cv.lan"}).status_code == 204
    assert client.get(f"/engine-rest/task/{draft['id']}", headers=basic("cv.lan")).get_json()["assignee"] == "cv.lan"
    variables = {name: {"value": value} for name, value in draft_data().items()}
    done = client.post(f"/engine-rest/task/{draft['id']}/complete", headers=basic("cv.lan"),
                       json={"variables": variables, "withVariablesInReturn": True})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["subject"]["value"] == draft_data()["subject"]
    again = client.post(f"/engine-rest/task/{draft['id']}/complete", headers=basic("cv.lan"),
                        json={"variables": variables})
    assert again.status_code == 409 and again.get_json()["type"] == "OptimisticLockingException"


def test_a_form_error_is_named_per_field_and_an_auditor_cannot_write(client, lifecycle):
    instance_id = lifecycle.start()
    draft = client.get(f"/engine-rest/task?processInstanceId={instance_id}", headers=basic("cv.lan")).get_json()[0]
    wrong = client.post(f"/engine-rest/task/{draft['id']}/complete", headers=basic("cv.lan"),
                        json={"variables": {"subject": {"value": "", "type": "String"}}})
    assert wrong.status_code == 400 and "subject" in wrong.get_json()["errors"]
    refused = client.post(f"/engine-rest/task/{draft['id']}/complete", headers=basic("thanhtra"),
                          json={"variables": {}})
    assert refused.status_code == 403 and refused.get_json()["type"] == "AuthorizationException"
    assert client.post(f"/engine-rest/task/{draft['id']}/comment/create", headers=basic("cv.lan"),
                       json={"message": "Đã xin ý kiến Sở Tư pháp."}).status_code == 200
    comments = client.get(f"/engine-rest/task/{draft['id']}/comment", headers=basic("cv.lan")).get_json()
    assert [c["message"] for c in comments] == ["Đã xin ý kiến Sở Tư pháp."]


def test_a_message_reaches_the_task_that_waits_for_it_by_instance(client, lifecycle):
    lifecycle.distributed()
    task = client.get("/engine-rest/task?taskDefinitionKey=accept&candidateGroup=SCT:official",
                      headers=basic("sct.cv")).get_json()[0]
    refused = client.post("/engine-rest/message", headers=basic("sct.cv"), json={"messageName": "Xin gia hạn"})
    assert refused.status_code == 403  # an agency asks from its task page, where the request is checked
    response = client.post("/engine-rest/message", headers=basic("cv.lan"), json={
        "messageName": "Xin gia hạn", "processInstanceId": task["processInstanceId"], "resultEnabled": True,
        "processVariables": {"extension_new_deadline": {"value": "2028-12-31", "type": "String"},
                             "extension_reason": {"value": "Chờ số liệu.", "type": "String"}}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["execution"]["processInstanceId"] == task["processInstanceId"]
    nobody = client.post("/engine-rest/message", headers=basic("cv.lan"), json={"messageName": "Không có"})
    assert nobody.status_code == 400 and "No process definition or execution matches" in nobody.get_json()["message"]


def test_a_message_cannot_say_who_sent_it_and_the_engine_records_the_caller(client, lifecycle, svc):
    lifecycle.distributed()
    task = client.get("/engine-rest/task?taskDefinitionKey=accept&candidateGroup=SCT:official",
                      headers=basic("sct.cv")).get_json()[0]
    request = {"extension_new_deadline": {"value": "2028-12-31", "type": "String"},
               "extension_reason": {"value": "Chờ số liệu.", "type": "String"}}
    for forged in ({"extension_requested_by": {"value": "sct.cv", "type": "String"}},
                   {"extension_requested_at": {"value": "2026-01-01T08:00:00+07:00", "type": "String"}},
                   {"review_decision": {"value": "approve", "type": "String"}}):
        refused = client.post("/engine-rest/message", headers=basic("cv.lan"), json={
            "messageName": "Xin gia hạn", "processInstanceId": task["processInstanceId"],
            "processVariables": {**request, **forged}})
        assert refused.status_code == 400, refused.get_json()
        assert next(iter(forged)) in refused.get_json()["message"] + " ".join(refused.get_json().get("errors", {}))
    assert lifecycle.tasks("cvp", "review_extension") == []  # nothing was delivered
    sent = client.post("/engine-rest/message", headers=basic("cv.lan"), json={
        "messageName": "Xin gia hạn", "processInstanceId": task["processInstanceId"], "processVariables": request})
    assert sent.status_code == 204
    review = lifecycle.task("cvp", "review_extension")
    with svc.db.reader() as s:
        variables = svc.engine.task_variables(s, review.id)
    assert variables["extension_requested_by"] == "cv.lan"  # the caller, not anyone the body names
    assert variables["extension_requested_at"].startswith(svc.clock.now().date().isoformat())


@pytest.mark.parametrize("name", ["initiator", "extension_requested_by", "authority_requested_at"])
def test_an_admin_cannot_rewrite_who_did_something(client, lifecycle, name):
    directive = lifecycle.start()
    changed = client.put(f"/engine-rest/process-instance/{directive}/variables/{name}", headers=basic("admin"),
                         json={"value": "sct.cv", "type": "String"})
    assert changed.status_code == 400 and f"«{name}»" in changed.get_json()["message"]
    modified = client.post(f"/engine-rest/process-instance/{directive}/variables", headers=basic("admin"),
                           json={"modifications": {name: {"value": "sct.cv", "type": "String"}}})
    assert modified.status_code == 400
    drafter = client.get(f"/engine-rest/process-instance/{directive}/variables/initiator", headers=basic("admin"))
    assert drafter.get_json()["value"] == "cv.lan"


def test_only_admins_deploy_and_a_broken_file_is_a_parse_exception_per_element(client):
    files = {"data": {"deployment-name": "thử", "file": (io.BytesIO(DIRECTIVE), "directive.bpmn")}}
    assert client.post("/engine-rest/deployment/create", headers=basic("cv.lan"), content_type="multipart/form-data",
                       **files).status_code == 403
    broken = DIRECTIVE.replace(b'camunda:candidateGroups="VPUBND:office_leader"', b"")
    response = client.post("/engine-rest/deployment/create", headers=basic("admin"),
                           content_type="multipart/form-data",
                           data={"deployment-name": "hỏng", "file": (io.BytesIO(broken), "directive.bpmn")})
    assert response.status_code == 400 and response.get_json()["type"] == "ParseException"
    errors = response.get_json()["details"]["directive.bpmn"]["errors"]
    assert errors and errors[0]["mainElementId"]


def test_history_tells_who_did_which_task_when_and_the_instance_state(client, lifecycle):
    directive = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), directive)
    with_auditor = basic("thanhtra")
    (started,) = client.get(f"/engine-rest/history/process-instance?processInstanceId={directive}",
                            headers=with_auditor).get_json()
    assert (started["state"], started["startUserId"]) == ("ACTIVE", "cv.lan")
    assert started["processDefinitionKey"] == "directive"
    tasks = client.get(f"/engine-rest/history/task?processInstanceId={directive}", headers=with_auditor).get_json()
    assert [(t["taskDefinitionKey"], t["assignee"], bool(t["endTime"])) for t in tasks] == [
        ("draft", "cv.lan", True), ("review", None, False)]
    activities = client.get(f"/engine-rest/history/activity-instance?processInstanceId={directive}&activityId=draft",
                            headers=with_auditor).get_json()
    assert [a["activityType"] for a in activities] == ["userTask"]
    operations = client.get("/engine-rest/history/user-operation?operationType=Complete&userId=cv.lan",
                            headers=with_auditor).get_json()
    assert [o["taskId"] for o in operations] == [tasks[0]["id"]]
    assert client.get("/engine-rest/history/task", headers=basic("sct.cv")).status_code == 403


def test_one_historic_instance_is_read_by_its_id_and_an_unknown_one_is_a_404(client, lifecycle):
    directive = lifecycle.start()
    one = client.get(f"/engine-rest/history/process-instance/{directive}", headers=basic("thanhtra"))
    assert one.status_code == 200 and (one.get_json()["id"], one.get_json()["state"]) == (directive, "ACTIVE")
    missing = client.get("/engine-rest/history/process-instance/khong-co", headers=basic("thanhtra"))
    assert missing.status_code == 404 and "«khong-co»" in missing.get_json()["message"]
    assert client.get(f"/engine-rest/history/process-instance/{directive}", headers=basic("sct.cv")).status_code == 403


def test_historic_activities_carry_camundas_activity_type_of_each_element(client, lifecycle):
    directive = lifecycle.distributed(draft_data())
    activities = client.get(f"/engine-rest/history/activity-instance?processInstanceId={directive}",
                            headers=basic("thanhtra")).get_json()
    types = {a["activityId"]: a["activityType"] for a in activities}
    assert {element: types.get(element) for element in ("start", "draft", "review_gateway", "assign_number",
                                                         "fork")} == {
        "start": "startEvent", "draft": "userTask", "review_gateway": "exclusiveGateway",
        "assign_number": "serviceTask", "fork": "parallelGateway"}
    chosen = client.get(f"/engine-rest/history/activity-instance?processInstanceId={directive}"
                        "&activityType=serviceTask", headers=basic("thanhtra")).get_json()
    assert chosen and {a["activityType"] for a in chosen} == {"serviceTask"}


def test_an_admin_sets_a_process_variable_that_later_steps_see_and_replay_repeats(client, lifecycle, svc):
    directive = lifecycle.start()
    changed = client.put(f"/engine-rest/process-instance/{directive}/variables/subject", headers=basic("admin"),
                         json={"value": "V/v đã sửa qua REST", "type": "String"})
    assert changed.status_code == 204
    assert client.put(f"/engine-rest/process-instance/{directive}/variables/subject", headers=basic("cv.lan"),
                      json={"value": "x", "type": "String"}).status_code == 403
    draft = client.get(f"/engine-rest/task?processInstanceId={directive}", headers=basic("cv.lan")).get_json()[0]
    seen = client.get(f"/engine-rest/task/{draft['id']}/variables/subject", headers=basic("cv.lan")).get_json()
    assert seen["value"] == "V/v đã sửa qua REST"
    with svc.db.reader() as s:
        assert replay_instance(svc.engine, s, directive).verified


def test_a_task_is_claimed_only_for_someone_who_may_work_on_it(client, lifecycle):
    lifecycle.distributed()
    accept = client.get("/engine-rest/task?taskDefinitionKey=accept&candidateGroup=SCT:official",
                        headers=basic("sct.cv")).get_json()[0]
    for someone in ("bqlkkt.cv", "thanhtra"):
        refused = client.post(f"/engine-rest/task/{accept['id']}/claim", headers=basic("sct.cv"),
                              json={"userId": someone})
        assert refused.status_code == 403 and f"«{someone}»" in refused.get_json()["message"]
    assert client.get(f"/engine-rest/task/{accept['id']}", headers=basic("sct.cv")).get_json()["assignee"] is None


def test_a_called_instance_is_not_cancelled_behind_its_callers_back(client, lifecycle, svc):
    lifecycle.distributed()
    with svc.db.reader() as s:
        child = s.scalars(select(ProcessInstance.id).where(ProcessInstance.parent_instance_id.is_not(None))).first()
    refused = client.delete(f"/engine-rest/process-instance/{child}", headers=basic("admin"))
    assert refused.status_code == 409 and "hãy hủy phiên đó" in refused.get_json()["message"]


@pytest.mark.parametrize("url, payload", [
    ("/engine-rest/process-definition?version=99999999999999999999", None),
    ("/engine-rest/process-definition/key/directive/start", {"businessKey": "VB\x00-1"}),
    ("/engine-rest/task?assignee=a%00b", None),
])
def test_numbers_too_large_and_nul_characters_are_refused_with_a_400(client, url, payload):
    response = (client.post(url, headers=basic("admin"), json=payload) if payload is not None
                else client.get(url, headers=basic("admin")))
    assert response.status_code == 400, response.get_json()


def test_an_office_leader_does_not_decide_on_an_extension_he_asked_for(client, lifecycle):
    lifecycle.distributed()
    task = lifecycle.task("sct.cv", "accept")
    sent = client.post("/engine-rest/message", headers=basic("cvp"), json={
        "messageName": "Xin gia hạn", "processInstanceId": task.instance_id,
        "processVariables": {"extension_new_deadline": {"value": "2027-12-31", "type": "String"},
                             "extension_reason": {"value": "Chờ số liệu.", "type": "String"}}})
    assert sent.status_code == 204
    review = lifecycle.task("cvp", "review_extension")
    decided = client.post(f"/engine-rest/task/{review.id}/complete", headers=basic("cvp"), json={"variables": {
        "extension_decision": {"value": "approve", "type": "String"},
        "extension_decision_reason": {"value": "Đồng ý.", "type": "String"}}})
    assert decided.status_code == 400 and "không tự quyết định" in decided.get_json()["message"] + str(
        decided.get_json().get("errors"))
    lifecycle.complete("pcvp.hai", "review_extension", {"extension_decision": "approve",
                                                         "extension_decision_reason": "Đồng ý."})
