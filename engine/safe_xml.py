"""The one way the product reads XML that came from a user (models, drafts, stored versions).

No DTD is loaded, no entity is resolved, nothing is fetched from the network or the disk, and a
document nested absurdly deep is refused by libxml2's own limits. A document type declaration has
no place in BPMN: ``doctype_problem`` names it so an upload can be refused before it is stored.
"""
from __future__ import annotations

from lxml import etree


def parse(xml: bytes | str) -> etree._Element:
    """The root element of ``xml``, read without DTDs or entities; raises ``etree.XMLSyntaxError``."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser=parser)  # a parser per call: lxml parsers are not shared across threads


def doctype_problem(xml: bytes, root: etree._Element | None = None) -> str | None:
    """Why ``xml`` (and its ``root`` when ``parse`` could read it) is refused for a DOCTYPE or entities,
    None when it has neither. An entity used where the parser cannot leave it unread makes the file
    unreadable; the DOCTYPE is then the reason given."""
    info = root.getroottree().docinfo if root is not None else None
    declared = info is not None and (info.doctype or info.internalDTD is not None or info.externalDTD is not None)
    if declared or (root is None and b"<!DOCTYPE" in xml):
        return ("Tệp khai báo DOCTYPE (định nghĩa kiểu tài liệu, thực thể XML); mô hình BPMN không dùng đến và hệ "
                "thống không nhận, vì thực thể có thể đọc tệp trên máy chủ. Hãy xóa phần <!DOCTYPE …> rồi tải lên lại.")
    return None
