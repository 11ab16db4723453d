"""External tasks over REST: fetch and lock, complete, failure until an incident, BPMN error, locks; replay."""
from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pytest

from engine.replay import replay_instance
from web.rest import long_poll

from .test_rest import basic

EXCHANGE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="https://chidao.gov.vn/test">
  <bpmn:error id="err_refused" name="Bi tu choi" errorCode="TU_CHOI"/>
  <bpmn:process id="exchange_test" name="Gửi liên thông thử" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="send" name="Gửi văn bản điện tử" camunda:type="external" camunda:topic="edxml">
      <bpmn:extensionElements><camunda:properties><camunda:property name="truc" value="VDXP"/>
      </camunda:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:boundaryEvent id="refused" name="Bị từ chối" attachedToRef="send">
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:errorEventDefinition errorRef="err_refused"/></bpmn:boundaryEvent>
    <bpmn:userTask id="fix" name="Xử lý văn bản bị từ chối" camunda:candidateGroups="VPUBND:clerk"
        camunda:formKey="directive_receipt"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="sent"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="fixed"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send"/>
    <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="sent"/>
    <bpmn:sequenceFlow id="f3" sourceRef="refused" targetRef="fix"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fix" targetRef="fixed"/>
  </bpmn:process>
</bpmn:definitions>""".encode()
ADMIN = basic("admin")


def deployed_and_started(client) -> str:
    response = client.post("/engine-rest/deployment/create", headers=ADMIN, content_type="multipart/form-data",
                           data={"deployment-name": "liên thông", "file": (io.BytesIO(EXCHANGE), "exchange.bpmn")})
    assert response.status_code == 200, response.get_json()
    started = client.post("/engine-rest/process-definition/key/exchange_test/start", headers=ADMIN,
                          json={"variables": {"so_ky_hieu": {"value": "07/UBND-KT", "type": "String"}}})
    return started.get_json()["id"]


def fetch(client, worker: str = "lien-thong-1", timeout: int = 0) -> list[dict]:
    response = client.post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json={
        "workerId": worker, "maxTasks": 5, "asyncResponseTimeout": timeout,
        "topics": [{"topicName": "edxml", "lockDuration": 60_000, "variables": ["so_ky_hieu"]}]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_worker_fetches_locks_and_completes_and_the_instance_ends_and_replays(client, svc):
    instance_id = deployed_and_started(client)
    (task,) = fetch(client)
    assert (task["topicName"], task["activityId"], task["workerId"]) == ("edxml", "send", "lien-thong-1")
    assert task["variables"] == {"so_ky_hieu": {"value": "07/UBND-KT", "type": "String", "valueInfo": {}}}
    assert fetch(client, "lien-thong-2") == []  # locked for the first worker
    other = client.post(f"/engine-rest/external-task/{task['id']}/complete", headers=ADMIN,
                        json={"workerId": "lien-thong-2"})
    assert other.status_code == 409 and "không được khóa bởi «lien-thong-2»" in other.get_json()["message"]
    done = client.post(f"/engine-rest/external-task/{task['id']}/complete", headers=ADMIN, json={
        "workerId": "lien-thong-1", "variables": {"ma_goi_tin": {"value": "EDXML-1", "type": "String"}}})
    assert done.status_code == 204
    ended = client.get(f"/engine-rest/process-instance/{instance_id}", headers=ADMIN)
    assert ended.status_code == 404  # ended instances leave the runtime API
    with svc.db.reader() as s:
        result = replay_instance(svc.engine, s, instance_id)
    assert result.verified, result.sentence()


def test_failures_count_down_to_an_incident_and_new_retries_reopen_it(client, svc, clock):
    deployed_and_started(client)
    (task,) = fetch(client)
    failed = client.post(f"/engine-rest/external-task/{task['id']}/failure", headers=ADMIN, json={
        "workerId": "lien-thong-1", "errorMessage": "Trục liên thông không trả lời", "retries": 1,
        "retryTimeout": 60_000})
    assert failed.status_code == 204
    assert fetch(client) == []  # not before the retry timeout
    clock.advance(timedelta(minutes=2))
    (again,) = fetch(client)
    assert again["retries"] == 1 and again["errorMessage"] == "Trục liên thông không trả lời"
    client.post(f"/engine-rest/external-task/{task['id']}/failure", headers=ADMIN,
                json={"workerId": "lien-thong-1", "errorMessage": "Vẫn lỗi", "retries": 0})
    incidents = client.get("/engine-rest/external-task?noRetriesLeft=true", headers=ADMIN).get_json()
    assert [i["id"] for i in incidents] == [task["id"]] and fetch(client) == []
    assert client.put(f"/engine-rest/external-task/{task['id']}/retries", headers=ADMIN,
                      json={"retries": 2}).status_code == 204
    assert [t["id"] for t in fetch(client)] == [task["id"]]


def test_a_bpmn_error_goes_to_the_boundary_event_and_an_unknown_code_changes_nothing(client, svc):
    instance_id = deployed_and_started(client)
    (task,) = fetch(client)
    unknown = client.post(f"/engine-rest/external-task/{task['id']}/bpmnError", headers=ADMIN,
                          json={"workerId": "lien-thong-1", "errorCode": "KHAC"})
    assert unknown.status_code == 400 and "bắt lỗi «KHAC»" in unknown.get_json()["message"]
    refused = client.post(f"/engine-rest/external-task/{task['id']}/bpmnError", headers=ADMIN, json={
        "workerId": "lien-thong-1", "errorCode": "TU_CHOI", "errorMessage": "Sai mã định danh cơ quan",
        "variables": {"ly_do": {"value": "Mã cơ quan nhận không có trên trục", "type": "String"}}})
    assert refused.status_code == 204
    (fix,) = client.get(f"/engine-rest/task?processInstanceId={instance_id}", headers=basic("vanthu")).get_json()
    assert fix["taskDefinitionKey"] == "fix"
    assert client.get(f"/engine-rest/external-task/{task['id']}", headers=ADMIN).status_code == 404
    with svc.db.reader() as s:
        result = replay_instance(svc.engine, s, instance_id)
    assert result.verified, result.sentence()


def test_a_lock_is_extended_or_given_back(client):
    deployed_and_started(client)
    (task,) = fetch(client)
    assert client.post(f"/engine-rest/external-task/{task['id']}/extendLock", headers=ADMIN,
                       json={"workerId": "lien-thong-1", "newDuration": 600_000}).status_code == 204
    assert client.post(f"/engine-rest/external-task/{task['id']}/unlock", headers=ADMIN).status_code == 204
    assert [t["workerId"] for t in fetch(client, "lien-thong-2")] == ["lien-thong-2"]
    refused = client.post("/engine-rest/external-task/fetchAndLock", headers=basic("cv.lan"),
                          json={"workerId": "x", "topics": [{"topicName": "edxml", "lockDuration": 1}]})
    assert refused.status_code == 403


OTHER = EXCHANGE.replace(b'id="exchange_test" name="G\xe1\xbb\xadi li\xc3\xaan th\xc3\xb4ng th\xe1\xbb\xad"',
                         b'id="other_test" name="Quy tr\xc3\xacnh kh\xc3\xa1c"')


def started(client, key: str, business_key: str, variables: dict) -> str:
    answer = client.post(f"/engine-rest/process-definition/key/{key}/start", headers=ADMIN, json={
        "businessKey": business_key,
        "variables": {name: {"value": value, "type": "String"} for name, value in variables.items()}})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["id"]


def fetched(client, **topic) -> list[str]:
    answer = client.post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json={
        "workerId": "w", "maxTasks": 10, "topics": [{"topicName": "edxml", "lockDuration": 1000, **topic}]})
    assert answer.status_code == 200, answer.get_json()
    return sorted(t["processInstanceId"] for t in answer.get_json())


@pytest.mark.parametrize("topic, expected", [
    ({"businessKey": "VB-2"}, ["b"]),
    ({"processDefinitionKey": "other_test"}, ["c"]),
    ({"processDefinitionKeyIn": ["exchange_test", "other_test"]}, ["a", "b", "c"]),
    ({"processVariables": {"so_ky_hieu": "07/UBND-KT"}}, ["a"]),
    ({"businessKey": "VB-1", "processVariables": {"so_ky_hieu": "08/UBND-KT"}}, []),
    ({"tenantIdIn": ["t1"]}, []),
    ({"withoutTenantId": True}, ["a", "b", "c"]),
])
def test_fetch_and_lock_takes_only_the_tasks_its_topic_filters_admit(client, topic, expected):
    deployed_and_started(client)  # an instance without business key, locked away below
    fetched(client)
    client.post("/engine-rest/deployment/create", headers=ADMIN, content_type="multipart/form-data",
                data={"deployment-name": "khác", "file": (io.BytesIO(OTHER), "other.bpmn")})
    ids = {"a": started(client, "exchange_test", "VB-1", {"so_ky_hieu": "07/UBND-KT"}),
           "b": started(client, "exchange_test", "VB-2", {"so_ky_hieu": "08/UBND-KT"}),
           "c": started(client, "other_test", "VB-3", {"so_ky_hieu": "09/UBND-KT"})}
    names = {instance: name for name, instance in ids.items()}
    assert sorted(names[i] for i in fetched(client, **topic)) == expected


def test_fetch_and_lock_by_definition_id_and_refusals_of_what_it_cannot_apply(client):
    instance_id = deployed_and_started(client)
    definition = client.get(f"/engine-rest/process-instance/{instance_id}", headers=ADMIN).get_json()["definitionId"]
    assert fetched(client, processDefinitionIdIn=["nope"]) == []
    assert fetched(client, processDefinitionId=definition) == [instance_id]
    for topic, named in [({"processDefinitionVersionTag": "1.0"}, "processDefinitionVersionTag"),
                         ({"localVariables": True}, "localVariables"), ({"colour": "red"}, "colour"),
                         ({"processVariables": ["x"]}, "processVariables")]:
        answer = client.post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json={
            "workerId": "w", "topics": [{"topicName": "edxml", "lockDuration": 1000, **topic}]})
        assert answer.status_code == 400 and named in answer.get_json()["message"], topic
    refused = client.post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json={
        "workerId": "w", "topics": [{"topicName": "edxml", "lockDuration": 1000}], "filter": "x"})
    assert refused.status_code == 400 and "'filter'" in refused.get_json()["message"]


def test_extension_properties_come_with_the_task_when_the_topic_asks_for_them(client):
    deployed_and_started(client)
    answer = client.post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json={
        "workerId": "w", "maxTasks": 1,
        "topics": [{"topicName": "edxml", "lockDuration": 1000, "includeExtensionProperties": True}]}).get_json()
    assert answer[0]["extensionProperties"] == {"truc": "VDXP"}


def test_a_long_poll_past_the_waiting_slots_answers_at_once_and_leaves_threads_to_the_pages(app, client):
    app.config["LONG_POLL_SLOTS"] = "1"
    poll = {"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 3000,
            "topics": [{"topicName": "không-có-việc", "lockDuration": 1000}]}
    first_answered = threading.Event()

    def first_worker():
        app.test_client().post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json=poll)
        first_answered.set()

    waiting = threading.Thread(target=first_worker)
    waiting.start()
    slots = long_poll._slots(app)
    while slots.acquire(blocking=False):  # until the first worker holds the only slot
        slots.release()
        time.sleep(0.01)
    second = client.post("/engine-rest/external-task/fetchAndLock", headers=ADMIN, json=poll)
    assert second.status_code == 200 and second.get_json() == []
    assert not first_answered.is_set()  # the second answered while the first still waits for work
    waiting.join(10)
    assert first_answered.is_set()
    assert slots.acquire(blocking=False)  # the slot is free again
    slots.release()
