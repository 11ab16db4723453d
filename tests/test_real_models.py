"""Models as other tools write them either run as Camunda runs them or are refused at deployment, naming the element."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import SYSTEM, DefinitionError
from engine.jobs import Job
from engine.models import ProcessInstance

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/'
        'MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tns="http://x" id="d" '
        'targetNamespace="http://x">')
TASK = ('<bpmn:userTask id="t" name="Làm" camunda:formKey="directive_receipt" '
        'camunda:candidateGroups="VPUBND:specialist">{extensions}<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>')


def model(between: str = "", definitions: str = "", extensions: str = "", inside: str = "") -> bytes:
    """start → (between) → user task «Làm» → end; ``between`` is an element with id «w» (or none)."""
    if between:
        flows = ('<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
                 '<bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="t"/>')
    else:
        flows = '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        between = ""
    wrapped = f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>" if extensions else ""
    task = TASK.format(extensions=wrapped)
    if not between:
        task = task.replace("<bpmn:incoming>f2</bpmn:incoming>", "<bpmn:incoming>f1</bpmn:incoming>")
    return (HEAD + definitions + '<bpmn:process id="p" name="Thử" isExecutable="true">' + inside
            + '<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>' + between + task
            + '<bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>' + flows
            + '<bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e"/></bpmn:process></bpmn:definitions>').encode()


def catch(definition: str) -> str:
    return (f'<bpmn:intermediateCatchEvent id="w" name="Chờ"><bpmn:incoming>f1</bpmn:incoming>'
            f'<bpmn:outgoing>f2</bpmn:outgoing>{definition}</bpmn:intermediateCatchEvent>')


def timer(kind: str, text: str) -> str:
    return catch(f"<bpmn:timerEventDefinition><bpmn:{kind}>{text}</bpmn:{kind}></bpmn:timerEventDefinition>")


def deployed_and_started(svc, xml: bytes) -> str:
    with svc.db.transaction() as s:
        svc.engine.deploy(s, "thử", {"p.bpmn": xml}, SYSTEM)
    with svc.db.transaction() as s:
        return svc.engine.start(s, "p", SYSTEM).id


def refusal(svc, xml: bytes) -> str:
    with svc.db.transaction() as s, pytest.raises(DefinitionError) as refused:
        svc.engine.deploy(s, "thử", {"p.bpmn": xml}, SYSTEM)
    return " ".join(p["message"] for p in refused.value.problems)


def waiting_elements(svc, instance_id: str) -> list[str]:
    with svc.db.reader() as s:
        return [e["id"] for e in s.get(ProcessInstance, instance_id).active_elements]


def test_an_xml_comment_inside_the_process_deploys_and_runs(svc):
    instance_id = deployed_and_started(svc, model(inside="<!-- vẽ bằng Camunda Modeler -->"))
    assert waiting_elements(svc, instance_id) == ["t"]


def test_a_message_reference_with_the_namespace_prefix_is_the_message_of_that_id(svc):
    xml = model(catch('<bpmn:messageEventDefinition messageRef="tns:Message_1"/>'),
                '<bpmn:message id="Message_1" name="Đã có số liệu"/>')
    instance_id = deployed_and_started(svc, xml)
    assert waiting_elements(svc, instance_id) == ["w"]
    with svc.db.transaction() as s:
        svc.engine.correlate_message(s, instance_id, "Đã có số liệu", SYSTEM, {})
    assert waiting_elements(svc, instance_id) == ["t"]


def test_a_reference_to_a_message_the_file_does_not_declare_is_refused_naming_the_event(svc):
    said = refusal(svc, model(catch('<bpmn:messageEventDefinition messageRef="tns:Khong_co"/>')))
    assert "«Chờ» trỏ tới message «tns:Khong_co» không được khai báo trong tệp" in said


def test_sequence_flows_without_an_id_are_refused_instead_of_ending_at_once(svc):
    xml = model().replace(b'<bpmn:sequenceFlow id="f1" ', b"<bpmn:sequenceFlow ")
    assert "Luồng từ «s» tới «t» thiếu thuộc tính id" in refusal(svc, xml)


@pytest.mark.parametrize("kind, text, due", [
    ("timeDuration", "PT5M", timedelta(minutes=5)),
    ("timeDate", "2026-12-24T08:00:00", None),
    ("timeCycle", "R3/PT10M", timedelta(minutes=10)),
])
def test_iso_timers_as_camunda_writes_them_arm_on_the_engines_clock(svc, clock, kind, text, due):
    instance_id = deployed_and_started(svc, model(timer(kind, text)))
    with svc.db.reader() as s:
        job = s.scalars(select(Job).where(Job.instance_id == instance_id)).one()
    expected = clock.now() + due if due else clock.now().replace(year=2026, month=12, day=24, hour=8, minute=0)
    assert job.due_at == expected
    clock.set(expected)
    svc.worker.tick_all()
    assert waiting_elements(svc, instance_id)[-1] == "t"


@pytest.mark.parametrize("kind, text, said", [
    ("timeCycle", "0/5 0/1 * 1/1 * ? *", "Biểu thức cron chưa được hỗ trợ"),
    ("timeDuration", "5 phút", "không phải khoảng thời gian ISO 8601"),
    ("timeDate", "24/12/2026", "không phải thời điểm ISO 8601"),
])
def test_a_timer_that_could_not_run_is_refused_naming_it(svc, kind, text, said):
    message = refusal(svc, model(timer(kind, text)))
    assert "Sự kiện hẹn giờ «Chờ»" in message and said in message


@pytest.mark.parametrize("extension, said", [
    ('<camunda:taskListener event="create" class="vn.Listener"/>', "camunda:taskListener"),
    ('<camunda:executionListener event="start" class="vn.Listener"/>', "camunda:executionListener"),
    ('<camunda:inputOutput><camunda:inputParameter name="x">1</camunda:inputParameter></camunda:inputOutput>',
     "camunda:inputOutput"),
])
def test_unsupported_camunda_extensions_name_the_task_they_sit_on(svc, extension, said):
    message = refusal(svc, model(extensions=extension))
    assert message.startswith("«Làm»:") and said in message and "None" not in message


def test_every_camunda_extension_of_the_catalogue_is_listed_with_the_element_it_belongs_to():
    from pathlib import Path

    from lxml import etree

    from engine.validation import camunda_extensions

    for path in sorted((Path(__file__).parents[1] / "bpmn").glob("*.bpmn")):
        usages = camunda_extensions(etree.parse(str(path)).getroot())
        assert usages and all(u["element_id"] for u in usages), path.name
