"""The one clock everything reads time from.

Tests, simulations and replay set it; production reads the system time.
All datetimes are timezone-aware; the office's zone is Asia/Ho_Chi_Minh.
"""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: The years a moment given from outside may name (a year 1 or 9999 cannot become a moment in UTC).
STORABLE_YEARS = (1900, 2999)


class Clock:
    """System time, shifted by a travel offset, unless frozen.

    ``set`` freezes it at a moment (tests, replay), ``advance`` moves a frozen clock;
    ``travel_to`` keeps it running but shifted so that now is a given moment (the
    simulated time every process of one database shares, see ``engine.simulated_time``).
    """

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current moment, aware, in the office's zone."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            offset = self._offset
        return (datetime.now(UTC) + offset).astimezone(LOCAL_TZ)

    @property
    def frozen(self) -> bool:
        """Whether ``set`` froze the clock."""
        return self._frozen is not None

    @property
    def offset(self) -> timedelta:
        """How far the running clock is shifted from the system time."""
        return self._offset

    def shift(self, offset: timedelta) -> None:
        """Run shifted by ``offset`` from the system time."""
        with self._lock:
            self._offset = offset

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
