"""New versions: the diff against the previous one, and migrating running instances."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from engine import SYSTEM, Conflict
from engine.models import HistoryEvent, ProcessInstance
from engine.oplog import Operation
from engine.replay import replay_instance
from engine.versions import diff, migrate, plan_migration

from .conftest import draft_data
from .test_catalogue import receipt_with_filing

DIRECTIVE = (Path(__file__).parents[1] / "bpmn" / "directive.bpmn").read_text("utf-8")
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}


def with_legal_check() -> str:
    """The directive process with a legal check between review and signature."""
    root = etree.fromstring(DIRECTIVE.encode())
    process = root.find("bpmn:process", NS)
    approve = process.find("bpmn:sequenceFlow[@id='flow_review_approve']", NS)
    approve.set("targetRef", "legal_check")
    task = etree.SubElement(process, f"{{{NS['bpmn']}}}userTask", id="legal_check", name="Kiểm tra pháp lý")
    task.set(f"{{{NS['camunda']}}}formKey", "directive_review")
    task.set(f"{{{NS['camunda']}}}candidateGroups", "VPUBND:specialist")
    etree.SubElement(process, f"{{{NS['bpmn']}}}sequenceFlow", id="flow_legal_sign", sourceRef="legal_check",
                     targetRef="sign")
    return etree.tostring(root, encoding="unicode")


def without_draft() -> str:
    return DIRECTIVE.replace('name="Soạn dự thảo"', 'name="Soạn thảo"').replace('id="draft"', 'id="drafting"') \
        .replace('targetRef="draft"', 'targetRef="drafting"').replace('sourceRef="draft"', 'sourceRef="drafting"') \
        .replace('bpmnElement="draft"', 'bpmnElement="drafting"').replace('>draft<', '>drafting<')


def deploy(svc, xml: str):
    with svc.db.transaction() as s:
        return svc.engine.deploy(s, "phiên bản mới", {"directive.bpmn": xml.encode()}, SYSTEM).definitions[0]


def test_the_diff_names_elements_added_removed_and_changed():
    found = diff(DIRECTIVE, with_legal_check())
    assert found.added == [("legal_check", "userTask", "Kiểm tra pháp lý"),
                           ("flow_legal_sign", "sequenceFlow", None)]
    assert found.changed == [("flow_review_approve", "sequenceFlow", "Đạt, trình ký")]
    assert diff(DIRECTIVE, DIRECTIVE).empty
    assert ("draft", "userTask", "Soạn dự thảo") in diff(DIRECTIVE, without_draft()).removed


def test_a_compatible_instance_moves_to_the_new_version_and_takes_its_new_step(lifecycle, svc):
    instance_id = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    v2 = deploy(svc, with_legal_check())
    with svc.db.transaction() as s:
        plan = plan_migration(svc.engine, s, s.get(ProcessInstance, instance_id), v2)
        assert plan.compatible and plan.reason.startswith("Chuyển sang phiên bản 2; tiếp tục từ: Thẩm định dự thảo")
        migrate(svc.engine, s, [instance_id], v2.id, lifecycle.actor("admin"))
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, instance_id)
    assert [t.element_id for t in lifecycle.human_tasks(instance_id)] == ["legal_check"]
    with svc.db.reader() as s:
        event = s.scalars(select(HistoryEvent).where(HistoryEvent.event_type == "instance_migrated")).one()
        operation = s.scalars(select(Operation).where(Operation.action == "migrate")).one()
    assert event.data["to"] == v2.id and event.actor == "admin"
    assert (operation.target, operation.sha256) == (instance_id, v2.sha256)


def test_an_incompatible_migration_is_refused_with_the_reason_and_nothing_moves(lifecycle, svc):
    instance_id = lifecycle.start()
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    v2 = deploy(svc, without_draft())
    with pytest.raises(Conflict, match="không còn các bước phiên đã đi qua hoặc đang chờ: draft"):
        with svc.db.transaction() as s:
            migrate(svc.engine, s, [instance_id], v2.id, lifecycle.actor("admin"))
    with svc.db.reader() as s:
        assert s.get(ProcessInstance, instance_id).definition_id != v2.id


def test_running_instances_stay_on_their_version_after_a_deployment(lifecycle, svc):
    instance_id = lifecycle.start()
    deploy(svc, with_legal_check())
    lifecycle.complete("cv.lan", "draft", draft_data(), instance_id)
    lifecycle.complete("cvp", "review", {"review_decision": "approve"}, instance_id)
    assert [t.element_id for t in lifecycle.human_tasks(instance_id)] == ["sign"]


def test_receipts_migrated_to_a_version_with_a_new_step_take_it_before_the_register(lifecycle, svc):
    directive = lifecycle.distributed(draft_data())
    with svc.db.transaction() as s:
        v2 = svc.engine.deploy(s, "tiếp nhận có phân loại", {"directive_receipt.bpmn": receipt_with_filing()},
                               SYSTEM).definitions[0]
        receipts = list(s.scalars(select(ProcessInstance.id).where(
            ProcessInstance.parent_instance_id == directive, ProcessInstance.definition_key == "directive_receipt")))
        migrate(svc.engine, s, receipts, v2.id, SYSTEM)
    acknowledge = lifecycle.task("sct.cv", "acknowledge")
    lifecycle.complete("sct.cv", "acknowledge", {"received": True}, acknowledge.instance_id)
    assert [t.element_id for t in lifecycle.human_tasks(acknowledge.instance_id)] == ["classify"]
    lifecycle.complete("sct.cv", "classify", {"received": True}, acknowledge.instance_id)
    with svc.db.reader() as s:
        assert s.get(ProcessInstance, acknowledge.instance_id).status == "completed"
        for instance_id in receipts:
            result = replay_instance(svc.engine, s, instance_id)
            assert result.verified, result.sentence()
