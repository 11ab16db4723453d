"""References between BPMN elements written as qualified names (``messageRef="tns:Message_1"``).

BPMN types these references as QNames, and models exported by some tools prefix them with
the prefix of the file's target namespace. Camunda resolves such a reference to the element
with that id; SpiffWorkflow looks the text up as an id and fails. ``local_references``
rewrites a prefixed reference to the bare id when the document has an element with that id,
before the validator and the parser read the file (the stored file stays as it was given).
"""
from __future__ import annotations

#: Attributes holding a reference to another element of the file.
REFERENCES = ("sourceRef", "targetRef", "attachedToRef", "messageRef", "signalRef", "errorRef", "escalationRef",
              "default", "processRef", "dataObjectRef", "dataStoreRef", "bpmnElement", "sourceElement",
              "targetElement")
#: Elements whose text is a reference.
REFERENCE_ELEMENTS = ("incoming", "outgoing", "flowNodeRef", "sourceRef", "targetRef")


def _local_id(value: str | None, ids: set[str]) -> str | None:
    if value and ":" in value and value not in ids:
        bare = value.rsplit(":", 1)[1]
        if bare in ids:
            return bare
    return None


def local_references(root) -> None:
    """Rewrite prefixed references that name an element of the document to its bare id (in place)."""
    ids = {node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for name in REFERENCES:
            bare = _local_id(node.get(name), ids)
            if bare:
                node.set(name, bare)
        if node.tag.rsplit("}", 1)[-1] in REFERENCE_ELEMENTS and node.text:
            bare = _local_id(node.text.strip(), ids)
            if bare:
                node.text = bare
