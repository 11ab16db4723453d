"""The business calendar: Vietnamese holidays, swapped days, recorded exceptions, and its invariants."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import BusinessCalendar
from engine.clock import LOCAL_TZ

CALENDAR = BusinessCalendar()
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


def test_tet_2026_and_the_national_day_holidays_are_not_worked():
    tet = [date(2026, 2, 16) + timedelta(days=n) for n in range(5)]
    assert [CALENDAR.is_working_day(d) for d in tet] == [False] * 5
    assert not CALENDAR.is_working_day(date(2025, 9, 1)) and not CALENDAR.is_working_day(date(2025, 9, 2))
    assert CALENDAR.is_working_day(date(2025, 9, 3))


def test_a_saturday_swapped_into_a_working_day_is_worked():
    assert CALENDAR.is_working_day(date(2025, 4, 26))  # in exchange for Friday 2 May 2025
    assert not CALENDAR.is_working_day(date(2025, 5, 2))


def test_a_deadline_during_tet_moves_to_the_first_working_day_after_it():
    assert CALENDAR.deadline(date(2026, 2, 18)) == datetime(2026, 2, 23, 23, 59, 59, tzinfo=LOCAL_TZ)


def test_a_deadline_keeps_its_stated_time_when_it_moves():
    assert CALENDAR.deadline(date(2025, 9, 2), time(15)) == datetime(2025, 9, 3, 15, 0, tzinfo=LOCAL_TZ)


def test_recorded_exceptions_win_over_the_public_calendar():
    calendar = BusinessCalendar({date(2026, 12, 31): False, date(2027, 1, 9): True})
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.is_working_day(date(2027, 1, 9))  # a Saturday
    assert calendar.why_off(date(2026, 12, 31)) == "ngày nghỉ do cơ quan quy định"


@settings(max_examples=300)
@given(days)
def test_rolling_forward_lands_on_the_first_working_day(day):
    rolled = CALENDAR.roll_forward(day)
    assert rolled >= day and CALENDAR.is_working_day(rolled)
    assert CALENDAR.working_days_between(day - timedelta(days=1), rolled - timedelta(days=1)) == 0  # none skipped


@settings(max_examples=300)
@given(days, st.integers(min_value=0, max_value=60))
def test_adding_working_days_counts_exactly_that_many(day, count):
    later = CALENDAR.add_working_days(day, count)
    assert CALENDAR.working_days_between(day, later) == count
    if count:
        assert CALENDAR.is_working_day(later)


@settings(max_examples=300)
@given(days, st.integers(min_value=1, max_value=60))
def test_subtracting_undoes_adding_from_a_working_day(day, count):
    start = CALENDAR.roll_forward(day)
    assert CALENDAR.subtract_working_days(CALENDAR.add_working_days(start, count), count) == start


@settings(max_examples=300)
@given(days, days)
def test_working_days_between_is_antisymmetric(first, second):
    assert CALENDAR.working_days_between(first, second) == -CALENDAR.working_days_between(second, first)


@settings(max_examples=300)
@given(days)
def test_a_deadline_never_falls_before_its_day_nor_on_a_day_off(day):
    due = CALENDAR.deadline(day)
    assert due.date() >= day and CALENDAR.is_working_day(due.date())
    assert due.time() == time(23, 59, 59)
