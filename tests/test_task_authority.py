"""A task the process gave one person stays that person's; a task taken from a group goes back to the group."""
from __future__ import annotations

import base64

from sqlalchemy import select

from engine.models import HistoryEvent

from .conftest import draft_data, login


def basic(username: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:demo123".encode()).decode()}


def waiting_for_signature(lifecycle) -> str:
    instance_id = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, instance_id)
    return instance_id


def test_the_named_signer_cannot_release_the_signature_to_the_other_leaders(client, lifecycle, svc):
    instance_id = waiting_for_signature(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", instance_id)
    login(client, "pct.hoang")
    page = client.get(f"/tasks/{sign.id}").get_data(as_text=True)
    assert "Trả việc về nhóm" not in page and "Trả lại cho đơn vị" not in page
    refused = client.post(f"/tasks/{sign.id}/unclaim")
    assert refused.status_code == 403
    assert "riêng cho Nguyễn Tự Công Hoàng (UBND) nên không thể trả việc về nhóm" in refused.get_data(as_text=True)
    for rest in (f"/engine-rest/task/{sign.id}/unclaim", f"/engine-rest/task/{sign.id}/assignee"):
        answer = client.post(rest, json={"userId": None}, headers=basic("pct.hoang"))
        assert (answer.status_code, answer.get_json()["type"]) == (403, "AuthorizationException"), rest
    assert lifecycle.task("pct.hoang", "sign", instance_id).assignee == "pct.hoang"
    assert lifecycle.tasks("pct.son", "sign", instance_id) == []
    with svc.db.reader() as s:
        kinds = list(s.scalars(select(HistoryEvent.event_type).where(HistoryEvent.instance_id == instance_id)))
    assert "task_unclaimed" not in kinds


def test_another_vice_chairman_cannot_sign_or_take_the_named_signers_task(client, lifecycle):
    instance_id = waiting_for_signature(lifecycle)
    sign = lifecycle.task("pct.hoang", "sign", instance_id)
    login(client, "pct.son")
    page = client.get(f"/tasks/{sign.id}").get_data(as_text=True)
    assert 'id="submit-task"' not in page and "Bạn chỉ được xem nhiệm vụ này." in page
    assert client.post(f"/tasks/{sign.id}", data={"sign_decision": "approve"}).status_code == 403
    assert client.post(f"/tasks/{sign.id}/claim").status_code in (403, 409)
    assert client.post(f"/engine-rest/task/{sign.id}/claim", json={"userId": "pct.son"},
                       headers=basic("pct.son")).status_code in (403, 409)


def test_a_task_taken_from_the_group_is_released_and_shown_as_given_back_to_the_group(app, client, lifecycle):
    lifecycle.distributed(draft_data())
    accept = lifecycle.task("sct.cv", "accept")
    login(client, "sct.cv")
    client.post(f"/tasks/{accept.id}/claim")
    page = client.get(f"/tasks/{accept.id}").get_data(as_text=True)
    assert "Trả việc về nhóm" in page
    released = client.post(f"/tasks/{accept.id}/unclaim", follow_redirects=True)
    assert "Đã trả việc về nhóm" in released.get_data(as_text=True)
    assert lifecycle.task("sct.cv", "accept", accept.instance_id).assignee is None
    instance_id = accept.instance_id
    auditor = login(app.test_client(), "thanhtra")
    audit = auditor.get(f"/audit/instances/{instance_id}/report").get_data(as_text=True)
    assert "Trả việc về nhóm" in audit and "Trả lại việc" not in audit


def test_a_second_claim_or_a_release_of_a_task_nobody_holds_says_so_and_records_nothing(client, lifecycle, svc):
    lifecycle.distributed(draft_data())
    accept = lifecycle.task("sct.cv", "accept")
    login(client, "sct.cv")

    def recorded() -> list[str]:
        with svc.db.reader() as s:
            return list(s.scalars(select(HistoryEvent.event_type).where(
                HistoryEvent.instance_id == accept.instance_id, HistoryEvent.event_type.like("task_%claimed"))))
    nobody = client.post(f"/tasks/{accept.id}/unclaim", follow_redirects=True).get_data(as_text=True)
    assert "Nhiệm vụ này chưa có ai nhận xử lý nên không có gì để trả về nhóm." in nobody and recorded() == []
    client.post(f"/tasks/{accept.id}/claim")
    again = client.post(f"/tasks/{accept.id}/claim", follow_redirects=True).get_data(as_text=True)
    assert "Bạn đang xử lý nhiệm vụ này." in again
    client.post(f"/tasks/{accept.id}/unclaim")
    twice = client.post(f"/tasks/{accept.id}/unclaim", follow_redirects=True).get_data(as_text=True)
    assert "không có gì để trả về nhóm" in twice
    assert recorded() == ["task_claimed", "task_unclaimed"]
    rest = client.post(f"/engine-rest/task/{accept.id}/unclaim", headers=basic("sct.cv"))
    assert rest.status_code == 204 and recorded() == ["task_claimed", "task_unclaimed"]  # Camunda's answer, no record
