"""The one clock everything reads time from.

Tests, simulations and replay set it; production reads the system time.
All datetimes are timezone-aware; the office's zone is Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    """System time unless frozen; ``set`` freezes it at a moment, ``advance`` moves it."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current moment, aware, in the office's zone."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
        return datetime.now(UTC).astimezone(LOCAL_TZ)

    def today(self) -> date:
        """The current date in the office's zone."""
        return self.now().date()

    def set(self, moment: datetime | None) -> None:
        """Freeze the clock at ``moment`` (naive values are read as local time); None unfreezes."""
        with self._lock:
            if moment is not None and moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL_TZ)
            self._frozen = moment.astimezone(LOCAL_TZ) if moment is not None else None

    def advance(self, delta: timedelta) -> None:
        """Move a frozen clock forward."""
        self.set(self.now() + delta)


def to_local(moment: datetime | None) -> datetime | None:
    """Convert an aware datetime to the office's zone (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ)
