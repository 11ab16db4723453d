"""Guessing passwords is slowed, then stopped: failed sign-ins are counted per account and per address
in the database (so the count holds across every server process), and past a few free tries each new
failure locks that account (or address) for twice as long as the last, up to a ceiling. A lock is
checked before any password is hashed, so a flood of guesses costs the server almost nothing; an
administrator lifts it with ``chidao users unlock``. An unknown account is counted and locked like a
known one, so a lock tells nothing about who exists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.db import Base, UTCDateTime


@dataclass(frozen=True)
class Policy:
    """How many failures are free, the first lock and the longest one."""

    free: int
    first_lock: timedelta
    longest_lock: timedelta

    def lock_for(self, failures: int) -> timedelta | None:
        """How long ``failures`` failures in a row lock for (None: not yet)."""
        if failures <= self.free:
            return None
        return min(self.first_lock * 2 ** min(failures - self.free - 1, 20), self.longest_lock)


#: One account: five free tries, then one minute, doubling up to an hour.
ACCOUNT = Policy(5, timedelta(minutes=1), timedelta(hours=1))
#: One address (a whole office may sign in through one): fifty free tries, then up to fifteen minutes.
ADDRESS = Policy(50, timedelta(minutes=1), timedelta(minutes=15))
#: A day without failures forgets the earlier ones.
FORGOTTEN_AFTER = timedelta(days=1)


class LoginFailure(Base):
    """Failed sign-ins in a row of one account (``user:NAME``) or one address (``ip:ADDRESS``)."""

    __tablename__ = "login_failure"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Locked:
    """A sign-in refused before its password is looked at."""

    until: datetime
    account: bool  # the account is locked (else the address)

    def retry_after(self, now: datetime) -> int:
        """Seconds until the lock ends (for ``Retry-After``)."""
        return max(1, int((self.until - now).total_seconds()) + 1)


def _keys(username: str, address: str | None) -> list[tuple[str, Policy]]:
    keys = [(f"user:{username.strip().lower()[:200]}", ACCOUNT)]
    if address:
        keys.append((f"ip:{address[:80]}", ADDRESS))
    return keys


def has_failures(session: Session, username: str) -> bool:
    """Whether the account has failures counted (a success then has something to forget)."""
    return session.get(LoginFailure, _keys(username, None)[0][0]) is not None


def locked(session: Session, username: str, address: str | None, now: datetime) -> Locked | None:
    """The lock that refuses this sign-in now, if any."""
    for key, policy in _keys(username, address):
        row = session.get(LoginFailure, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            return Locked(row.locked_until, policy is ACCOUNT)
    return None


def failed(session: Session, username: str, address: str | None, now: datetime) -> None:
    """Count a failed sign-in against the account and the address, locking them past their free tries."""
    for key, policy in _keys(username, address):
        row = _counted(session, key, now)
        lock = policy.lock_for(row.failures)
        if lock is not None:
            row.locked_until = now + lock


def _counted(session: Session, key: str, now: datetime) -> LoginFailure:
    """The row of ``key`` with this failure added (atomically, whichever process counts at once)."""
    forget = now - FORGOTTEN_AFTER
    session.execute(update(LoginFailure).where(LoginFailure.key == key, LoginFailure.last_failure_at < forget)
                    .values(failures=0, locked_until=None))
    added = session.execute(update(LoginFailure).where(LoginFailure.key == key)
                            .values(failures=LoginFailure.failures + 1, last_failure_at=now)).rowcount
    if not added:
        try:
            with session.begin_nested():
                session.add(LoginFailure(key=key, failures=1, last_failure_at=now))
        except IntegrityError:  # another process counted the first failure at the same moment
            session.execute(update(LoginFailure).where(LoginFailure.key == key)
                            .values(failures=LoginFailure.failures + 1, last_failure_at=now))
    row = session.get(LoginFailure, key, populate_existing=True)
    return row


def succeeded(session: Session, username: str) -> None:
    """A sign-in went through: the account's failures are forgotten (the address's wear off)."""
    session.execute(delete(LoginFailure).where(LoginFailure.key == _keys(username, None)[0][0]))


def unlock(session: Session, username: str) -> bool:
    """Lift an account's lock (an administrator's act); True when there was one."""
    return bool(session.execute(delete(LoginFailure).where(LoginFailure.key == _keys(username, None)[0][0]))
                .rowcount)
