"""Settings read from the app's configuration, else environment variables of the same name."""
from __future__ import annotations

import os
from typing import Any

from sqlalchemy.orm import Session

from engine.calendar import load_calendar
from workflows.deadlines import BEFORE_THAT_DAY, DeadlineReader
from workflows.notifications import Mailer
from workflows.tracking import TrackingSettings

DEFAULTS = {
    # What «trước ngày X» means: "that_day" (end of X) or "day_before" (end of X−1).
    "DEADLINE_BEFORE_DAY": BEFORE_THAT_DAY,
    # Reminders go out this many working days before a deadline.
    "REMINDER_WORKING_DAYS": "3",
    # An overdue task is escalated to its leader this many working days after the deadline.
    "ESCALATION_WORKING_DAYS": "2",
    # E-mail: none unless SMTP_HOST is set.
    "SMTP_HOST": "",
    "SMTP_PORT": "25",
    "SMTP_SENDER": "chidao@localhost",
    # The embedded worker runs due jobs this often (seconds); 0 disables it.
    "WORKER_INTERVAL": "5",
    # The anchors' copy outside the database (default: anchor-witness.jsonl in the instance folder).
    "ANCHOR_WITNESS": "",
    # How many fetchAndLock requests may wait for work at once (each holds one of the server's 8 threads).
    "LONG_POLL_SLOTS": "2",
    # Session and remember-me cookies only over HTTPS: set to 1 when the app is served over TLS.
    "SECURE_COOKIES": "0",
}


def setting(config: dict[str, Any], name: str) -> Any:
    """A setting: the app's config, else the environment, else the default."""
    value = config.get(name)
    return value if value not in (None, "") else os.environ.get(name) or DEFAULTS[name]


def tracking_settings(config: dict[str, Any]) -> TrackingSettings:
    """Reminder and escalation offsets, the «trước ngày» rule and the mail server."""
    return TrackingSettings(
        reminder_days=int(setting(config, "REMINDER_WORKING_DAYS")),
        escalation_days=int(setting(config, "ESCALATION_WORKING_DAYS")),
        before_day=setting(config, "DEADLINE_BEFORE_DAY"),
        mailer=Mailer(setting(config, "SMTP_HOST") or None, int(setting(config, "SMTP_PORT")),
                      setting(config, "SMTP_SENDER")),
    )


def deadline_reader(session: Session, config: dict[str, Any]) -> DeadlineReader:
    """The deadline reader with the recorded calendar and the «trước ngày» setting."""
    return DeadlineReader(load_calendar(session), setting(config, "DEADLINE_BEFORE_DAY"))
