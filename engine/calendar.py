"""The business calendar: which days are worked, and when a deadline really falls.

Working days are Monday to Friday, minus Vietnam's public holidays from the
``holidays`` package (solar and lunar: Tết, Giỗ Tổ Hùng Vương, observed and
substituted days off), plus the Saturdays the government swaps into working
days, plus the exceptions an administrator records (extra days off, make-up
working days), which win over everything else.

Deadlines follow the Civil Code (Điều 146–148): a period ends at the end of
its last day, and a deadline that falls on a day off moves to the next
working day.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import holidays
from sqlalchemy import Boolean, Date, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import LOCAL_TZ
from .db import Base

END_OF_DAY = time(23, 59, 59)


class CalendarDay(Base):
    """An administrator's exception: a day off (``working`` false) or a make-up working day."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(300))
    changed_by: Mapped[str] = mapped_column(String(80))


class BusinessCalendar:
    """Working days and deadlines for one country, with recorded exceptions."""

    def __init__(self, exceptions: Mapping[date, bool] | None = None, country: str = "VN",
                 weekdays: frozenset[int] = frozenset(range(5))):
        self.exceptions = dict(exceptions or {})
        self.weekdays = weekdays
        self.country = country
        self.public_holidays = holidays.country_holidays(country, language="vi")

    def is_working_day(self, day: date) -> bool:
        """True when people work on ``day``."""
        if day in self.exceptions:
            return self.exceptions[day]
        if day in self.public_holidays:
            return False
        if day in getattr(self.public_holidays, "weekend_workdays", ()):
            return True
        return day.weekday() in self.weekdays

    def why_off(self, day: date) -> str | None:
        """The reason ``day`` is not worked (holiday name, weekend, recorded day off), or None."""
        if self.is_working_day(day):
            return None
        if day in self.exceptions:
            return "ngày nghỉ do cơ quan quy định"
        return self.public_holidays.get(day) or "ngày nghỉ cuối tuần"

    def holidays_of(self, year: int) -> list[tuple[date, str]]:
        """The public holidays of ``year`` with their names."""
        return sorted(holidays.country_holidays(self.country, years=year, language="vi").items())

    def swapped_workdays(self, year: int) -> list[date]:
        """The weekend days of ``year`` the government made working days (in exchange for a day off)."""
        of_year = holidays.country_holidays(self.country, years=year)
        return sorted(d for d in getattr(of_year, "weekend_workdays", ()) if d.year == year)

    def roll_forward(self, day: date) -> date:
        """``day`` if it is worked, else the next working day."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def subtract_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day before ``day``."""
        while count > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (working days in (end, start]) when end is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))

    def deadline(self, day: date, at: time | None = None) -> datetime:
        """When a deadline named as ``day`` (and maybe a time) really falls.

        The end of that day, or the stated time on it; moved to the next working
        day (keeping a stated time) when ``day`` is not worked.
        """
        worked = self.roll_forward(day)
        return datetime.combine(worked, at or END_OF_DAY, tzinfo=LOCAL_TZ)


def load_calendar(session: Session, country: str = "VN") -> BusinessCalendar:
    """The calendar with the exceptions recorded in the database."""
    exceptions = {row.day: row.working for row in session.scalars(select(CalendarDay))}
    return BusinessCalendar(exceptions, country)
