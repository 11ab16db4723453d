"""Electronic documents for the national document-exchange axis: the edXML envelope of QCVN
102:2016/BTTTT, built with lxml from a distributed directive's process variables.

The directive process hands a directive that must go outside the province's own system to an
external task (topic ``edxml``). A worker (``chidao edxml-worker``, or any Camunda external-task
client) builds the envelope with :func:`envelope`, writes it to its outbox and completes the task
with the package's identifier and SHA-256.
"""
from __future__ import annotations

import hashlib
from typing import Any

from lxml import etree

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
E = f"{{{NS}}}"
DOCUMENT_TYPES = {"cong_van": ("1", "Công văn"), "thong_bao_ket_luan": ("2", "Thông báo")}


def exchange_header(directory, signer, authority_label: str, recipients: list[str]) -> dict[str, Any]:
    """What the envelope needs beyond the directive's own variables: names of the sender, the
    recipients and the signer, computed once when the directive is distributed."""
    return {
        "from": {"id": "UBND", "name": directory.name("UBND")},
        "to": [{"id": code, "name": directory.name(code)} for code in recipients],
        "signer": {"competence": authority_label, "position": signer.title if signer else None,
                   "name": signer.full_name if signer else None},
    }


def _text(parent, tag: str, value: Any) -> etree._Element:
    node = etree.SubElement(parent, E + tag)
    if value not in (None, ""):
        node.text = str(value)
    return node


def _organ(parent, tag: str, organ: dict[str, Any]) -> None:
    node = etree.SubElement(parent, E + tag)
    _text(node, "OrganId", organ.get("id"))
    _text(node, "OrganName", organ.get("name"))


def envelope(variables: dict[str, Any], document_id: str) -> bytes:
    """The edXML envelope of a registered directive (UTF-8 XML)."""
    header_data = variables.get("exchange") or {}
    number_text = variables.get("number_text") or ""
    number, _, notation = number_text.partition("/")
    root = etree.Element(E + "edXMLEnvelope", nsmap={"edXML": NS})
    message = etree.SubElement(etree.SubElement(root, E + "edXMLHeader"), E + "MessageHeader")
    _organ(message, "From", header_data.get("from") or {})
    for organ in header_data.get("to") or []:
        _organ(message, "To", organ)
    _text(message, "DocumentId", document_id)
    code = etree.SubElement(message, E + "Code")
    _text(code, "CodeNumber", number)
    _text(code, "CodeNotation", notation)
    promulgation = etree.SubElement(message, E + "PromulgationInfo")
    _text(promulgation, "Place", variables.get("place"))
    _text(promulgation, "PromulgationDate", variables.get("issued_on"))
    kind = etree.SubElement(message, E + "DocumentType")
    type_code, type_name = DOCUMENT_TYPES.get(variables.get("kind"), ("0", variables.get("kind")))
    _text(kind, "Type", type_code)
    _text(kind, "TypeName", type_name)
    _text(message, "Subject", variables.get("subject"))
    _text(message, "Content", variables.get("body"))
    signer = etree.SubElement(message, E + "SignerInfo")
    for tag, key in (("Competence", "competence"), ("Position", "position"), ("FullName", "name")):
        _text(signer, tag, (header_data.get("signer") or {}).get(key))
    places = etree.SubElement(message, E + "ToPlaces")
    for organ in header_data.get("to") or []:
        _text(places, "Place", organ.get("name"))
    other = etree.SubElement(message, E + "OtherInfo")
    _text(other, "Priority", "0")
    _text(other, "PromulgationAmount", variables.get("copies"))
    _text(message, "SteeringType", "1")
    etree.SubElement(root, E + "edXMLBody")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def package(variables: dict[str, Any], document_id: str) -> tuple[bytes, dict[str, str]]:
    """The envelope and the variables a worker completes the task with."""
    content = envelope(variables, document_id)
    return content, {"edxml_document_id": document_id, "edxml_sha256": hashlib.sha256(content).hexdigest()}
