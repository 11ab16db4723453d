"""How many ``fetchAndLock`` requests may wait for work at once (Camunda's ``asyncResponseTimeout``).

A waiting request holds one of the server's threads. Past ``LONG_POLL_SLOTS`` waiting requests, one
that finds nothing answers at once with an empty list and its client polls again, as Camunda's
long polling allows; the pages people use always keep threads of their own.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app

from ..settings import setting

_CREATE = threading.Lock()


def _slots(app: Flask) -> threading.BoundedSemaphore:
    with _CREATE:
        slots = app.extensions.get("chidao.long_poll_slots")
        if slots is None:
            slots = app.extensions["chidao.long_poll_slots"] = threading.BoundedSemaphore(
                max(int(setting(app.config, "LONG_POLL_SLOTS")), 0) or 1)
        return slots


@contextmanager
def waiting_slot() -> Iterator[bool]:
    """Hold one of the app's waiting slots for the block: True when one was free, False (at once) when none was."""
    slots = _slots(current_app._get_current_object())
    granted = slots.acquire(blocking=False)
    try:
        yield granted
    finally:
        if granted:
            slots.release()
