"""Reading a deadline as a directive writes it.

«trong tháng 6/2025», «hoàn thành trước ngày 21/3/2025», «trước ngày 10 tháng 8 năm 2025»,
«trong quý III/2025», «trong năm 2025», «trước 14 giờ, ngày 05/12/2017», «không quá 2 tháng
kể từ ngày ban hành», «trong 10 ngày làm việc kể từ ngày ký», and recurring ones: «trước 15h00
thứ Ba hằng tuần», «trước 8 giờ hằng ngày», «hằng tháng», «định kỳ từ ngày 1 đến ngày 5 hằng tháng»,
«hằng quý».

``read_deadline`` returns the date the words name (``stated``), the moment it really falls
after the calendar rules (``due``), the RFC 5545 rule of a recurring one, and the span of
the phrase it read. A phrase it cannot read raises ``DeadlineError`` with a sentence: it is
never turned into a guess.
"""
from __future__ import annotations

import calendar as month_calendar
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from engine.calendar import BusinessCalendar
from engine.clock import LOCAL_TZ

#: What «trước ngày X» means: the end of day X (default) or the end of the day before.
BEFORE_THAT_DAY = "that_day"
BEFORE_DAY_BEFORE = "day_before"


class DeadlineError(ValueError):
    """The phrase names no deadline the parser can read; ``message`` says so in a sentence."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Deadline:
    """A deadline read from words."""

    stated: date
    due: datetime
    recurrence: str | None
    span: tuple[int, int]

    def as_json(self) -> dict[str, Any]:
        return {"stated": self.stated.isoformat(), "due": self.due.isoformat(), "recurrence": self.recurrence,
                "span": list(self.span)}


WEEKDAYS = {"hai": "MO", "ba": "TU", "tư": "WE", "năm": "TH", "sáu": "FR", "bảy": "SA",
            "2": "MO", "3": "TU", "4": "WE", "5": "TH", "6": "FR", "7": "SA"}
QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
NUMBER_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
                "mười": 10, "mười lăm": 15, "hai mươi": 20, "ba mươi": 30}

_N = r"(?P<n>\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"
_DATE = (r"(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(?P<mo>\d{1,2})"
         r"(?:\s*(?:/|-|\.|\s+năm\s+)\s*(?P<y>\d{4}))?")
_TIME = r"(?P<h>\d{1,2})\s*(?:h|giờ)\s*(?P<mi>\d{2})?(?:\s*phút)?"
#: The moments a period may count from: the directive's own signing, issue or receipt («kể từ ngày nhận được Công văn
#: này»), not an event of unknown date («kể từ ngày nhận đủ hồ sơ»).
_THIS = (r"(?:\s+(?:văn\s+bản|công\s+văn|thông\s+báo|quyết\s+định|kế\s+hoạch|chỉ\s+thị|công\s+điện)"
         r"(?:\s+này)?)?")
_FROM = (rf"(?:kể\s+)?từ\s+(?:ngày\s+)?(?:(?:ký(?:\s+ban\s+hành)?|ban\s+hành){_THIS}|văn\s+bản\s+có\s+hiệu\s+lực|"
         rf"có\s+hiệu\s+lực|nhận(?:\s+được)?{_THIS}(?=\s*(?:[,.;)]|$)))")
_SINCE = re.compile(r"(?:kể\s+)?từ\s+(?:ngày|khi)\s+(?P<event>[^,.;)]{1,60})")


def _normalized(phrase: str) -> tuple[str, list[int]]:
    """``phrase`` in lower case, composed, with single spaces and «hàng» read as «hằng»; and, for each of its
    characters, where it stands in ``phrase``."""
    composed = unicodedata.normalize("NFC", phrase)
    chars, where = [], []
    for i, char in enumerate(composed):
        if char.isspace():
            if not chars or chars[-1] == " ":  # runs of spaces read as one
                continue
            char = " "
        for folded in char.casefold():
            chars.append(folded)
            where.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    text = re.sub(r"\bhàng\s(tuần|tháng|quý|năm|ngày)", r"hằng \1", "".join(chars))
    return text, where


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _month_end(year: int, month: int) -> date:
    return date(year, month, month_calendar.monthrange(year, month)[1])


#: A date written without its year lies ahead of the signing: one more than this many days before it is next year's.
YEARLESS_PAST = 60


def _day(match: re.Match, base: date) -> date:
    """The date matched; without a year, the one of the signing year or, long past by then, of the next
    («trước ngày 10/01» in a directive of 20/12/2025 is 10/01/2026)."""
    year = int(match.group("y")) if match.group("y") else base.year
    try:
        day = date(year, int(match.group("mo")), int(match.group("d")))
        if not match.group("y") and (base - day).days > YEARLESS_PAST:
            day = date(year + 1, day.month, day.day)
        return day
    except ValueError:
        written = "/".join(g for g in (match.group("d"), match.group("mo"), match.group("y")) if g)
        raise DeadlineError(f"Ngày «{written}» không có trên lịch.") from None


def _at(match: re.Match) -> time:
    hour, minute = int(match.group("h")), int(match.group("mi") or 0)
    if hour > 23 or minute > 59:
        raise DeadlineError(f"Giờ «{match.group(0)}» không hợp lệ.")
    return time(hour, minute)


_WEEKDAY = r"thứ\s+(?P<wd>hai|ba|tư|năm|sáu|bảy|[2-7])"
#: A day of the month written without its month («trước ngày 25»), not the start of a date («ngày 25/12»).
_MONTH_DAY = (r"(?:trước|vào|đến|chậm\s+nhất(?:\s+là)?|trong)\s+(?:ngày\s+)?(?P<day>\d{1,2})"
              r"(?!\d|\s*[/.-]\s*\d|\s+tháng)")
#: How far from the period word («hằng tháng») the day it falls on may be written.
_NEAR = r"[^.;]{0,40}?"


def _span(first: re.Match, second: re.Match) -> tuple[int, int]:
    return min(first.start(), second.start()), max(first.end(), second.end())


def _day_of_month(found: re.Match) -> int:
    day = int(found.group("day"))
    if not 1 <= day <= 31:
        raise DeadlineError(f"Ngày «{day}» hằng tháng không có trên lịch.")
    return day


def _weekly(text: str) -> tuple[str, time | None, tuple[int, int]] | None:
    """«trước 15h00 thứ Ba hằng tuần», «hằng tuần, báo cáo vào thứ Sáu»."""
    found = re.search(rf"(?:trước\s+)?(?:{_TIME}\s*,?\s*)?(?:ngày\s+)?{_WEEKDAY}\s+hằng\s+tuần", text)
    span = found.span() if found else None
    if found is None:
        every = re.search(r"hằng\s+tuần", text)
        if every is None:
            return None
        found = re.compile(rf"{_NEAR}(?:trước|vào|chậm\s+nhất)\s+(?:{_TIME}\s*,?\s*)?(?:ngày\s+)?{_WEEKDAY}"
                           ).match(text, every.end())
        if found is None:
            raise DeadlineError("Thời hạn «hằng tuần» chưa nói thứ nào trong tuần; hãy ghi ví dụ «trước 15h00 thứ Ba "
                                "hằng tuần».")
        span = (every.start(), found.end())
    return f"FREQ=WEEKLY;BYDAY={WEEKDAYS[found.group('wd')]}", _at(found) if found.group("h") else None, span


def _daily(text: str) -> tuple[str, time | None, tuple[int, int]] | None:
    """«trước 8 giờ hằng ngày»."""
    found = re.search(rf"(?:trước\s+)?(?:{_TIME}\s*,?\s*)?hằng\s+ngày", text)
    if found is None:
        return None
    return "FREQ=DAILY", _at(found) if found.group("h") else None, found.span()


def _monthly(text: str) -> tuple[str, time | None, tuple[int, int]] | None:
    """«từ ngày 1 đến ngày 5 hằng tháng», «trước ngày 20 hằng tháng», «hằng tháng (trước ngày 25)», «hằng tháng»."""
    before = (re.search(r"(?:định\s+kỳ\s+)?từ\s+ngày\s+\d{1,2}\s+đến\s+(?:hết\s+)?ngày\s+(?P<day>\d{1,2})"
                        r"\s+hằng\s+tháng", text)
              or re.search(r"(?:trước\s+|vào\s+|đến\s+)?ngày\s+(?P<day>\d{1,2})\s+hằng\s+tháng", text))
    if before:
        return f"FREQ=MONTHLY;BYMONTHDAY={_day_of_month(before)}", None, before.span()
    every = re.search(r"(?:định\s+kỳ\s+)?hằng\s+tháng", text)
    if every is None:
        return None
    after = re.compile(rf"{_NEAR}{_MONTH_DAY}").match(text, every.end())
    if after:
        return f"FREQ=MONTHLY;BYMONTHDAY={_day_of_month(after)}", None, _span(every, after)
    return "FREQ=MONTHLY;BYMONTHDAY=-1", None, every.span()


def _in_months(text: str, every: str, day: str, months) -> tuple[str, time | None, tuple[int, int]] | None:
    """A report due in some months of each year (``months`` of the day read, or of None): on the day written
    near the words ``every`` name, else on the month's last day."""
    period = re.search(every, text)
    if period is None:
        return None
    on = re.compile(rf"{_NEAR}{day}").match(text, period.end())
    if on is None:
        return f"FREQ=YEARLY;BYMONTH={months(None)};BYMONTHDAY=-1", None, period.span()
    return f"FREQ=YEARLY;BYMONTH={months(on)};BYMONTHDAY={_day_of_month(on)}", None, _span(period, on)


def _quarterly(text: str) -> tuple[str, time | None, tuple[int, int]] | None:
    """«hằng quý», «hằng quý (trước ngày 15 của tháng cuối quý)», «… ngày 10 của tháng đầu quý sau»."""
    return _in_months(text, r"(?:định\s+kỳ\s+)?hằng\s+quý",
                      r"ngày\s+(?P<day>\d{1,2})\s+(?:của\s+)?tháng\s+(?P<which>cuối|đầu)\s+(?:của\s+)?quý"
                      r"(?:\s+(?:sau|tiếp\s+theo))?",
                      lambda on: "1,4,7,10" if on and on.group("which") == "đầu" else "3,6,9,12")


def _half_yearly(text: str) -> tuple[str, time | None, tuple[int, int]] | None:
    """«định kỳ 6 tháng», «6 tháng một lần», with the day when written («trước ngày 15/6 và 15/12»)."""
    return _in_months(text, r"định\s+kỳ\s+(?:6|sáu)\s+tháng(?!\s+(?:đầu|cuối))|(?:6|sáu)\s+tháng\s+(?:một|1)\s+lần",
                      r"ngày\s+(?P<day>\d{1,2})\s*/\s*0?6\b", lambda _on: "6,12")


def _yearly(text: str) -> tuple[str, time | None, tuple[int, int]] | None:
    """«hằng năm», «trước ngày 15/12 hằng năm», «hằng năm (trước ngày 15 tháng 12)»."""
    every = re.search(r"(?:định\s+kỳ\s+)?hằng\s+năm", text)
    if every is None:
        return None
    day_month = r"ngày\s+(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*(?P<mo>\d{1,2})(?!\s*(?:/|-|\.|\s+năm\s+)\s*\d)"
    on = (re.compile(rf"{_NEAR}{day_month}").match(text, every.end())
          or re.search(rf"(?:(?:trước|vào|đến)\s+)?{day_month}\s+hằng\s+năm", text))
    if on is None:
        return "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", None, every.span()
    month, day = int(on.group("mo")), int(on.group("d"))
    try:
        date(2024, month, day)
    except ValueError:
        raise DeadlineError(f"Ngày «{day}/{month}» hằng năm không có trên lịch.") from None
    return f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}", None, _span(every, on)


def _recurring_rule(text: str) -> tuple[str, time | None, tuple[int, int]] | None:
    """The RRULE a recurring phrase names, the time of day it gives, and the span read."""
    for rule in (_weekly, _daily, _monthly, _quarterly, _half_yearly, _yearly):
        found = rule(text)
        if found is not None:
            return found
    return None


class DeadlineReader:
    """Reads deadline phrases against a business calendar and the «trước ngày» setting."""

    def __init__(self, calendar: BusinessCalendar, before_means: str = BEFORE_THAT_DAY):
        if before_means not in (BEFORE_THAT_DAY, BEFORE_DAY_BEFORE):
            raise ValueError(f"unknown setting for «trước ngày»: {before_means}")
        self.calendar = calendar
        self.before_means = before_means

    def read(self, phrase: str, base: date) -> Deadline:
        """The deadline ``phrase`` names, counting relative periods from ``base`` (the signing date)."""
        text, where = _normalized(phrase)
        if not text:
            raise DeadlineError("Chưa nhập thời hạn.")
        for written in re.finditer(_DATE, text):  # «31 tháng 2 năm 2027» is no day, not «tháng 2 năm 2027»
            if written.group("y"):
                _day(written, base)
        readings, refused = [], None
        for rule in (self._recurring, self._window, self._timed_date, self._date, self._period, self._relative):
            try:
                found = rule(text, base)
            except DeadlineError as exc:
                refused = refused or exc
                continue
            except (ValueError, OverflowError):  # «năm 0000», a period beyond the calendar
                raise DeadlineError(f"Thời hạn «{phrase.strip()}» ghi một ngày không có trên lịch.") from None
            if found is not None:
                readings.append(found)
        if readings:  # the phrase's first words decide: «trong 15 ngày kể từ ngày ký …, … năm 2024» is 15 days
            first = min(readings, key=lambda r: r.span[0])
            return replace(first, span=(where[first.span[0]], where[first.span[1] - 1] + 1))
        if refused is not None:
            raise refused
        raise DeadlineError(f"Không đọc được thời hạn «{phrase.strip()}». Hãy ghi ngày cụ thể (ví dụ «trước ngày "
                            "30/6/2025», «trong tháng 6/2025», «trong 10 ngày làm việc kể từ ngày ký») hoặc "
                            "định kỳ (ví dụ «trước 15h00 thứ Ba hằng tuần»).")

    # -- one rule per shape of phrase ------------------------------------------------
    @staticmethod
    def _until(text: str) -> date | None:
        """The end of a recurring report: «đến hết năm 2025», «đến hết tháng 12/2025», «đến ngày 31/12/2025»."""
        found = re.search(r"(?:cho\s+)?(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+(?P<d>\d{1,2})\s*(?:/|-|\.|\s+tháng\s+)\s*"
                          r"(?P<mo>\d{1,2})\s*(?:/|-|\.|\s+năm\s+)\s*(?P<y>\d{4})|tháng\s+(?P<m2>\d{1,2})\s*(?:/|\s+năm\s+)\s*"
                          r"(?P<y2>\d{4})|năm\s+(?P<y3>\d{4}))", text)
        if not found:
            return None
        if found.group("y3"):
            return date(int(found.group("y3")), 12, 31)
        if found.group("y2"):
            return _month_end(int(found.group("y2")), int(found.group("m2")))
        return _day(found, date(int(found.group("y")), 1, 1))

    def _recurring(self, text: str, base: date) -> Deadline | None:
        until = self._until(text)
        found = _recurring_rule(text)
        if found is None:
            return None
        rule, at, span = found
        return self._recurrence(rule, at, base, span, until)

    def _window(self, text: str, base: date) -> Deadline | None:
        """A period of work given by its first and last day: «từ ngày 15/4/2026 đến ngày 15/5/2026» ends with the
        last («từ 01/6 đến hết 30/6/2026»)."""
        first = r"từ\s+(?:ngày\s+)?\d{1,2}\s*(?:/|-|\.|\s+tháng\s+)\s*\d{1,2}(?:\s*(?:/|-|\.|\s+năm\s+)\s*\d{4})?"
        found = re.search(rf"{first}\s*(?:đến|tới|-)\s*(?:hết\s+)?(?:ngày\s+)?{_DATE}", text)
        if not found:
            return None
        day = _day(found, base)
        return Deadline(day, self.calendar.deadline(day), None, found.span())

    def _timed_date(self, text: str, base: date) -> Deadline | None:
        found = re.search(rf"(?:trước|đến|chậm\s+nhất(?:\s+là)?|trong)?\s*{_TIME}\s*,?\s*(?:ngày\s+)?{_DATE}", text)
        if not found:
            return None
        day = _day(found, base)
        return Deadline(day, self.calendar.deadline(day, _at(found)), None, found.span())

    def _date(self, text: str, base: date) -> Deadline | None:
        found = re.search(rf"(?P<before>trước)?\s*(?:ngày\s+)?{_DATE}", text)
        if not found or (not found.group("y") and "ngày" not in found.group(0)):
            return None
        day = _day(found, base)
        due_day = day - timedelta(days=1) if found.group("before") and self.before_means == BEFORE_DAY_BEFORE else day
        return Deadline(day, self.calendar.deadline(due_day), None, found.span())

    def _relative(self, text: str, base: date) -> Deadline | None:
        found = re.search(rf"(?:trong|không\s+quá|chậm\s+nhất|sau)?\s*(?:thời\s+hạn\s+)?{_N}\s+"
                          rf"(?P<unit>ngày\s+làm\s+việc|ngày|tuần|tháng)\s*(?:,\s*)?(?P<from>{_FROM})?", text)
        if not found:
            return None
        if not found.group("from"):
            since = _SINCE.search(text, found.end())
            if since:
                phrase = f"{found.group(0).strip()} {since.group(0).strip()}"
                raise DeadlineError(f"Thời hạn «{phrase}» tính từ một mốc chưa biết ngày; hãy ghi ngày cụ thể.")
            raise DeadlineError(f"Thời hạn «{found.group(0).strip()}» không nói tính từ ngày nào; hãy ghi ví dụ "
                                "«kể từ ngày ký» hoặc «kể từ ngày ban hành».")
        count = _number(found.group("n"))
        unit = found.group("unit")
        if unit == "ngày làm việc":
            day = self.calendar.add_working_days(base, count)
        elif unit == "ngày":
            day = base + timedelta(days=count)
        elif unit == "tuần":
            day = base + timedelta(weeks=count)
        else:  # a period in months ends on the same day of the last month, or its last day (Điều 147)
            day = base + relativedelta(months=count)
        return Deadline(day, self.calendar.deadline(day), None, found.span())

    def _period(self, text: str, base: date) -> Deadline | None:
        within = r"(?P<before>trước\s+)?(?:trong\s+|cuối\s+|hết\s+)?"
        of_year = r"\s*(?:/|-|\s+năm\s+)\s*(?P<y>\d{4})"
        patterns = [
            (rf"{within}tháng\s+(?P<mo>\d{{1,2}}){of_year}", lambda m: _month_end(int(m["y"]), int(m["mo"]))),
            (rf"{within}quý\s+(?P<q>iv|iii|ii|i|[1-4]){of_year}",
             lambda m: _month_end(int(m["y"]), 3 * QUARTERS[m["q"]])),
            (r"(?P<n>6|9|sáu|chín)\s+tháng\s+đầu\s+năm\s+(?P<y>\d{4})",
             lambda m: _month_end(int(m["y"]), {"6": 6, "sáu": 6, "9": 9, "chín": 9}[m["n"]])),
            (r"6\s+tháng\s+cuối\s+năm\s+(?P<y>\d{4})", lambda m: date(int(m["y"]), 12, 31)),
            (rf"{within}năm\s+(?P<y>\d{{4}})", lambda m: date(int(m["y"]), 12, 31)),
        ]
        for pattern, end_of in patterns:
            found = re.search(pattern, text)
            if found:
                if not 1 <= int(found.groupdict().get("mo") or 1) <= 12:
                    raise DeadlineError(f"Tháng «{found.group('mo')}» không có trên lịch.")
                day = end_of(found)
                if found.groupdict().get("before"):
                    day = self._before_period(found, day)
                return Deadline(day, self.calendar.deadline(day), None, found.span())
        return None

    @staticmethod
    def _before_period(found: re.Match, end: date) -> date:
        """«trước tháng 6/2025» ends with May, «trước quý III» with June, «trước năm 2026» with 2025."""
        groups = found.groupdict()
        if groups.get("mo"):
            return end.replace(day=1) - timedelta(days=1)
        if groups.get("q"):
            return (end.replace(day=1) - relativedelta(months=2)) - timedelta(days=1)
        return date(end.year - 1, 12, 31)

    def _recurrence(self, rule: str, at: time | None, base: date, span: tuple[int, int],
                    until: date | None) -> Deadline:
        if at is not None:
            rule += f";BYHOUR={at.hour};BYMINUTE={at.minute}"
        if until is not None:
            last = datetime.combine(until, time(23, 59, 59), tzinfo=LOCAL_TZ).astimezone(UTC)
            rule += f";UNTIL={last:%Y%m%dT%H%M%SZ}"
        first = self.occurrences(rule, base, 1)
        if not first:
            raise DeadlineError(f"Báo cáo định kỳ đã hết hạn trước ngày {base:%d/%m/%Y}.")
        return Deadline(first[0].date(), self.calendar.deadline(first[0].date(), at), rule, span)

    def occurrences(self, rule: str, after: date, count: int) -> list[datetime]:
        """The next ``count`` stated moments of a rule, from ``after`` (inclusive)."""
        start = datetime.combine(after, time(0), tzinfo=LOCAL_TZ)
        recurrence = rrulestr(rule, dtstart=start)
        moments, moment = [], start - timedelta(seconds=1)
        while len(moments) < count:
            moment = recurrence.after(moment)
            if moment is None:
                break
            moments.append(moment)
        return moments


#: A deadline further ahead than this is a typing mistake, never a directive's (and no clock can hold 9999).
FURTHEST_DEADLINE_YEARS = 10


def too_far(deadline: date, today: date) -> bool:
    """Whether ``deadline`` lies more than ``FURTHEST_DEADLINE_YEARS`` after ``today``."""
    return (deadline.year, deadline.month, deadline.day) > (today.year + FURTHEST_DEADLINE_YEARS, today.month,
                                                            today.day)


def far_sentence(deadline: date) -> str:
    """Why a deadline that far ahead is refused."""
    return (f"hạn {deadline:%d/%m/%Y} xa quá {FURTHEST_DEADLINE_YEARS} năm; hãy kiểm tra lại năm "
            f"(hạn nhiệm vụ chỉ đặt trong vòng {FURTHEST_DEADLINE_YEARS} năm tới).")
