"""The operation log: deployments, migrations, retries, user and setting changes.

Separate from instance history: it records what administrators did to the
system itself, with the SHA-256 of any file involved.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, JSONText, UTCDateTime
from .identity import Actor


class Operation(Base):
    """One administrative action."""

    __tablename__ = "operation_log"
    __table_args__ = (Index("ix_operation_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)


def log_operation(session: Session, actor: Actor, at: datetime, action: str, target: str | None = None,
                  sha256: str | None = None, **detail: Any) -> Operation:
    """Record an action in the operation log (part of the caller's transaction)."""
    row = Operation(at=at, actor=actor.username, action=action, target=target, sha256=sha256, detail=detail)
    session.add(row)
    return row


def search_operations(session: Session, text: str | None = None, action: str | None = None,
                      since: datetime | None = None, until: datetime | None = None, limit: int = 200):
    """The newest operations matching a free text (actor, target, SHA-256), an action and a period."""
    query = select(Operation)
    if text:
        words = text.strip()
        query = query.where(or_(*(column.icontains(words, autoescape=True)
                                  for column in (Operation.actor, Operation.target, Operation.sha256))))
    if action:
        query = query.where(Operation.action == action)
    if since:
        query = query.where(Operation.at >= since)
    if until:
        query = query.where(Operation.at <= until)
    return list(session.scalars(query.order_by(Operation.at.desc(), Operation.id.desc()).limit(limit)))
