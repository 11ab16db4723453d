"""The validator answers every file, names each problem's element, and guards deployment."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import SYSTEM, DefinitionError
from engine.form_catalogue import deploy_form
from engine.models import ProcessDefinition

CONFORMANCE = sorted((Path(__file__).parent / "conformance").glob("*.bpmn"))
CATALOGUE = sorted((Path(__file__).parents[1] / "bpmn").glob("*.bpmn"))

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:chidao="https://chidao.gov.vn/schema/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="p" name="Thử" isExecutable="true">
    <bpmn:startEvent id="s"/>
    {body}
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def problems(svc, body: str) -> list[tuple[str | None, str]]:
    with svc.db.reader() as s:
        return [(p.element_id, p.message) for p in svc.engine.validate(s, MINIMAL.format(body=body).encode(), "t")]


@pytest.mark.parametrize("path", CONFORMANCE, ids=lambda p: p.name)
def test_every_conformance_model_gets_an_answer_never_an_exception(svc, path):
    with svc.db.reader() as s:
        found = svc.engine.validate(s, path.read_bytes(), path.name)
    assert all(p.message.endswith((".", "»")) for p in found)
    assert len(CONFORMANCE) == 21


def test_a_business_rule_task_without_a_decision_is_named_instead_of_a_key_error(svc):
    path = next(p for p in CONFORMANCE if p.name == "C.9.0.bpmn")
    with svc.db.reader() as s:
        found = svc.engine.validate(s, path.read_bytes(), path.name)
    assert any("bảng quyết định" in p.message and p.element_id for p in found)


@pytest.mark.parametrize("path", CATALOGUE, ids=lambda p: p.name)
def test_the_shipped_catalogue_is_deployable(svc, path):
    with svc.db.reader() as s:
        assert svc.engine.validate(s, path.read_bytes(), path.name) == []


def test_a_user_task_without_candidates_or_form_is_named(svc):
    found = problems(svc, '<bpmn:userTask id="u" name="Duyệt"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u"/>'
                          '<bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="e"/>')
    assert ("u", "Bước «Duyệt» chưa có người xử lý: hãy ghi nhóm xử lý (candidate groups) hoặc người được giao "
                 "(assignee).") in found
    assert ("u", "Bước «Duyệt» chưa chọn biểu mẫu (form key).") in found


def test_unknown_forms_handlers_and_bad_expressions_are_named(svc):
    found = problems(svc, '''
      <bpmn:userTask id="u" name="Duyệt" camunda:formKey="khong_co" camunda:candidateGroups="${lead + }"/>
      <bpmn:serviceTask id="v" name="Gửi" chidao:handler="khong.co"/>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u"/><bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="v"/>
      <bpmn:sequenceFlow id="f3" sourceRef="v" targetRef="e"/>''')
    messages = dict(found)
    assert "biểu mẫu «khong_co» chưa có trong danh mục" in " ".join(m for i, m in found if i == "u")
    assert "biểu thức candidateGroups «${lead + }» viết sai cú pháp" in " ".join(m for i, m in found if i == "u")
    assert messages["v"] == "Tác vụ «Gửi» gọi bộ xử lý «khong.co» chưa được đăng ký."


def test_unreachable_elements_flows_to_nowhere_and_bad_timers_are_named(svc):
    found = problems(svc, '''
      <bpmn:intermediateCatchEvent id="t" name="Chờ"><bpmn:timerEventDefinition>
        <bpmn:timeDuration>mười ngày</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="x"/>''')
    assert ("t", "«Chờ» không thể tới được từ sự kiện bắt đầu nào.") in found
    assert ("f2", "Luồng «f2» trỏ tới phần tử «x» không có trong cùng quy trình.") in found
    assert ("t", "Sự kiện hẹn giờ «Chờ»: «mười ngày» không phải khoảng thời gian ISO 8601 "
                 "(ví dụ PT5M, P2D).") in found


def test_an_invalid_file_never_becomes_a_version(svc):
    bad = MINIMAL.format(body='<bpmn:userTask id="u" name="Duyệt"/><bpmn:sequenceFlow id="f1" sourceRef="s" '
                              'targetRef="u"/><bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="e"/>').encode()
    with pytest.raises(DefinitionError) as refused:
        with svc.db.transaction() as s:
            svc.engine.deploy(s, "thử", {"p.bpmn": bad}, SYSTEM)
    assert refused.value.problems[0]["element_id"] == "u"
    with svc.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ProcessDefinition).where(ProcessDefinition.key == "p")) == 0


def test_a_deployed_form_version_is_what_tasks_use_and_validation_knows(svc, lifecycle):
    schema = {"type": "object", "title": "Ý kiến", "properties": {"y_kien": {"type": "string", "minLength": 3}},
              "required": ["y_kien"]}
    with svc.db.transaction() as s:
        first = deploy_form(s, "y_kien_moi", schema, SYSTEM, svc.clock.now())
        assert deploy_form(s, "y_kien_moi", schema, SYSTEM, svc.clock.now()) is None
        second = deploy_form(s, "y_kien_moi", {**schema, "title": "Ý kiến góp ý"}, SYSTEM, svc.clock.now())
    assert (first.version, second.version) == (1, 2)
    with svc.db.reader() as s:
        assert svc.engine.form(s, "y_kien_moi")["title"] == "Ý kiến góp ý"
    assert not [m for _, m in problems(svc, '<bpmn:userTask id="u" name="Góp ý" camunda:formKey="y_kien_moi" '
                                            'camunda:candidateGroups="SCT"/><bpmn:sequenceFlow id="f1" '
                                            'sourceRef="s" targetRef="u"/><bpmn:sequenceFlow id="f2" '
                                            'sourceRef="u" targetRef="e"/>')]


def test_a_schema_that_is_not_a_form_is_refused(svc):
    with pytest.raises(DefinitionError, match="Biểu mẫu phải có"):
        with svc.db.transaction() as s:
            deploy_form(s, "sai", {"type": "string"}, SYSTEM, svc.clock.now())
