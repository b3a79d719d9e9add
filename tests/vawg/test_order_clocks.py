"""The 48-hour hearing clock of a protection notice and the expiry alerts (known answers)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vawg.errors import UserInputError
from vawg.order_clocks import expiry_clock, hearing_deadline, holidays_load, notice_clock

LONDON = ZoneInfo("Europe/London")


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("given", "due"),
    [
        # Saturday 10:00 before the spring bank holiday (Monday 25 May 2026): 14 h on Saturday,
        # Sunday and Monday disregarded, 24 h on Tuesday, 10 h on Wednesday.
        (_at(2026, 5, 23, 10), _at(2026, 5, 27, 10)),
        # Given on the Sunday itself: the clock starts on Tuesday at midnight.
        (_at(2026, 5, 24, 15), _at(2026, 5, 28, 0)),
        # Thursday before Easter 2026: 6 h on Thursday, Good Friday disregarded, 24 h on the
        # Saturday, Easter Sunday and Monday disregarded, 18 h on the Tuesday.
        (_at(2026, 4, 2, 18), _at(2026, 4, 7, 18)),
        # Christmas 2026: Friday 25th and the substitute Boxing Day (Monday 28th) disregarded,
        # the Saturday counts.
        (_at(2026, 12, 24, 12), _at(2026, 12, 29, 12)),
        # Christmas Day on a Saturday (2027): disregarded by name, and so are the substitutes.
        (_at(2027, 12, 24, 9), _at(2027, 12, 30, 9)),
        # A plain weekday: 48 hours.
        (_at(2026, 6, 9, 8, 15), _at(2026, 6, 11, 8, 15)),
    ],
)
def test_the_hearing_deadline_skips_sundays_christmas_good_friday_and_bank_holidays(
    given: datetime, due: datetime
) -> None:
    assert hearing_deadline(given) == due


def test_across_the_clock_change_and_time_zones() -> None:
    # Summer time ends at 02:00 on Sunday 25 October 2026, a disregarded day: from Friday 23
    # October 12:00 (BST), 12 h Friday, 24 h Saturday, 12 h Monday (GMT), at 12:00 local time.
    assert hearing_deadline(_at(2026, 10, 23, 12)) == _at(2026, 10, 26, 12)
    # From Saturday 30 October 2027 06:00 (the change is at 02:00 on Sunday 31st, disregarded):
    # 18 h Saturday, 24 h Monday, 6 h Tuesday.
    assert hearing_deadline(_at(2027, 10, 30, 6)) == _at(2027, 11, 2, 6)
    # A naive time is London time; an aware one in UTC is converted.
    assert hearing_deadline(datetime(2026, 6, 9, 8, 15)) == _at(2026, 6, 11, 8, 15)
    utc = datetime(2026, 6, 9, 7, 15, tzinfo=ZoneInfo("UTC"))
    assert hearing_deadline(utc) == _at(2026, 6, 11, 8, 15)


def test_a_clock_past_the_table_stops_with_an_error(tmp_path: Path) -> None:
    with pytest.raises(UserInputError, match="covers 2020-2027"):
        hearing_deadline(_at(2027, 12, 31, 12))
    table = tmp_path / "holidays.csv"
    table.write_text("# a newer table\ndate,name\n2028-01-03,New Year's Day (substitute day)\n")
    later = holidays_load(table)
    # 31 Dec 2027 is outside this table too: a table is needed for every day the clock runs.
    with pytest.raises(UserInputError, match="covers 2028-2028"):
        hearing_deadline(_at(2027, 12, 31, 12), holidays=later)
    # Saturday 1 Jan 2028 12:00: 12 h, Sunday skipped, Monday 3rd (substitute) skipped, 24 h
    # Tuesday, 12 h Wednesday.
    assert hearing_deadline(_at(2028, 1, 1, 12), holidays=later) == _at(2028, 1, 5, 12)
    bad = tmp_path / "bad.csv"
    bad.write_text("date,name\n2028-13-01,Nope\n")
    with pytest.raises(UserInputError, match="row 2"):
        holidays_load(bad)


def test_the_shipped_table_has_the_substitute_days_and_no_weekend() -> None:
    table = holidays_load()
    assert date(2022, 12, 27) in table.days  # Christmas Day on a Sunday: substitute Tuesday
    assert date(2023, 5, 8) in table.days  # the coronation
    assert all(day.weekday() < 5 for day in table.days)
    for year in range(table.first_year, table.last_year + 1):
        assert sum(1 for day in table.days if day.year == year) >= 8


def test_alerts_for_a_notice_near_its_hearing_and_an_order_near_its_end() -> None:
    given = _at(2026, 5, 23, 10)
    assert notice_clock(given, now=_at(2026, 5, 26, 9)).soon is False
    near = notice_clock(given, now=_at(2026, 5, 27, 0))
    assert near.soon
    assert not near.overdue
    late = notice_clock(given, now=_at(2026, 5, 27, 10, 1))
    assert late.overdue
    assert not late.soon
    assert expiry_clock(date(2027, 1, 17), today=date(2026, 12, 20)).soon  # 28 days ahead
    assert not expiry_clock(date(2027, 1, 18), today=date(2026, 12, 20)).soon
    gone = expiry_clock(date(2026, 12, 19), today=date(2026, 12, 20))
    assert gone.overdue
    assert not gone.soon
