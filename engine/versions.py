"""Between versions of a process: what changed, and moving running instances to a newer one.

A running instance stays on the version it started with. An administrator may
migrate chosen instances when the change is compatible: every step the
instance has passed or waits in still exists in the target version. The
preview says what happens to each; an incompatible migration is refused with
the reason and nothing is written; every migration is recorded in the
instance's history and in the operation log.
"""
from __future__ import annotations

import json
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import safe_xml
from .bpmn.migration import repredict
from .errors import Conflict, NotFound
from .history import HistoryWriter
from .identity import Actor
from .models import HumanTask, ProcessDefinition, ProcessInstance
from .oplog import log_operation
from .validation import BPMN, FLOW_NODES

IGNORED_CHILDREN = {"incoming", "outgoing"}


def _elements(xml: str) -> dict[str, tuple[str, str | None, bytes]]:
    """Flow elements by id: (kind, name, a canonical form of their content without DI)."""
    root = safe_xml.parse(xml)
    found = {}
    for node in root.iter(f"{{{BPMN}}}*"):
        kind = etree.QName(node).localname
        if kind not in FLOW_NODES and kind != "sequenceFlow":
            continue
        copy = deepcopy(node)
        copy.tail = None
        for child in list(copy):
            if isinstance(child.tag, str) and etree.QName(child).localname in IGNORED_CHILDREN | set(FLOW_NODES) | {
                    "sequenceFlow", "laneSet"}:
                copy.remove(child)
        found[node.get("id")] = (kind, node.get("name"), etree.tostring(copy, method="c14n"))
    return found


@dataclass
class Diff:
    """Elements added, removed and changed from one version to the next."""

    added: list[tuple[str, str, str | None]] = field(default_factory=list)
    removed: list[tuple[str, str, str | None]] = field(default_factory=list)
    changed: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff(old_xml: str | None, new_xml: str) -> Diff:
    """What differs between two BPMN files, element by element (diagram layout ignored)."""
    old = _elements(old_xml) if old_xml else {}
    new = _elements(new_xml)
    result = Diff()
    for element_id, (kind, name, content) in new.items():
        if element_id not in old:
            result.added.append((element_id, kind, name))
        elif old[element_id] != (kind, name, content):
            result.changed.append((element_id, kind, name))
    result.removed = [(i, kind, name) for i, (kind, name, _) in old.items() if i not in new]
    return result


@dataclass
class Plan:
    """What a migration would do to one instance."""

    instance_id: str
    business_key: str | None
    waiting_in: list[str]
    compatible: bool
    reason: str


def _spec_names(state: dict, key: str) -> set[tuple[str | None, str]]:
    """(subprocess name or None, task spec name) of every task in a stored state."""
    names = {(None, task["task_spec"]) for task in state.get("tasks", {}).values()}
    for sub in state.get("subprocesses", {}).values():
        names |= {(sub.get("spec"), task["task_spec"]) for task in sub.get("tasks", {}).values()}
    return names


def plan_migration(engine, session: Session, instance: ProcessInstance, target: ProcessDefinition) -> Plan:
    """Whether ``instance`` can move to ``target``, and why not."""
    waiting = [e["name"] for e in instance.active_elements]
    if instance.status != "running":
        return Plan(instance.id, instance.business_key, waiting, False, "Phiên đã kết thúc, không cần chuyển.")
    if target.key != instance.definition_key:
        return Plan(instance.id, instance.business_key, waiting, False,
                    f"Phiên thuộc quy trình «{instance.definition_key}», không phải «{target.key}».")
    if target.id == instance.definition_id:
        return Plan(instance.id, instance.business_key, waiting, False, "Phiên đã ở phiên bản này.")
    model = engine.model_of(target)
    known = {(None, name) for name in model.spec.task_specs}
    for sub_name, sub_spec in model.subprocesses.items():
        known |= {(sub_name, name) for name in sub_spec.task_specs}
    missing = sorted(name for sub, name in _spec_names(json.loads(instance.state), target.key) - known)
    if missing:
        return Plan(instance.id, instance.business_key, waiting, False,
                    f"Phiên bản {target.version} không còn các bước phiên đã đi qua hoặc đang chờ: "
                    f"{', '.join(missing)}.")
    return Plan(instance.id, instance.business_key, waiting, True,
                f"Chuyển sang phiên bản {target.version}; tiếp tục từ: {', '.join(waiting) or 'không có bước chờ'}.")


def migrate(engine, session: Session, instance_ids: list[str], target_id: str, actor: Actor) -> list[Plan]:
    """Move the instances to ``target_id``, all or none; raises ``Conflict`` naming each refusal."""
    target = session.get(ProcessDefinition, target_id)
    if target is None:
        raise NotFound(f"Không tìm thấy phiên bản quy trình {target_id}.")
    instances = list(session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(instance_ids))
                                     .with_for_update()))
    if len(instances) != len(set(instance_ids)):
        raise NotFound("Có phiên quy trình được chọn không còn tồn tại.")
    plans = [plan_migration(engine, session, instance, target) for instance in instances]
    refused = [p for p in plans if not p.compatible]
    if refused:
        raise Conflict("Không chuyển được: " + " ".join(f"{p.business_key or p.instance_id}: {p.reason}"
                                                          for p in refused))
    history = HistoryWriter(session)
    now = engine.clock.now()
    for instance in instances:
        source = instance.definition_id
        instance.definition_id, instance.definition = target.id, target
        workflow = engine.load_workflow(instance)  # the stored state read under the new version…
        repredict(workflow)  # …goes on along the new version's flow from where it waits
        instance.state = engine.state.dump(workflow)
        for task in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)):
            task.definition_id = target.id
        history.append(instance_id=instance.id, definition_id=target.id, event_type="instance_migrated", at=now,
                       actor=actor, data={"from": source, "to": target.id})
        log_operation(session, actor, now, "migrate", instance.id, target.sha256, source=source, version=target.id)
    session.flush()
    return plans
