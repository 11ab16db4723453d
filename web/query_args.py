"""Numbers read from the query string, checked: a value out of range is a 400 naming the field, never
an offset or a year the database or the calendar cannot take."""
from __future__ import annotations

from datetime import datetime, time

from flask import abort, request
from flask_babel import gettext as _

from engine.clock import LOCAL_TZ, STORABLE_YEARS

MAX_PAGE = 10_000
FIRST_YEAR, LAST_YEAR = 2000, 2100



def _whole_number(name: str, default: int, low: int, high: int, message: str) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        abort(400, message % {"name": name, "value": raw[:40], "low": low, "high": high})
    return value


def page_number() -> int:
    """The ``page`` of a list (1 when absent), from 1 to ``MAX_PAGE``."""
    return _whole_number("page", 1, 1, MAX_PAGE,
                         _("Trang «%(value)s» không có: tham số %(name)s là số từ %(low)d đến %(high)d."))


def year(default: int) -> int:
    """The ``year`` of a calendar page (``default`` when absent), from ``FIRST_YEAR`` to ``LAST_YEAR``."""
    return _whole_number("year", default, FIRST_YEAR, LAST_YEAR,
                         _("Năm «%(value)s» không hợp lệ: tham số %(name)s là năm từ %(low)d đến %(high)d."))


def day(name: str, end: bool = False) -> datetime | None:
    """The day a ``name=YYYY-MM-DD`` parameter names, as its first (or, with ``end``, last) moment in Việt
    Nam; None when absent; a 400 naming the value when it is no date or out of ``STORABLE_YEARS``."""
    value = request.args.get(name)
    if not value:
        return None
    try:
        chosen = datetime.fromisoformat(value).date()
    except ValueError:
        abort(400, _("Ngày «%(value)s» không đúng dạng năm-tháng-ngày (ví dụ 2025-08-11).", value=value[:40]))
    if not STORABLE_YEARS[0] <= chosen.year <= STORABLE_YEARS[1]:
        abort(400, _("Ngày «%(value)s» nằm ngoài các năm %(low)d–%(high)d.", value=value[:40],
                     low=STORABLE_YEARS[0], high=STORABLE_YEARS[1]))
    return datetime.combine(chosen, time.max if end else time.min, tzinfo=LOCAL_TZ)
