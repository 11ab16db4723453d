"""Sign-in sessions kept on the server, so that they can be ended: a sign-out ends its own, a password
change or a deactivation ends all of a person's sessions and remember-me cookies at once.

The browser's session and remember-me cookies carry only a random token (``UserSession.id``); every
request looks it up, so a token ended here stops working everywhere, whatever cookie still holds it.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import User
from engine.db import Base, UTCDateTime


class UserSession(Base):
    """One sign-in: its token, whose it is, when it began and when it was ended."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("app_user.username", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def begin(session: Session, username: str, now: datetime) -> str:
    """Start a sign-in session for ``username``; its token."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(id=token, username=username, created_at=now))
    return token


def signed_in_user(session: Session, token: str) -> User | None:
    """The active user whose session ``token`` is and still open, else None."""
    row = session.get(UserSession, token)
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.username)
    return user if user is not None and user.active else None


def end(session: Session, token: str, now: datetime) -> None:
    """End one session (a sign-out)."""
    session.execute(update(UserSession).where(UserSession.id == token, UserSession.ended_at.is_(None))
                    .values(ended_at=now))


def end_all(session: Session, username: str, now: datetime, keep: str | None = None) -> int:
    """End every open session of ``username`` (but ``keep``); how many were ended."""
    query = update(UserSession).where(UserSession.username == username, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return session.execute(query.values(ended_at=now)).rowcount


def open_sessions(session: Session, username: str) -> int:
    """How many sessions of ``username`` are open."""
    return len(session.scalars(select(UserSession.id).where(UserSession.username == username,
                                                            UserSession.ended_at.is_(None))).all())
