"""Checking a name and password, for the sign-in page and the REST API alike: refused at once while a
lock holds, the same time spent whether the name exists or not, every failure counted, every success
clearing the account's count."""
from __future__ import annotations

from dataclasses import dataclass

from engine import User
from engine.identity import check_no_ones_password

from . import login_throttle
from .services import services


@dataclass(frozen=True)
class SignIn:
    """What a sign-in came to: the user (checked), or the lock that refused it, or neither (wrong)."""

    user: User | None = None
    locked: login_throttle.Locked | None = None


def check_credentials(username: str, password: str, address: str | None) -> SignIn:
    """Check ``username`` and ``password`` from ``address`` (no password is hashed while a lock holds)."""
    db, now = services().db, services().clock.now()
    username = (username or "").strip()
    with db.reader() as s:
        lock = login_throttle.locked(s, username, address, now)
        counted = login_throttle.has_failures(s, username)
        user = s.get(User, username) if username and lock is None else None
        if user is not None:
            s.expunge(user)
    if lock is not None:
        return SignIn(locked=lock)
    if user is not None and user.active:
        valid = user.check_password(password)  # outside any transaction: hashing takes a while
    else:
        valid = check_no_ones_password(password)
    if valid and not counted:
        return SignIn(user=user)  # nothing to forget: no write on the way in (REST signs in every request)
    with db.transaction() as s:
        if valid:
            login_throttle.succeeded(s, username)
        else:
            login_throttle.failed(s, username, address, now)
    return SignIn(user=user if valid else None)
