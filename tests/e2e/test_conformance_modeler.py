"""Every reference model of the BPMN MIWG opens in the modeler, and saving it unchanged keeps its meaning."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from .test_agency_report import _sign_in

pytestmark = pytest.mark.browser

CONFORMANCE = sorted((Path(__file__).parents[1] / "conformance").glob("*.bpmn"))
DIAGRAM = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
           "http://www.omg.org/spec/DD/20100524/DI")
#: Which tool wrote the file: every tool writes its own name here.
TOOL_ATTRIBUTES = {"{http://www.w3.org/2001/XMLSchema-instance}type", "exporter", "exporterVersion"}
#: Attributes at their BPMN 2.0 default value mean the same when a tool leaves them out.
DEFAULTS = {("completionQuantity", "1"), ("startQuantity", "1"), ("isForCompensation", "false"),
            ("isInterrupting", "true"), ("cancelActivity", "true"), ("parallelMultiple", "false"),
            ("isClosed", "false"), ("instantiate", "false"), ("triggeredByEvent", "false"),
            ("gatewayDirection", "Unspecified"), ("eventGatewayType", "Exclusive"), ("isSequential", "false"),
            ("processType", "None"), ("isImmediate", "true"), ("implementation", "##WebService"),
            ("implementation", "##unspecified"), ("isCollection", "false"), ("associationDirection", "None"),
            ("waitForCompletion", "true"), ("itemKind", "Information"), ("isUnlimited", "false"),
            ("capacity", "0"), ("method", "##unspecified"), ("isHorizontal", "false"),
            ("behavior", "All"), ("ordering", "Parallel"), ("cancelRemainingInstances", "true"),
            ("testBefore", "false"), ("textFormat", "text/plain"),
            ("expressionLanguage", "http://www.w3.org/1999/XPath"), ("typeLanguage", "http://www.w3.org/2001/XMLSchema")}
#: Elements of a substitution group, written either way by tools.
SAME_AS = {"{http://www.omg.org/spec/BPMN/20100524/MODEL}formalExpression":
           "{http://www.omg.org/spec/BPMN/20100524/MODEL}expression"}
#: What bpmn-js itself drops when it writes C.8.1 again: references to messages the file never defines
#: («triso:unspecified») and a vendor attribute written twice. Our modeler saves an unedited file unchanged.
BPMN_JS_DROPS = {"C.8.1.bpmn": {"outMessageRef", "allowedValues"}}


def _text(value: str) -> str:
    return " ".join(value.split())


def meaning(xml: bytes) -> set[tuple]:
    """Every model element (not the diagram) with its attributes and text, independent of prefixes and order."""
    root = etree.fromstring(xml)
    found = set()
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace in DIAGRAM:
            continue
        parent = node.getparent()
        attributes = tuple(sorted((k, _text(v)) for k, v in node.attrib.items()
                                  if k not in TOOL_ATTRIBUTES and (k, v) not in DEFAULTS))
        found.add((SAME_AS.get(node.tag, node.tag), parent.get("id") if parent is not None else None, attributes,
                   _text(node.text or "")))
    return found


@pytest.fixture
def admin_page(live_server, page):
    _sign_in(page, live_server, "admin")
    return page


def _open(page, live_server, path: Path) -> None:
    page.goto(f"{live_server}/admin/processes")
    page.set_input_files("#bpmn-file", str(path))
    page.click("#open-in-modeler")
    page.wait_for_selector("#modeler-page[data-ready=true]")
    assert page.locator("#canvas .djs-element").count() > 1


@pytest.mark.parametrize("path", CONFORMANCE, ids=lambda p: p.name)
def test_the_model_opens_and_saving_it_unedited_keeps_its_meaning(admin_page, live_server, path):
    _open(admin_page, live_server, path)
    original = meaning(path.read_bytes())
    assert meaning(admin_page.evaluate("() => window.chidaoExport()").encode("utf-8")) == original
    rewritten = admin_page.evaluate("() => window.chidaoModeler.saveXML({ format: true }).then(r => r.xml)")
    again = meaning(rewritten.encode("utf-8"))
    allowed = BPMN_JS_DROPS.get(path.name, set())
    assert {etree.QName(tag).localname for tag, *_ in original - again} <= allowed
    assert {etree.QName(tag).localname for tag, *_ in again - original} <= allowed
