"""Checking a name and password, for the sign-in page and the REST API alike: refused at once while a
lock holds, the same time spent whether the name exists or not, every failure counted, every success
clearing the account's count.

A password check (argon2) costs about a second of CPU here, and a REST client signs in on every
request: a name and password that passed are remembered for a few minutes (under an HMAC of both,
tied to the stored hash, so a password change or a deactivation ends it at once), and at most
``PASSWORD_CHECKS`` checks run at the same time; past that a sign-in is told the server is busy
instead of holding one of the threads the pages need.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from flask import current_app

from engine import User
from engine.identity import check_no_ones_password

from . import login_throttle
from .services import services


@dataclass(frozen=True)
class SignIn:
    """What a sign-in came to: the user (checked), or the lock that refused it, or neither (wrong)."""

    user: User | None = None
    locked: login_throttle.Locked | None = None
    busy: bool = False


#: How many password checks may run at once, how long a sign-in waits for one, how long a success is remembered.
PASSWORD_CHECKS = 2
WAIT_FOR_A_CHECK = 0.5
REMEMBERED_FOR = 300.0
_checks = threading.BoundedSemaphore(PASSWORD_CHECKS)  # the machine's CPU: one budget for every app
_passed_lock = threading.Lock()


def _passed() -> dict[str, tuple[str, float]]:
    """This app's remembered successes: key → (the password hash they passed against, until when)."""
    with _passed_lock:
        return current_app.extensions.setdefault("chidao.passed_sign_ins", {})


def _key(username: str, password: str) -> str:
    secret = str(current_app.secret_key or "").encode()
    return hmac.new(secret, f"{username}\0{password}".encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _passed_before(user: User, password: str) -> bool:
    remembered = _passed().get(_key(user.username, password))
    return remembered is not None and remembered[0] == user.password_hash and remembered[1] > time.monotonic()


def _remember(user: User, password: str) -> None:
    passed = _passed()
    with _passed_lock:
        if len(passed) > 10_000:
            passed.clear()
        passed[_key(user.username, password)] = (user.password_hash, time.monotonic() + REMEMBERED_FOR)


def _checked(user: User | None, password: str) -> bool | None:
    """Whether ``password`` is ``user``'s (a dummy check when there is no such active user); None when no
    check could start in time."""
    if user is not None and user.active and _passed_before(user, password):
        return True
    if not _checks.acquire(timeout=WAIT_FOR_A_CHECK):
        return None
    try:
        if user is not None and user.active:
            valid = user.check_password(password)  # outside any transaction: hashing takes a while
            if valid:
                _remember(user, password)
            return valid
        return check_no_ones_password(password)
    finally:
        _checks.release()


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
    valid = _checked(user, password)
    if valid is None:
        return SignIn(busy=True)
    if valid and not counted:
        return SignIn(user=user)  # nothing to forget: no write on the way in (REST signs in every request)
    with db.transaction() as s:
        if valid:
            login_throttle.succeeded(s, username)
        else:
            login_throttle.failed(s, username, address, now)
    return SignIn(user=user if valid else None)
