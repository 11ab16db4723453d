"""Notifications: in-app (the bell) and, when SMTP is configured, e-mail.

A notification is written in the step's transaction, one row per person. An
e-mail is a job in the same transaction, handed to the mail server by a worker
afterwards, once (``email_delivery``), so a mail server that is down never
blocks or loses a step.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import User
from engine.db import Base, UTCDateTime
from engine.jobs import new_job

EMAIL = "email"

#: The roles of an agency that receive its notifications.
AGENCY_RECEIVERS = ("official", "agency_head")


class Notification(Base):
    """One message to one person."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "username", "read_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    directive_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Mailer:
    """Where e-mail goes; ``host`` None means e-mail is not configured."""

    host: str | None = None
    port: int = 25
    sender: str = "chidao@localhost"


def people_of(session: Session, agency: str, roles: tuple[str, ...] = AGENCY_RECEIVERS) -> list[User]:
    """The active users of an agency with one of ``roles``."""
    users = session.scalars(select(User).where(User.org == agency, User.active.is_(True)).order_by(User.username))
    return [u for u in users if any(r in u.roles for r in roles)]


def notify(session: Session, mailer: Mailer, now: datetime, users: list[User], kind: str, title: str, body: str,
           link: str | None = None, directive_id: str | None = None) -> int:
    """Tell ``users``: a bell notification each and, when configured, an e-mail job; returns how many."""
    for user in users:
        session.add(Notification(id=str(uuid.uuid4()), username=user.username, kind=kind, title=title, body=body,
                                 link=link, directive_id=directive_id, created_at=now))
        if mailer.host and user.email:  # the Message-ID is the e-mail's idempotency key (see email_delivery)
            session.add(new_job(EMAIL, now, now, payload={"to": user.email, "subject": title, "body": body,
                                                          "message_id": f"<{uuid.uuid4()}@chidao>"}))
    return len(users)


def unread_count(session: Session, username: str) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.username == username, Notification.read_at.is_(None)))
