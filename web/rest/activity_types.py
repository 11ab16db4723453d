"""Camunda's ``activityType`` of a BPMN element (its ``ActivityTypes`` vocabulary): the element's kind,
and for an event what it catches or throws, read from the definition's XML."""
from __future__ import annotations

from functools import lru_cache

from lxml import etree

from engine import safe_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

#: An event's kind by where it stands and what its event definition is ("" for none).
EVENT_TYPES = {
    "startEvent": {"": "startEvent", "timer": "startTimerEvent", "message": "messageStartEvent",
                   "signal": "signalStartEvent", "error": "errorStartEvent", "escalation": "escalationStartEvent",
                   "conditional": "conditionalStartEvent", "compensate": "compensationStartEvent"},
    "endEvent": {"": "noneEndEvent", "error": "errorEndEvent", "cancel": "cancelEndEvent",
                 "terminate": "terminateEndEvent", "message": "messageEndEvent", "signal": "signalEndEvent",
                 "compensate": "compensationEndEvent", "escalation": "escalationEndEvent"},
    "intermediateCatchEvent": {"message": "intermediateMessageCatch", "signal": "intermediateSignalCatch",
                               "timer": "intermediateTimer", "link": "intermediateLinkCatch",
                               "conditional": "intermediateConditional"},
    "intermediateThrowEvent": {"": "intermediateNoneThrowEvent", "message": "intermediateMessageThrowEvent",
                               "signal": "intermediateSignalThrow", "link": "intermediateLinkThrow",
                               "escalation": "intermediateEscalationThrowEvent",
                               "compensate": "intermediateCompensationThrowEvent"},
    "boundaryEvent": {"timer": "boundaryTimer", "message": "boundaryMessage", "signal": "boundarySignal",
                      "error": "boundaryError", "escalation": "boundaryEscalation", "cancel": "cancelBoundaryCatch",
                      "compensate": "compensationBoundaryCatch", "conditional": "boundaryConditional"},
}
#: Elements whose tag is their type.
NAMED_TYPES = {"task", "scriptTask", "serviceTask", "businessRuleTask", "manualTask", "userTask", "sendTask",
               "receiveTask", "exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway",
               "eventBasedGateway", "subProcess", "adHocSubProcess", "callActivity", "transaction"}


def _event_type(tag: str, element) -> str:
    kinds = [etree.QName(child).localname.removesuffix("EventDefinition") for child in element
             if isinstance(child.tag, str) and etree.QName(child).localname.endswith("EventDefinition")]
    table = EVENT_TYPES[tag]
    if len(kinds) > 1:
        return {"startEvent": "multipleStartEvent", "endEvent": "multipleEndEvent",
                "boundaryEvent": "boundaryMultiple"}.get(tag, "intermediateMultiple")
    return table.get(kinds[0] if kinds else "", tag)


@lru_cache(maxsize=256)
def activity_types(definition_id: str, bpmn_xml: str) -> dict[str, str]:
    """Every element id of a definition with its Camunda activity type (definitions never change, so
    the map is kept per definition). A file that cannot be read (stored before uploads were checked)
    gives an empty map: its activities then have no type."""
    try:
        root = safe_xml.parse(bpmn_xml)
    except etree.XMLSyntaxError:
        return {}
    found: dict[str, str] = {}
    for element in root.iter(f"{{{BPMN}}}*"):
        tag, element_id = etree.QName(element).localname, element.get("id")
        if element_id is None:
            continue
        if tag in EVENT_TYPES:
            found[element_id] = _event_type(tag, element)
        elif tag in NAMED_TYPES:
            found[element_id] = tag
    return found
