"""What a timer's definition says, read as Camunda reads it, for the runtime and the validator alike.

A ``timeDate``, ``timeDuration`` or ``timeCycle`` holds either an expression (``${…}``), whose
value is a datetime, a date or ISO 8601 text, or the ISO 8601 text itself as Camunda writes it
(``2026-12-24T08:00:00``, ``PT5M``, ``R3/PT10M``, ``R/2026-12-01T08:00/P1D``). A date and time
without a zone is the office's local time. The validator parses literal text with these same
functions, so a timer that passes validation is one that can run.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..clock import LOCAL_TZ
from .expressions import is_expression

#: The shortest interval a repeating timer may have.
MIN_CYCLE = timedelta(minutes=1)


class TimerValueError(ValueError):
    """A timer's text is not an ISO 8601 moment, duration or repeating interval."""


def literal_or_expression(text: str | None) -> tuple[str, bool]:
    """The definition's text stripped (and unquoted), and whether it is an expression to evaluate."""
    text = (text or "").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":  # SpiffWorkflow's quoted literal
        text = text[1:-1].strip()
    return text, is_expression(text)


def moment(value) -> datetime:
    """An aware datetime from a datetime, a date (its start) or ISO 8601 text."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=LOCAL_TZ)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TimerValueError(f"«{text}» không phải thời điểm ISO 8601 (ví dụ 2026-12-24T08:00:00).") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def duration(value, start: datetime) -> timedelta:
    """The length of an ISO 8601 duration (``PT5M``, ``P1M``…) counted from ``start``."""
    if isinstance(value, timedelta):
        return value
    text = str(value).strip()
    if not text.upper().startswith("P"):
        raise TimerValueError(f"«{text}» không phải khoảng thời gian ISO 8601 (ví dụ PT5M, P2D).")
    try:
        return TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(text), start)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's parser raises several kinds
        raise TimerValueError(f"«{text}» không phải khoảng thời gian ISO 8601 (ví dụ PT5M, P2D).") from None


def cycle(value, now: datetime) -> tuple[int, datetime, timedelta]:
    """(repetitions, first moment, interval) of a repeating interval; -1 repetitions: without end.

    ``R3/PT10M`` starts one interval after ``now``; ``R/2026-12-01T08:00/P1D`` at its start.
    """
    text = str(value).strip()
    parts = text.upper().split("/")
    if not parts[0].startswith("R") or len(parts) not in (2, 3):
        hint = " Biểu thức cron chưa được hỗ trợ." if len(text.split()) >= 5 else ""
        raise TimerValueError(f"«{text}» không phải chu kỳ ISO 8601 (ví dụ R3/PT10M).{hint}")
    count = parts[0][1:]
    if count and not count.isdigit():
        raise TimerValueError(f"«{text}»: số lần lặp «{count}» không phải số.")
    repetitions = int(count) if count else -1
    if len(parts) == 2:
        interval = duration(parts[1], now)
        first = now + interval
    elif parts[1].startswith("P"):
        end = moment(parts[2])
        interval = duration(parts[1], end)
        first = end - interval
    else:
        first = moment(parts[1])
        interval = duration(parts[2], first)
    if interval < MIN_CYCLE:  # R/PT0S would fire without end in one transaction
        raise TimerValueError(f"«{text}»: khoảng lặp phải từ {MIN_CYCLE.seconds // 60} phút trở lên.")
    return repetitions, first, interval


def check_literal(kind: str, text: str) -> None:
    """Raise ``TimerValueError`` unless literal ``text`` is what a timer of ``kind`` (date, duration, cycle)
    can run."""
    now = datetime.now(LOCAL_TZ)
    {"timeDate": moment, "timeDuration": lambda t: duration(t, now), "timeCycle": lambda t: cycle(t, now)}[kind](text)
