"""Deadline phrases as directives write them, resolved on the Vietnamese working calendar."""
from __future__ import annotations

import json
from datetime import date

import pytest

from engine.calendar import BusinessCalendar
from workflows.deadlines import BEFORE_DAY_BEFORE, DeadlineError, DeadlineReader

READER = DeadlineReader(BusinessCalendar())
SIGNED = date(2025, 7, 21)  # a Monday


@pytest.mark.parametrize("phrase, stated, due", [
    ("trong tháng 6/2025", "2025-06-30", "2025-06-30T23:59:59+07:00"),
    ("tham mưu đề xuất UBND tỉnh trong tháng 6/2025", "2025-06-30", "2025-06-30T23:59:59+07:00"),
    ("hoàn thành trước ngày 21/3/2025", "2025-03-21", "2025-03-21T23:59:59+07:00"),
    ("báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 10 tháng 8 năm 2025", "2025-08-10",
     "2025-08-11T23:59:59+07:00"),  # 10/8/2025 is a Sunday
    ("báo cáo Ủy ban nhân dân tỉnh trước ngày 05 tháng 8 năm 2025", "2025-08-05", "2025-08-05T23:59:59+07:00"),
    ("hoàn thành nhiệm vụ trong tháng 4/2025", "2025-04-30", "2025-05-05T23:59:59+07:00"),  # 30/4, 1–2/5, weekend
    ("trong quý III/2025", "2025-09-30", "2025-09-30T23:59:59+07:00"),
    ("trong quý 4 năm 2025", "2025-12-31", "2025-12-31T23:59:59+07:00"),
    ("trong năm 2025", "2025-12-31", "2025-12-31T23:59:59+07:00"),
    ("trước 14 giờ, ngày 05/12/2017", "2017-12-05", "2017-12-05T14:00:00+07:00"),
    ("không quá 2 tháng kể từ ngày ban hành", "2025-09-21", "2025-09-22T23:59:59+07:00"),
    ("trong 10 ngày làm việc kể từ ngày ký", "2025-08-04", "2025-08-04T23:59:59+07:00"),
    ("trong mười ngày kể từ ngày nhận", "2025-07-31", "2025-07-31T23:59:59+07:00"),
    ("trong 05 ngày kể từ ngày nhận được Công văn này", "2025-07-26", "2025-07-28T23:59:59+07:00"),
    ("hạn chót ngày 17/2/2026", "2026-02-17", "2026-02-23T23:59:59+07:00"),  # Tết 2026
    ("trước tháng 6/2025", "2025-05-31", "2025-06-02T23:59:59+07:00"),
    ("6 tháng đầu năm 2025", "2025-06-30", "2025-06-30T23:59:59+07:00"),
    ("từ ngày 15/8/2025 đến ngày 15/9/2025", "2025-09-15", "2025-09-15T23:59:59+07:00"),
])
def test_a_phrase_resolves_to_its_stated_date_and_the_working_deadline(phrase, stated, due):
    deadline = READER.read(phrase, SIGNED)
    assert (deadline.stated.isoformat(), deadline.due.isoformat(), deadline.recurrence) == (stated, due, None)


@pytest.mark.parametrize("phrase, rule, first_due", [
    ("định kỳ báo cáo kết quả về Ủy ban nhân dân tỉnh trước 15h00 thứ Ba hàng tuần",
     "FREQ=WEEKLY;BYDAY=TU;BYHOUR=15;BYMINUTE=0", "2025-07-22T15:00:00+07:00"),
    ("hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=-1", "2025-07-31T23:59:59+07:00"),
    ("định kỳ từ ngày 1 đến ngày 5 hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=5", "2025-08-05T23:59:59+07:00"),
    ("hằng quý", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1", "2025-09-30T23:59:59+07:00"),
    ("báo cáo trước 8 giờ hằng ngày", "FREQ=DAILY;BYHOUR=8;BYMINUTE=0", "2025-07-21T08:00:00+07:00"),
    ("định kỳ hằng tuần báo cáo tiến độ vào thứ Sáu", "FREQ=WEEKLY;BYDAY=FR", "2025-07-25T23:59:59+07:00"),
    ("báo cáo định kỳ hằng tháng trước ngày 25", "FREQ=MONTHLY;BYMONTHDAY=25", "2025-07-25T23:59:59+07:00"),
    ("hằng tháng (trước ngày 20)", "FREQ=MONTHLY;BYMONTHDAY=20", "2025-08-20T23:59:59+07:00"),
    ("hằng quý (trước ngày 15 của tháng cuối quý)", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=15",
     "2025-09-15T23:59:59+07:00"),
    ("hằng quý, trước ngày 10 của tháng đầu quý sau", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=10",
     "2025-10-10T23:59:59+07:00"),
    ("định kỳ 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12)", "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=15",
     "2025-12-15T23:59:59+07:00"),
    ("trước ngày 15/12 hằng năm", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=15", "2025-12-15T23:59:59+07:00"),
])
def test_a_recurring_phrase_gives_its_rule_and_first_deadline(phrase, rule, first_due):
    deadline = READER.read(phrase, SIGNED)
    assert (deadline.recurrence, deadline.due.isoformat()) == (rule, first_due)


def test_a_recurring_report_may_name_its_end():
    deadline = READER.read("trước 15h00 thứ Ba hằng tuần đến hết năm 2025", SIGNED)
    assert deadline.recurrence == "FREQ=WEEKLY;BYDAY=TU;BYHOUR=15;BYMINUTE=0;UNTIL=20251231T165959Z"
    last = READER.occurrences(deadline.recurrence, date(2025, 12, 24), 3)
    assert [moment.date() for moment in last] == [date(2025, 12, 30)]


def test_a_date_without_its_year_lies_ahead_of_the_signing():
    december = date(2025, 12, 20)
    assert READER.read("trước ngày 10/01", december).stated == date(2026, 1, 10)
    assert READER.read("trước ngày 15/12", december).stated == date(2025, 12, 15)  # just passed: said as written


def test_the_span_is_the_part_of_the_phrase_that_was_read():
    phrase = "báo cáo kết quả trước ngày 10 tháng 8 năm 2025 để tổng hợp"
    start, end = READER.read(phrase, SIGNED).span
    assert phrase[start:end].strip() == "trước ngày 10 tháng 8 năm 2025"


def test_before_a_day_can_mean_the_end_of_the_day_before():
    reader = DeadlineReader(BusinessCalendar(), BEFORE_DAY_BEFORE)
    deadline = reader.read("trước ngày 21/3/2025", SIGNED)
    assert (deadline.stated.isoformat(), deadline.due.isoformat()) == ("2025-03-21", "2025-03-20T23:59:59+07:00")


def test_a_weekly_report_due_on_a_holiday_moves_to_the_next_working_day():
    rule = READER.read("trước 15h00 thứ Ba hằng tuần", SIGNED).recurrence
    tuesdays = READER.occurrences(rule, date(2025, 8, 26), 3)
    dues = [READER.calendar.deadline(t.date(), t.time()).isoformat() for t in tuesdays]
    assert dues == ["2025-08-26T15:00:00+07:00", "2025-09-03T15:00:00+07:00", "2025-09-09T15:00:00+07:00"]


@pytest.mark.parametrize("phrase, sentence", [
    ("sớm nhất có thể", "Không đọc được thời hạn «sớm nhất có thể»."),
    ("trong 10 ngày", "không nói tính từ ngày nào"),
    ("hằng tuần", "chưa nói thứ nào trong tuần"),
    ("trong 10 ngày làm việc kể từ ngày nhận đủ hồ sơ", "tính từ một mốc chưa biết ngày"),
    ("trước ngày 31/2/2025", "Ngày «31/2/2025» không có trên lịch."),
    ("trước ngày 31 tháng 2 năm 2027", "Ngày «31/2/2027» không có trên lịch."),  # not read as «tháng 2 năm 2027»
    ("hoàn thành trong ngày 29 tháng 2 năm 2027", "Ngày «29/2/2027» không có trên lịch."),
    ("", "Chưa nhập thời hạn."),
])
def test_a_phrase_it_cannot_read_is_refused_with_a_sentence(phrase, sentence):
    with pytest.raises(DeadlineError) as refused:
        READER.read(phrase, SIGNED)
    assert sentence in refused.value.message


def test_the_deadline_command_prints_json(app):
    result = app.test_cli_runner().invoke(args=["deadline", "trước ngày 10 tháng 8 năm 2025", "--from", "2025-07-21"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"stated": "2025-08-10", "due": "2025-08-11T23:59:59+07:00",
                                         "recurrence": None, "span": [0, 30]}


def test_the_deadline_command_refuses_an_unreadable_phrase(app):
    result = app.test_cli_runner().invoke(args=["deadline", "càng sớm càng tốt"])
    assert result.exit_code != 0 and "Không đọc được thời hạn «càng sớm càng tốt»" in result.output
