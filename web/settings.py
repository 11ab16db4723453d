"""Settings read from the app's configuration (environment variables of the same name)."""
from __future__ import annotations

import os
from typing import Any

from sqlalchemy.orm import Session

from engine.calendar import load_calendar
from workflows.deadlines import BEFORE_THAT_DAY, DeadlineReader

DEFAULTS = {
    # What «trước ngày X» means: "that_day" (end of X) or "day_before" (end of X−1).
    "DEADLINE_BEFORE_DAY": BEFORE_THAT_DAY,
}


def setting(config: dict[str, Any], name: str) -> Any:
    """A setting: the app's config, else the environment, else the default."""
    return config.get(name) or os.environ.get(name) or DEFAULTS[name]


def deadline_reader(session: Session, config: dict[str, Any]) -> DeadlineReader:
    """The deadline reader with the recorded calendar and the «trước ngày» setting."""
    return DeadlineReader(load_calendar(session), setting(config, "DEADLINE_BEFORE_DAY"))
