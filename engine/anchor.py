"""Checkpoints over every instance's history: what a per-instance chain cannot prove.

An instance's chain shows an edited or missing event in the middle, but not a
tail cut off, nor an instance deleted with all its events. An *anchor* records,
at a moment, the head (last sequence number and hash) of every chain. Anchors
are chained to each other by hash, and each stores only the heads that moved
since the one before; folding them in order gives every head ever anchored.
An anchored head whose event is gone or different is then a finding.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import to_local
from .db import Base, UTCDateTime
from .history import GENESIS
from .models import HistoryEvent

Heads = dict[str, tuple[int, str]]


class HistoryAnchor(Base):
    """One checkpoint: how many chains and events, a digest of every head, linked to the previous one."""

    __tablename__ = "history_anchor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    instances: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    heads_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # two anchors never fork the chain
    hash: Mapped[str] = mapped_column(String(64))


class AnchorHead(Base):
    """The head of one instance's chain as an anchor saw it (only heads that moved since the last anchor)."""

    __tablename__ = "history_anchor_head"
    __table_args__ = (Index("ix_anchor_head_instance", "instance_id", "anchor_id"),)

    anchor_id: Mapped[int] = mapped_column(ForeignKey("history_anchor.id"), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


def anchor_hash(anchor: HistoryAnchor) -> str:
    """SHA-256 over the previous anchor's hash and this anchor's fields."""
    fields = {"at": anchor.at.astimezone(UTC).isoformat(), "instances": anchor.instances, "events": anchor.events,
              "heads_sha256": anchor.heads_sha256}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((anchor.prev_hash + canonical).encode("utf-8")).hexdigest()


def heads_digest(heads: Heads) -> str:
    """SHA-256 over every head, in instance order."""
    lines = "\n".join(f"{instance_id}:{seq}:{digest}" for instance_id, (seq, digest) in sorted(heads.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def current_heads(session: Session, instance_id: str | None = None) -> Heads:
    """The last event of every instance's chain now (of one instance's, when given)."""
    last = select(HistoryEvent.instance_id, func.max(HistoryEvent.seq).label("seq"))
    if instance_id is not None:
        last = last.where(HistoryEvent.instance_id == instance_id)
    last = last.group_by(HistoryEvent.instance_id).subquery()
    rows = session.execute(select(HistoryEvent.instance_id, HistoryEvent.seq, HistoryEvent.hash)
                           .join(last, (HistoryEvent.instance_id == last.c.instance_id)
                                 & (HistoryEvent.seq == last.c.seq)))
    return {row.instance_id: (row.seq, row.hash) for row in rows}


def _anchored_query():
    newest = (select(AnchorHead.instance_id, func.max(AnchorHead.anchor_id).label("anchor_id"))
              .group_by(AnchorHead.instance_id).subquery())
    return (select(AnchorHead.instance_id, AnchorHead.seq, AnchorHead.hash)
            .join(newest, (AnchorHead.instance_id == newest.c.instance_id)
                  & (AnchorHead.anchor_id == newest.c.anchor_id)))


def anchored_heads(session: Session) -> Heads:
    """Every head ever anchored, the newest per instance."""
    return {row.instance_id: (row.seq, row.hash) for row in session.execute(_anchored_query())}


def latest_anchor(session: Session) -> HistoryAnchor | None:
    return session.scalars(select(HistoryAnchor).order_by(HistoryAnchor.id.desc()).limit(1)).first()


def take_anchor(session: Session, now: datetime) -> HistoryAnchor | None:
    """Anchor every chain's head now; None when no chain moved since the last anchor.

    Heads that went backwards (a cut tail, a deleted instance) are not anchored
    again: the older anchor keeps them, so verification keeps finding them.
    """
    anchored = anchored_heads(session)
    moved = {instance_id: head for instance_id, head in current_heads(session).items()
             if anchored.get(instance_id, (0, GENESIS))[0] < head[0]}
    if not moved:
        return None
    folded = {**anchored, **moved}
    previous = latest_anchor(session)
    anchor = HistoryAnchor(at=now, instances=len(folded), events=sum(seq for seq, _ in folded.values()),
                           heads_sha256=heads_digest(folded), prev_hash=previous.hash if previous else GENESIS)
    anchor.hash = anchor_hash(anchor)
    try:
        with session.begin_nested():
            session.add(anchor)
            session.flush()
            session.add_all(AnchorHead(anchor_id=anchor.id, instance_id=instance_id, seq=seq, hash=digest)
                            for instance_id, (seq, digest) in moved.items())
            session.flush()
    except IntegrityError:  # another worker anchored from the same previous anchor first
        return None
    return anchor


@dataclass
class AnchorFinding:
    """Something the anchors prove was removed or changed."""

    instance_id: str | None
    message: str


def check_anchors(session: Session, instance_id: str | None = None) -> list[AnchorFinding]:
    """Check the anchors' own chain, then every anchored head (of one instance, when given) against the
    history as it is now."""
    findings: list[AnchorFinding] = []
    previous = GENESIS
    anchors = list(session.scalars(select(HistoryAnchor).order_by(HistoryAnchor.id)))
    for anchor in anchors:
        if anchor.prev_hash != previous or anchor_hash(anchor) != anchor.hash:
            findings.append(AnchorFinding(None, f"Mốc kiểm chứng số {anchor.id} "
                                                f"({to_local(anchor.at):%H:%M %d/%m/%Y}) đã bị sửa hoặc "
                                                "chuỗi mốc bị đứt trước nó."))
            return findings
        previous = anchor.hash
    anchored = anchored_heads(session)
    if anchors and heads_digest(anchored) != anchors[-1].heads_sha256:
        findings.append(AnchorFinding(None, "Danh sách đầu chuỗi của các mốc kiểm chứng đã bị sửa."))
    now = current_heads(session, instance_id)
    # Every head ever anchored, not only the newest: a tail cut and written again since is found too.
    heads = (select(AnchorHead.instance_id, AnchorHead.seq, AnchorHead.hash, HistoryEvent.hash.label("found"))
             .outerjoin(HistoryEvent, (HistoryEvent.instance_id == AnchorHead.instance_id)
                        & (HistoryEvent.seq == AnchorHead.seq)))
    if instance_id is not None:
        heads = heads.where(AnchorHead.instance_id == instance_id)
    rows = session.execute(heads.order_by(AnchorHead.instance_id, AnchorHead.seq))
    reported: set[str] = set()
    for row in rows:
        if row.found == row.hash or row.instance_id in reported:
            continue
        reported.add(row.instance_id)
        if row.instance_id not in now:
            message = (f"Phiên {row.instance_id} đã bị xóa cùng toàn bộ lịch sử; mốc kiểm chứng đã ghi nhận "
                       f"{anchored[row.instance_id][0]} sự kiện của phiên này.")
        elif row.found is None:
            message = (f"Lịch sử phiên {row.instance_id} bị cắt: mốc kiểm chứng ghi đến sự kiện số {row.seq}, "
                       f"nay chỉ còn đến số {now[row.instance_id][0]}.")
        else:
            message = f"Sự kiện số {row.seq} của phiên {row.instance_id} khác với lúc lập mốc kiểm chứng."
        findings.append(AnchorFinding(row.instance_id, message))
    return findings
