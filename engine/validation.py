"""Validation of a BPMN file before it may become a deployed version.

Used alike by the browser modeler, the upload and the REST deployment. It
answers every file with a list of problems, each naming the element (id and
name) and saying in a sentence what is missing or unsupported; an empty list
means deployable. No exception escapes: whatever the parser raises becomes a
problem of the file.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from lxml import etree

from . import safe_xml
from .bpmn.expressions import expression_bodies, is_expression, juel_to_python
from .bpmn.parser import CHIDAO_NS, parse_bpmn
from .bpmn.references import local_references
from .bpmn.safe_eval import ExpressionRefused, compile_expression, compile_script
from .bpmn.timer_values import TimerValueError, check_literal, literal_or_expression
from .errors import DefinitionError
from .models import HumanTask, ProcessDefinition

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"

#: How long what a model names may be, so that every row it leads to fits its column. A version's id is
#: «key:version:uuid» (36 characters of uuid, up to 6 digits of version).
LONGEST = {
    "process id": ProcessDefinition.id.type.length - 36 - 2 - 6,
    "process name": ProcessDefinition.name.type.length,
    "id": HumanTask.element_id.type.length,
    "name": HumanTask.name.type.length,
    "formKey": HumanTask.form_key.type.length,
    "candidateGroups": HumanTask.candidate_groups_text.type.length,
}
NS = {"bpmn": BPMN, "camunda": CAMUNDA, "chidao": CHIDAO_NS}

#: Flow elements the engine does not run, with the sentence that says so.
UNSUPPORTED = {
    "complexGateway": "Cổng phức hợp (complex gateway) chưa được hỗ trợ.",
    "adHocSubProcess": "Tiểu quy trình ad-hoc chưa được hỗ trợ.",
    "dataStoreReference": "Kho dữ liệu (data store) chưa được hỗ trợ; hãy dùng biến hoặc đối tượng dữ liệu.",
    "sendTask": "Tác vụ gửi (send task) chưa được hỗ trợ; hãy dùng sự kiện ném thông điệp.",
    "receiveTask": "Tác vụ nhận (receive task) chưa được hỗ trợ; hãy dùng sự kiện bắt thông điệp.",
}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
              "task", "userTask", "serviceTask", "scriptTask", "manualTask", "businessRuleTask", "sendTask",
              "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess", "exclusiveGateway",
              "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")


#: What an element's text is, when it holds a template of ``${…}`` pieces.
_EXPRESSION_TEXTS = {"timeDate": "thời gian", "timeDuration": "thời gian", "timeCycle": "thời gian"}
#: Elements whose whole text is evaluated as one expression (bare or in ``${…}``), with what it is.
WHOLE_TEXTS = {"conditionExpression": "điều kiện", "loopCardinality": "số lần lặp",
               "completionCondition": "điều kiện xong", "condition": "điều kiện"}
#: Attributes whose whole value is evaluated as one expression.
WHOLE_ATTRIBUTES = {"sourceExpression"}

#: Camunda attributes the engine reads, with what they do here.
UNDERSTOOD_ATTRIBUTES = {
    "candidateGroups": "nhóm xử lý", "candidateUsers": "người có thể xử lý", "assignee": "người được giao",
    "dueDate": "hạn xử lý", "followUpDate": "ngày theo dõi", "priority": "độ ưu tiên", "formKey": "biểu mẫu",
    "initiator": "biến lưu người khởi tạo", "collection": "danh sách lặp", "elementVariable": "biến phần tử lặp",
    "delegateExpression": "bộ xử lý đã đăng ký", "calledElementBinding": "cách chọn phiên bản quy trình được gọi",
    "calledElementVersion": "phiên bản quy trình được gọi", "asyncBefore": "bỏ qua (mọi bước chạy ngay)",
    "asyncAfter": "bỏ qua (mọi bước chạy ngay)", "exclusive": "bỏ qua", "versionTag": "bỏ qua",
    "historyTimeToLive": "bỏ qua (lịch sử được giữ mãi)", "jobPriority": "bỏ qua", "taskPriority": "bỏ qua",
    "type": "external: bước do hệ thống bên ngoài thực hiện qua /engine-rest/external-task",
    "topic": "chủ đề mà hệ thống bên ngoài lấy việc",
}
#: Camunda attributes and elements whose meaning the engine cannot keep: a model using them is refused.
REFUSED = {
    "class": "lớp Java (camunda:class) không chạy được ở đây; hãy chọn một bộ xử lý đã đăng ký",
    "expression": "biểu thức gọi mã Java (camunda:expression) không chạy được ở đây",
    "executionListener": "bộ lắng nghe thực thi (camunda:executionListener) chưa được hỗ trợ",
    "taskListener": "bộ lắng nghe tác vụ (camunda:taskListener) chưa được hỗ trợ",
    "inputOutput": "ánh xạ vào/ra (camunda:inputOutput) chưa được hỗ trợ; hãy dùng biến của quy trình",
    "connector": "bộ kết nối (camunda:connector) chưa được hỗ trợ",
    "resultVariable": "camunda:resultVariable chưa được hỗ trợ",
}
#: Camunda elements read as they are.
UNDERSTOOD_ELEMENTS = {"properties": "thuộc tính mở rộng", "property": "thuộc tính mở rộng",
                       "in": "biến truyền vào quy trình được gọi", "out": "biến nhận về từ quy trình được gọi",
                       "formData": "bỏ qua: biểu mẫu lấy theo formKey (JSON Schema)",
                       "formField": "bỏ qua: biểu mẫu lấy theo formKey (JSON Schema)",
                       "failedJobRetryTimeCycle": "bỏ qua: việc lỗi được thử lại 3 lần"}


ACTIVITI = "http://activiti.org/bpmn"
ACTIVITI_NOTE = "thuộc tính Activiti không được đọc; hãy dùng không gian tên Camunda (http://camunda.org/schema/1.0/bpmn)"


def camunda_extensions(root) -> list[dict]:
    """Every camunda: attribute or element a model uses, whether it is understood, and what it does here.

    Attributes in the older Activiti namespace are listed as not understood.
    """
    found = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        owner = node  # the BPMN element the extension belongs to: the nearest with an id (not extensionElements)
        while owner is not None and (etree.QName(owner).namespace != BPMN or owner.get("id") is None):
            owner = owner.getparent()
        for attribute in node.attrib:
            if etree.QName(attribute).namespace == ACTIVITI:
                found.append(_usage(owner, f"activiti:{etree.QName(attribute).localname}", False, ACTIVITI_NOTE))
        if etree.QName(node).namespace == ACTIVITI:
            found.append(_usage(owner, f"activiti:{etree.QName(node).localname}", False, ACTIVITI_NOTE))
        if etree.QName(node).namespace == CAMUNDA:
            name = etree.QName(node).localname
            found.append(_usage(owner, f"camunda:{name}", name not in REFUSED,
                                REFUSED.get(name) or UNDERSTOOD_ELEMENTS.get(name, "bỏ qua")))
        for attribute in node.attrib:
            if etree.QName(attribute).namespace == CAMUNDA:
                name = etree.QName(attribute).localname
                found.append(_usage(owner, f"camunda:{name}", name not in REFUSED,
                                    REFUSED.get(name) or UNDERSTOOD_ATTRIBUTES.get(name, "bỏ qua")))
    return found


def _usage(owner, extension: str, understood: bool, note: str) -> dict:
    return {"element_id": owner.get("id") if owner is not None else None,
            "element_name": owner.get("name") if owner is not None else None,
            "extension": extension, "understood": understood, "note": note}


@dataclass(frozen=True)
class Problem:
    """One thing that stops a file from being deployed."""

    element_id: str | None
    element_name: str | None
    message: str

    def as_json(self) -> dict:
        return asdict(self)


def _q(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def _local(node) -> str:
    """The element's name without namespace ("" for a comment or processing instruction)."""
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


class _Checker:
    def __init__(self, root, forms: Iterable[str], handlers: Iterable[str], functions: Iterable[str] = (),
                 scripts_enabled: bool = False):
        self.root = root
        self.functions = frozenset(functions)
        self.scripts_enabled = scripts_enabled
        self.defined = {kind: {e.get("id") for e in root.findall(_q(kind))}
                        for kind in ("message", "signal", "error", "escalation")}
        self.forms = set(forms)
        self.handlers = set(handlers)
        self.problems: list[Problem] = []

    def add(self, node, message: str) -> None:
        self.problems.append(Problem(node.get("id") if node is not None else None,
                                     node.get("name") if node is not None else None, message))

    def label(self, node) -> str:
        return f"«{node.get('name') or node.get('id')}»"

    @staticmethod
    def unnamed(node) -> str:
        """How to point at an element without id: its kind, name, or where its flow goes."""
        if _local(node) == "sequenceFlow":
            return f"Luồng từ «{node.get('sourceRef')}» tới «{node.get('targetRef')}»"
        return f"Phần tử {_local(node)} «{node.get('name') or '?'}»"

    def check_script_task(self, node) -> None:
        """A script task runs only in a deployment an administrator allowed it in, and then only as
        assignments in the safe expression language (``safe_eval.compile_script``)."""
        if not self.scripts_enabled:
            self.add(node, f"Bước {self.label(node)} là tác vụ kịch bản (script task): mã kịch bản không được chạy "
                           "trên máy chủ trừ khi quản trị viên cho phép tác vụ kịch bản khi triển khai (và khi đó "
                           "kịch bản chỉ gồm các dòng gán «tên = biểu thức»); hoặc dùng một bộ xử lý đã đăng ký "
                           "(chidao:handler), hay tác vụ do hệ thống bên ngoài thực hiện (camunda:type=\"external\").")
            return
        language = (node.get("scriptFormat") or "python").strip().lower()
        script = node.find(_q("script"))
        if language != "python":
            self.add(node, f"Bước {self.label(node)}: kịch bản viết bằng «{language}» không chạy được; chỉ chạy kịch "
                           "bản scriptFormat=\"python\" gồm các dòng gán «tên = biểu thức».")
        elif script is None or not (script.text or "").strip():
            self.add(node, f"Bước {self.label(node)}: tác vụ kịch bản không có kịch bản trong mô hình "
                           "(bpmn:script); kịch bản ở tệp ngoài (camunda:resource) không được chạy.")
        else:
            try:
                compile_script(script.text, self.functions)
            except ExpressionRefused as exc:
                self.add(node, f"Bước {self.label(node)}: kịch bản {exc}.")

    def check_event_references(self, node) -> None:
        """A message, signal, error or escalation an event names must be defined in the file."""
        for kind, attribute in (("message", "messageRef"), ("signal", "signalRef"), ("error", "errorRef"),
                                ("escalation", "escalationRef")):
            for definition in node.findall(_q(f"{kind}EventDefinition")):
                ref = definition.get(attribute)
                if ref and ref not in self.defined.get(kind, set()):
                    self.add(node, f"{self.label(node)} trỏ tới {kind} «{ref}» không được khai báo trong tệp "
                                   f"(bpmn:{kind} id=\"{ref}\").")

    # -- the whole file ---------------------------------------------------------------
    def run(self) -> None:
        for usage in camunda_extensions(self.root):
            if not usage["understood"]:
                self.problems.append(Problem(usage["element_id"], usage["element_name"],
                                             f"«{usage['element_name'] or usage['element_id']}»: {usage['note']}."))
        processes = self.root.findall(_q("process"))
        if not processes:
            self.add(None, "Tệp không có quy trình (process) nào.")
        if processes and not any(p.get("isExecutable") == "true" for p in processes):
            for process in processes:
                self.add(process, f"Quy trình {self.label(process)} chưa đánh dấu thực thi được "
                                  "(isExecutable=\"true\").")
        for process in processes:
            if process.get("isExecutable") == "true":
                self.check_lengths(process)
                self.check_container(process)
                self.check_expressions_in(process)

    def check_lengths(self, process) -> None:
        """Ids, names, form keys and groups no longer than the columns that will hold them."""
        named = [(process, "process id", process.get("id")), (process, "process name", process.get("name"))]
        for node in process.iter():
            if isinstance(node.tag, str) and node is not process:
                named += [(node, "id", node.get("id")), (node, "name", node.get("name")),
                          (node, "formKey", node.get(f"{{{CAMUNDA}}}formKey")),
                          (node, "candidateGroups", node.get(f"{{{CAMUNDA}}}candidateGroups"))]
        for node, what, value in named:
            if value and len(value) > LONGEST[what]:
                self.add(node, f"{self.unnamed(node) if what.endswith('id') else self.label(node)}: {what} dài "
                               f"{len(value)} ký tự, quá giới hạn {LONGEST[what]} ký tự.")

    def check_container(self, container) -> None:
        for element in container:
            if (_local(element) in FLOW_NODES or _local(element) == "sequenceFlow") and not element.get("id"):
                self.add(element, f"{self.unnamed(element)} thiếu thuộc tính id; mỗi bước và mỗi luồng cần một id "
                                  "riêng để quy trình chạy được.")
        nodes = {n.get("id"): n for n in container if _local(n) in FLOW_NODES and n.get("id")}
        flows = [f for f in container if _local(f) == "sequenceFlow"]
        for node in container.iter():
            if not isinstance(node.tag, str):
                continue
            kind = _local(node)
            if kind in UNSUPPORTED and node.getparent() is not None:
                self.add(node, f"{self.label(node)}: {UNSUPPORTED[kind]}")
        for flow in flows:
            for end in ("sourceRef", "targetRef"):
                if flow.get(end) not in nodes:
                    self.add(flow, f"Luồng {self.label(flow)} trỏ tới phần tử «{flow.get(end)}» không có trong "
                                   "cùng quy trình.")
        for node in nodes.values():
            self.check_node(node)
            if _local(node) in ("subProcess", "transaction"):
                self.check_container(node)
        self.check_reachable(container, nodes, flows)

    def check_reachable(self, container, nodes, flows) -> None:
        targets = {}
        for flow in flows:
            targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        attached = {}
        for node in nodes.values():
            if _local(node) == "boundaryEvent":
                attached.setdefault(node.get("attachedToRef"), []).append(node.get("id"))
        starts = [i for i, n in nodes.items() if _local(n) == "startEvent"
                  or (_local(n) == "subProcess" and n.get("triggeredByEvent") == "true")]
        if not starts and _local(container) == "process":
            self.add(container, f"Quy trình {self.label(container)} không có sự kiện bắt đầu.")
        seen, stack = set(), list(starts)
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(targets.get(current, []))
            stack.extend(attached.get(current, []))
        for node_id, node in nodes.items():
            if node_id not in seen:
                self.add(node, f"{self.label(node)} không thể tới được từ sự kiện bắt đầu nào.")

    # -- one element -------------------------------------------------------------------
    def check_node(self, node) -> None:
        kind = _local(node)
        if kind == "userTask":
            self.check_user_task(node)
        elif kind == "serviceTask":
            self.check_service_task(node)
        elif kind == "businessRuleTask" and not node.get(f"{{{CAMUNDA}}}decisionRef"):
            self.add(node, f"{self.label(node)}: tác vụ quy tắc nghiệp vụ thiếu bảng quyết định "
                           "(camunda:decisionRef); bảng quyết định DMN chưa được hỗ trợ khi triển khai.")
        elif kind == "callActivity":
            self.check_call_activity(node)
        elif kind == "scriptTask":
            self.check_script_task(node)
        for definition in node.findall(_q("timerEventDefinition")):
            self.check_timer(node, definition)
        self.check_event_references(node)
        if kind in ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
                    "task", "userTask", "serviceTask", "scriptTask", "manualTask", "callActivity",
                    "startEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
            parent = node.getparent()
            has_out = any(f.get("sourceRef") == node.get("id") for f in parent if _local(f) == "sequenceFlow")
            if not has_out:
                self.add(node, f"{self.label(node)} không có luồng ra; hãy nối tới bước tiếp theo hoặc "
                               "sự kiện kết thúc.")

    def check_user_task(self, node) -> None:
        groups, users, assignee = (node.get(f"{{{CAMUNDA}}}{a}") for a in ("candidateGroups", "candidateUsers",
                                                                           "assignee"))
        if not (groups or users or assignee):
            self.add(node, f"Bước {self.label(node)} chưa có người xử lý: hãy ghi nhóm xử lý (candidate groups) "
                           "hoặc người được giao (assignee).")
        form = node.get(f"{{{CAMUNDA}}}formKey")
        if not form:
            self.add(node, f"Bước {self.label(node)} chưa chọn biểu mẫu (form key).")
        elif form not in self.forms:
            self.add(node, f"Bước {self.label(node)} dùng biểu mẫu «{form}» chưa có trong danh mục biểu mẫu.")

    def check_service_task(self, node) -> None:
        handler = node.get(f"{{{CHIDAO_NS}}}handler")
        delegate = node.get(f"{{{CAMUNDA}}}delegateExpression") or ""
        if not handler and re.fullmatch(r"\$\{[^}]+\}", delegate.strip()):
            handler = delegate.strip()[2:-1].strip()
        kind = node.get(f"{{{CAMUNDA}}}type")
        if handler:
            if handler not in self.handlers:
                self.add(node, f"Tác vụ {self.label(node)} gọi bộ xử lý «{handler}» chưa được đăng ký.")
        elif kind == "external":
            if not (node.get(f"{{{CAMUNDA}}}topic") or "").strip():
                self.add(node, f"Tác vụ {self.label(node)} do hệ thống bên ngoài thực hiện nhưng thiếu chủ đề "
                               "(camunda:topic).")
        elif kind:
            self.add(node, f"Tác vụ {self.label(node)}: kiểu camunda:type=\"{kind}\" chưa được hỗ trợ.")
        elif not (node.get(f"{{{CAMUNDA}}}class") or node.get(f"{{{CAMUNDA}}}expression")):
            self.add(node, f"Tác vụ {self.label(node)} chưa chọn bộ xử lý (chidao:handler).")

    def check_call_activity(self, node) -> None:
        if not node.get("calledElement"):
            self.add(node, f"Hoạt động gọi {self.label(node)} chưa ghi quy trình được gọi (calledElement).")
        loop = node.find(_q("multiInstanceLoopCharacteristics"))
        if loop is not None:
            if loop.get("isSequential") == "true":
                self.add(node, f"Hoạt động gọi {self.label(node)} lặp tuần tự chưa được hỗ trợ; hãy dùng song song.")
            if not loop.get(f"{{{CAMUNDA}}}collection") and loop.find(_q("loopCardinality")) is None:
                self.add(node, f"Hoạt động gọi {self.label(node)} lặp nhiều lần nhưng thiếu camunda:collection "
                               "hoặc loopCardinality.")

    def check_timer(self, node, definition) -> None:
        for kind in ("timeDate", "timeDuration", "timeCycle"):
            item = definition.find(_q(kind))
            if item is None:
                continue
            text, evaluate = literal_or_expression(item.text)
            if not text:
                self.add(node, f"Sự kiện hẹn giờ {self.label(node)} chưa có biểu thức thời gian.")
            elif not evaluate:  # an expression is checked with every other one
                try:
                    check_literal(kind, text)
                except TimerValueError as exc:
                    self.add(node, f"Sự kiện hẹn giờ {self.label(node)}: {exc}")
            return
        self.add(node, f"Sự kiện hẹn giờ {self.label(node)} chưa có thời điểm, khoảng thời gian hoặc chu kỳ.")

    def check_expressions_in(self, process) -> None:
        """Every ``${...}`` of an executable process, in any attribute or text but documentation, must be
        one the safe evaluator runs."""
        for element in process.iter():
            if not isinstance(element.tag, str) or _local(element) in ("documentation", "text", "textAnnotation"):
                continue
            owner = element
            while owner.get("id") is None and owner.getparent() is not None:
                owner = owner.getparent()
            for name, value in element.attrib.items():
                if etree.QName(name).localname in WHOLE_ATTRIBUTES and value.strip():
                    self.check_expression(owner, value, etree.QName(name).localname, whole=True)
                elif is_expression(value) and _evaluated(name):
                    self.check_expression(owner, value, etree.QName(name).localname)
            text = (element.text or "").strip()
            if _local(element) in WHOLE_TEXTS and text:
                self.check_expression(owner, text, WHOLE_TEXTS[_local(element)], whole=True)
            elif text and is_expression(text):
                self.check_expression(owner, text, _EXPRESSION_TEXTS.get(_local(element), _local(element)))

    def check_expression(self, node, text: str, what: str, whole: bool = False) -> None:
        """Compile an expression as the engine will evaluate it: each ``${…}`` of a template, or (``whole``,
        a condition or a count) the whole text, ``${…}`` wrapper or bare spelling."""
        bodies = [juel_to_python(text)] if whole or not is_expression(text) else expression_bodies(text)
        for body in bodies:
            try:
                compile_expression(body, self.functions)
            except ExpressionRefused as refused:
                self.add(node, f"{self.label(node)}: biểu thức {what} «{text.strip()}» {refused}.")
                return


def _evaluated(attribute: str) -> bool:
    """Whether the engine evaluates an attribute's expressions: not a Camunda attribute it ignores, nor one
    refused on its own account."""
    qualified = etree.QName(attribute)
    if qualified.namespace != CAMUNDA:
        return True
    note = UNDERSTOOD_ATTRIBUTES.get(qualified.localname)
    return note is not None and not note.startswith("bỏ qua")


def validate_bpmn(xml: bytes, filename: str, forms: Iterable[str], handlers: Iterable[str],
                  functions: Iterable[str] = (), scripts_enabled: bool = False) -> list[Problem]:
    """Every problem of a BPMN file (an empty list: it can be deployed); ``functions`` are the names its
    expressions may call; ``scripts_enabled``: an administrator allows its script tasks."""
    try:
        root = safe_xml.parse(xml)
    except etree.XMLSyntaxError as exc:
        refused = safe_xml.doctype_problem(xml)
        return [Problem(None, None, refused or f"Tệp không phải XML hợp lệ: {exc.msg} (dòng {exc.lineno}).")]
    refused = safe_xml.doctype_problem(xml, root)
    if refused:
        return [Problem(None, None, refused)]
    if _local(root) != "definitions" or etree.QName(root).namespace != BPMN:
        return [Problem(None, None, "Tệp không phải mô hình BPMN 2.0 (thiếu phần tử bpmn:definitions).")]
    local_references(root)
    checker = _Checker(root, forms, handlers, functions, scripts_enabled)
    checker.run()
    if checker.problems:
        return checker.problems
    try:
        parse_bpmn(xml, filename)
    except DefinitionError as exc:
        return [Problem(p["element_id"], p["element_name"], p["message"]) for p in exc.problems]
    except Exception as exc:  # noqa: BLE001 - the parser's own failures become the file's problem
        return [Problem(None, None, f"Bộ đọc BPMN không đọc được tệp: {exc.__class__.__name__} {exc}.")]
    return []
