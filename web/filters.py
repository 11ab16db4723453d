"""Template helpers: dates as dd/mm/yyyy in the office's time zone, names of codes."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g
from flask_login import current_user

from engine.clock import to_local
from workflows.notifications import unread_count
from workflows.roles import ROLES

from .services import services


def dmy(value: date | datetime | str | None) -> str:
    """``dd/mm/yyyy`` for a date, a datetime (local date) or ISO text; empty for None."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def dmy_hm(value: datetime | None) -> str:
    """``HH:MM dd/mm/yyyy`` in the office's zone."""
    return to_local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def hm(value: datetime | None) -> str:
    """``HH:MM`` in the office's zone."""
    return to_local(value).strftime("%H:%M") if value else ""


def register(app: Flask) -> None:
    app.add_template_filter(dmy)
    app.add_template_filter(dmy_hm)
    app.add_template_filter(hm)

    @app.context_processor
    def _globals():
        me = current_user if current_user.is_authenticated else None
        unread = 0
        if me is not None:
            with services().db.reader() as s:
                unread = unread_count(s, me.username)
        return {"role_labels": ROLES, "lang": getattr(g, "lang", "vi"), "today": services().clock.today(),
                "me": me, "unread": unread}
