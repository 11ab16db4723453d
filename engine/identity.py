"""Users, their groups, and the actor a command runs as.

A user belongs to one organisation (an agency code) and has one or more
roles. The groups a user is a candidate through are: the organisation code,
each role code, and ``ORG:ROLE`` for each role (e.g. ``SCT:official``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, JSONText, UTCDateTime

_hasher = PasswordHasher()
_dummy_hash: str | None = None

#: Roles that may look at everything but change nothing.
READ_ONLY_ROLES = frozenset({"auditor"})


def groups_of(org: str | None, roles: list[str] | tuple[str, ...]) -> frozenset[str]:
    """The candidate groups of a member of ``org`` with ``roles``."""
    groups = set(roles)
    if org:
        groups.add(org)
        groups.update(f"{org}:{role}" for role in roles)
    return frozenset(groups)


class User(Base):
    """A person who signs in; the password is stored as an argon2 hash only."""

    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    org: Mapped[str] = mapped_column(String(40), index=True)
    roles: Mapped[list[str]] = mapped_column(JSONText)
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def set_password(self, password: str) -> None:
        """Hash and keep ``password``."""
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        """True when ``password`` matches the stored hash."""
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def actor(self) -> Actor:
        """The actor commands by this user run as."""
        return Actor(self.username, self.org, tuple(self.roles), self.full_name)


@dataclass(frozen=True)
class Actor:
    """Who performs a command: a user, or the engine itself (``system``)."""

    username: str
    org: str | None = None
    roles: tuple[str, ...] = ()
    full_name: str | None = None
    groups: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", groups_of(self.org, self.roles))

    @property
    def read_only(self) -> bool:
        """True for an auditor: a read-only role wins over any other role the user has."""
        return any(r in READ_ONLY_ROLES for r in self.roles)

    def has_role(self, role: str) -> bool:
        return role in self.roles


SYSTEM = Actor("system", None, ("system",), "Hệ thống")


def check_no_ones_password(password: str) -> bool:
    """Spend on a name nobody has what checking a real password costs (always False), so that how long a
    sign-in takes never tells whether the name exists."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("no one has this password")
    try:
        _hasher.verify(_dummy_hash, password)
    except (VerificationError, InvalidHashError):
        pass
    return False
