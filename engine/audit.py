"""Verification of the whole store: every instance replayed, every anchor checked, every called
instance present."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .anchor import check_anchors
from .anchor_witness import AnchorWitness
from .models import HistoryEvent, ProcessInstance
from .replay import ReplayResult, replay_instance


@dataclass
class Finding:
    """One instance (or the anchors, ``instance_id`` None) that did not verify, in a sentence."""

    instance_id: str | None
    message: str


@dataclass
class AuditReport:
    """What ``verify_all`` found."""

    instances: int = 0
    events: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.findings


def stored_instance_ids(session: Session) -> list[str]:
    """Every instance that has a row or a history, oldest first."""
    ids = list(session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.started_at, ProcessInstance.id)))
    known = set(ids)
    orphans = session.scalars(select(HistoryEvent.instance_id).distinct())
    return ids + sorted(i for i in orphans if i not in known)


def missing_calls(session: Session, instance_id: str | None = None) -> list[tuple[HistoryEvent, str]]:
    """Every ``call_started`` event (of one parent, when given) with the called instance it names that is
    gone, history and all."""
    calls = select(HistoryEvent).where(HistoryEvent.event_type == "call_started")
    if instance_id is not None:
        calls = calls.where(HistoryEvent.instance_id == instance_id)
    started = [(event, child) for event in session.scalars(calls) for child in (event.data or {}).get("children", [])]
    if not started:
        return []
    wanted = {child for _, child in started}
    present = set(session.scalars(select(ProcessInstance.id).where(ProcessInstance.id.in_(wanted)))) \
        | set(session.scalars(select(HistoryEvent.instance_id).where(HistoryEvent.instance_id.in_(wanted)).distinct()))
    return [(event, child) for event, child in started if child not in present]


def missing_children(session: Session, instance_id: str | None = None, child: str | None = None) -> list[Finding]:
    """Instances a call activity started (as its parent's history records) that are gone, history and all
    (the children of one parent, or one child, when given); each finding names the parent."""
    return [Finding(event.instance_id, f"Phiên con {gone} do bước «{event.element_name or event.element_id}» của "
                                       f"phiên {event.instance_id} mở (sự kiện số {event.seq}) đã bị xóa cùng toàn bộ "
                                       "lịch sử.")
            for event, gone in missing_calls(session, instance_id) if child is None or gone == child]


def anchor_findings(engine, session: Session, instance_id: str | None = None,
                    witness: AnchorWitness | None = None) -> list[Finding]:
    """What the anchors prove (of one instance's history, when given), and what the witness outside the
    database (``witness``, else the engine's) proves of the anchors themselves."""
    found = [Finding(f.instance_id, f.message) for f in check_anchors(session, instance_id)]
    witness = witness or engine.witness
    if witness is not None:
        found = [Finding(f.instance_id, f.message) for f in witness.check(session)] + found
    return found


def store_findings(engine, session: Session, witness: AnchorWitness | None = None) -> list[Finding]:
    """What the whole store proves without replaying anyone: the anchors and their witness, and every
    instance a call activity started still present. Cheap enough for every visit of the audit page; it is
    how an instance deleted with its whole history (which no search finds any more) is seen."""
    return anchor_findings(engine, session, witness=witness) + missing_children(session)


def verify_instance(engine, session: Session, instance_id: str, with_steps: bool = False) -> ReplayResult:
    """One instance's verdict, as ``verify_all`` would give it: what the anchors prove of it, the instances
    it called, then replay."""
    result = replay_instance(engine, session, instance_id, with_steps=with_steps)
    found = [f.message for f in anchor_findings(engine, session, instance_id)] \
        + [f.message for f in missing_children(session, instance_id)] \
        + [f.message for f in missing_children(session, child=instance_id)]
    if found:
        result.record_finding = found[0]
    return result


def verify_all(engine, session: Session, progress: Callable[[int], None] | None = None,
               witness: AnchorWitness | None = None) -> AuditReport:
    """Check the anchors (against ``witness``, else the engine's), then replay every instance; each failure
    becomes a finding."""
    report = AuditReport()
    report.findings.extend(store_findings(engine, session, witness=witness))
    flagged = {f.instance_id for f in report.findings}
    for number, instance_id in enumerate(stored_instance_ids(session), start=1):
        result = replay_instance(engine, session, instance_id)
        report.instances += 1
        report.events += result.events
        if not result.verified and instance_id not in flagged:
            report.findings.append(Finding(instance_id, f"Phiên {instance_id}: {result.sentence()}"))
        if progress is not None:
            progress(number)
    return report
