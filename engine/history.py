"""The append-only history of every instance, chained by SHA-256.

Each event's hash covers its own content and the previous event's hash, so
an edited or removed event breaks the chain from that point on. The
application only ever inserts events.
"""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .identity import Actor
from .models import HistoryEvent

GENESIS = "0" * 64


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The hash of an event: SHA-256 of the previous hash and the canonical JSON of its fields."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def hashed_fields(event: HistoryEvent) -> dict[str, Any]:
    """The fields of an event that its hash covers."""
    return {
        "instance_id": event.instance_id,
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(),
        "event_type": event.event_type,
        "actor": event.actor,
        "actor_org": event.actor_org,
        "definition_id": event.definition_id,
        "element_id": event.element_id,
        "element_name": event.element_name,
        "task_id": event.task_id,
        "data": event.data,
    }


class HistoryWriter:
    """Appends events for the instances a command touches, keeping each chain's head in memory."""

    def __init__(self, session: Session):
        self.session = session
        self._heads: dict[str, tuple[int, str]] = {}

    def _head(self, instance_id: str) -> tuple[int, str]:
        if instance_id not in self._heads:
            last = self.session.execute(
                select(HistoryEvent.seq, HistoryEvent.hash)
                .where(HistoryEvent.instance_id == instance_id)
                .order_by(HistoryEvent.seq.desc())
                .limit(1)
            ).first()
            self._heads[instance_id] = (last.seq, last.hash) if last else (0, GENESIS)
        return self._heads[instance_id]

    def append(self, *, instance_id: str, definition_id: str, event_type: str, at: datetime,
               actor: Actor | None, element_id: str | None = None, element_name: str | None = None,
               task_id: str | None = None, data: dict[str, Any] | None = None) -> HistoryEvent:
        """Add one event at the end of the instance's chain."""
        seq, prev = self._head(instance_id)
        event = HistoryEvent(
            instance_id=instance_id, seq=seq + 1, at=at, event_type=event_type,
            actor=actor.username if actor else None, actor_org=actor.org if actor else None,
            definition_id=definition_id, element_id=element_id, element_name=element_name,
            task_id=task_id, data=data or {}, prev_hash=prev,
        )
        event.hash = event_hash(prev, hashed_fields(event))
        self.session.add(event)
        self._heads[instance_id] = (event.seq, event.hash)
        return event


def verify_chain(events: list[HistoryEvent]) -> tuple[bool, str | None]:
    """Check an instance's events in order; return (ok, sentence about the first broken link)."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return False, f"Thiếu sự kiện số {expected_seq} (gặp số {event.seq})."
        if event.prev_hash != prev:
            return False, f"Sự kiện số {event.seq} không nối với sự kiện trước đó."
        if event_hash(prev, hashed_fields(event)) != event.hash:
            return False, f"Nội dung sự kiện số {event.seq} đã bị sửa."
        prev = event.hash
    return True, None
