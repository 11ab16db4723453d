"""Parsing BPMN files into specs, for both dialects (Camunda's and ours).

SpiffWorkflow's Camunda parser reads only ``formKey``. Our task parsers read
the rest of what a model says about people and time from the XML itself:
``camunda:candidateGroups``, ``candidateUsers``, ``assignee``, ``dueDate``,
``followUpDate``, ``priority``; call activities with ``calledElement``,
``camunda:in``/``camunda:out`` and multi-instance collections; service tasks
bound to a plugin handler with ``chidao:handler``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.camunda.parser.CamundaParser import NSMAP as CAMUNDA_NSMAP
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, UserTaskParser

from .. import safe_xml
from ..errors import DefinitionError
from .events import CLOCK_TIMERS, VariablesMessage
from .loops import use_bounded_loops
from .references import local_references
from .settled import settled
from .specs import (
    Assignment,
    CallActivityTask,
    CallSettings,
    ExternalServiceTask,
    HandlerServiceTask,
    HumanTaskSpec,
    VariableMapping,
)

CHIDAO_NS = "https://chidao.gov.vn/schema/bpmn"
NSMAP = {**CAMUNDA_NSMAP, "chidao": CHIDAO_NS}


class HumanTaskParser(UserTaskParser):
    """A user task with its Camunda assignment attributes."""

    def create_task(self):
        assignment = Assignment(
            candidate_groups=self.attribute("candidateGroups", "camunda"),
            candidate_users=self.attribute("candidateUsers", "camunda"),
            assignee=self.attribute("assignee", "camunda"),
            due_date=self.attribute("dueDate", "camunda"),
            follow_up_date=self.attribute("followUpDate", "camunda"),
            priority=self.attribute("priority", "camunda"),
        )
        return self.spec_class(self.spec, self.bpmn_id, form=self.get_form(),
                               assignment=assignment, **self.bpmn_attributes)


class HandlerServiceTaskParser(CamundaTaskParser):
    """A service task bound to a plugin handler."""

    def create_task(self):
        handler = self.attribute("handler", "chidao")
        if not handler:
            delegate = self.attribute("delegateExpression", "camunda") or ""
            if delegate.startswith("${") and delegate.endswith("}"):
                handler = delegate[2:-1].strip()
        kind = self.attribute("type", "camunda")
        if not handler and kind == "external":
            topic = self.attribute("topic", "camunda")
            if not topic:
                self.raise_validation_exception("Tác vụ dịch vụ bên ngoài thiếu camunda:topic.")
            return ExternalServiceTask(self.spec, self.bpmn_id, topic=topic, **self.bpmn_attributes)
        if not handler:
            detail = (
                f"kiểu '{kind}' chưa được hỗ trợ" if kind
                else "thiếu thuộc tính chidao:handler (tên bộ xử lý đã đăng ký)"
            )
            self.raise_validation_exception(f"Tác vụ dịch vụ: {detail}.")
        return self.spec_class(self.spec, self.bpmn_id, handler=handler, **self.bpmn_attributes)


class CallActivityParser(CamundaTaskParser):
    """A call activity run as separate process instances; multi-instance reads the collection."""

    def create_task(self):
        called = self.node.get("calledElement")
        if not called:
            self.raise_validation_exception("Hoạt động gọi (call activity) thiếu calledElement.")
        mi = self.xpath("./bpmn:multiInstanceLoopCharacteristics")
        collection = element_variable = cardinality = None
        if mi:
            if mi[0].get("isSequential") == "true":
                self.raise_validation_exception(
                    "Hoạt động gọi nhiều lần tuần tự (isSequential) chưa được hỗ trợ; hãy dùng song song.")
            collection = self.attribute("collection", "camunda", mi[0])
            element_variable = self.attribute("elementVariable", "camunda", mi[0])
            card = self.xpath("./bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality")
            cardinality = card[0].text if card else None
            if collection is None and cardinality is None:
                self.raise_validation_exception(
                    "Hoạt động gọi nhiều lần phải có camunda:collection hoặc loopCardinality.")
        version = self.attribute("calledElementVersion", "camunda")
        call = CallSettings(
            called_element=called,
            binding=self.attribute("calledElementBinding", "camunda") or "latest",
            version=int(version) if version and version.isdigit() else None,
            inputs=tuple(self._mappings("in")),
            outputs=tuple(self._mappings("out")),
            collection=collection,
            element_variable=element_variable,
            cardinality=cardinality,
        )
        return self.spec_class(self.spec, self.bpmn_id, call=call, **self.bpmn_attributes)

    def _mappings(self, direction: str) -> Iterable[VariableMapping]:
        for node in self.xpath(f"./bpmn:extensionElements/camunda:{direction}"):
            if node.get("businessKey") is not None:
                continue  # the business key is always handed down to the child
            yield VariableMapping(
                source=node.get("source"),
                source_expression=node.get("sourceExpression"),
                target=node.get("target"),
                all_variables=node.get("variables") == "all",
                local=node.get("local") == "true",
            )

    def _add_multiinstance_task(self, loop_characteristics):
        # Multi-instance is handled by the engine (one child instance per
        # item), so the spec is not wrapped in SpiffWorkflow's MI task.
        return None


class ClockEvents:
    """Event parsing that uses the engine's clock for timers and sets message variables."""

    def parse_timer_event(self, event):
        definition = super().parse_timer_event(event)
        return CLOCK_TIMERS[type(definition)](definition.name, definition.expression,
                                             description=definition.description)

    def parse_message_event(self, message_event):
        definition = super().parse_message_event(message_event)
        return VariablesMessage(definition.name, definition.correlation_properties, definition.expression,
                                definition.result_var, description=definition.description)


class StartEventParser(ClockEvents, CamundaStartEventParser):
    pass


class IntermediateCatchEventParser(ClockEvents, CamundaIntermediateCatchEventParser):
    pass


class BoundaryEventParser(ClockEvents, CamundaBoundaryEventParser):
    pass


use_bounded_loops()


class ChidaoParser(CamundaParser):
    """CamundaParser with our task and event parsers."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("startEvent"): (StartEventParser, StartEvent),
        full_tag("intermediateCatchEvent"): (IntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("boundaryEvent"): (BoundaryEventParser, BoundaryEvent),
        full_tag("userTask"): (HumanTaskParser, HumanTaskSpec),
        full_tag("serviceTask"): (HandlerServiceTaskParser, HandlerServiceTask),
        full_tag("callActivity"): (CallActivityParser, CallActivityTask),
    }

    def __init__(self):
        super().__init__(namespaces=NSMAP)


@dataclass(frozen=True)
class ParsedProcess:
    """One executable process of a file."""

    key: str
    name: str | None
    spec: BpmnProcessSpec
    initiator: str | None = None
    start_form_key: str | None = None
    subprocesses: dict[str, BpmnProcessSpec] = field(default_factory=dict)


def _problem(message: str, element_id: str | None = None) -> dict:
    return {"element_id": element_id, "element_name": None, "message": message}


def parse_bpmn(xml: bytes, filename: str) -> list[ParsedProcess]:
    """Parse a BPMN file and return its executable processes.

    Raises ``DefinitionError`` naming the element and the problem; no parser
    exception escapes as it is.
    """
    try:
        root = safe_xml.parse(xml)
    except etree.XMLSyntaxError as exc:
        raise DefinitionError(f"Tệp {filename} không phải XML hợp lệ: {exc.msg}.",
                              [_problem(f"XML không hợp lệ: {exc.msg}")]) from None
    local_references(root)
    parser = ChidaoParser()
    try:
        parser.add_bpmn_xml(etree.ElementTree(root), filename=filename)
        processes = []
        for key in parser.get_process_ids():
            node = parser.get_process_parser(key).node
            starts = node.xpath("./bpmn:startEvent/@camunda:initiator", namespaces=NSMAP)
            forms = node.xpath("./bpmn:startEvent/@camunda:formKey", namespaces=NSMAP)
            subprocesses = {name: settled(sub) for name, sub in parser.get_subprocess_specs(key).items()}
            processes.append(ParsedProcess(key, node.get("name"), settled(parser.get_spec(key)),
                                           starts[0] if starts else None, forms[0] if forms else None, subprocesses))
    except ValidationException as exc:
        element = getattr(exc, "id", None)
        message = str(exc).split("\n")[0]
        raise DefinitionError(
            f"Không đọc được quy trình trong {filename}: phần tử {element or '?'}: {message}",
            [_problem(message, element)],
        ) from None
    if not processes:
        raise DefinitionError(f"Tệp {filename} không có quy trình nào đánh dấu isExecutable=\"true\".",
                              [_problem("Không có quy trình thực thi được")])
    return processes
