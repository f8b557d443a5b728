"""Working-day arithmetic of the service target, and the staff's fee input."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from licensing.review.rules import subtract_working_days, working_days_between

# January 2026: Monday 5, Friday 9, Saturday 10, Sunday 11, Monday 12, Wednesday 14.
MON, TUE, WED, THU, FRI, SAT, SUN = (datetime(2026, 1, d) for d in range(5, 12))
NEXT_MON = datetime(2026, 1, 12)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


@pytest.mark.parametrize("start, end, days", [
    (at(MON, 9), at(MON, 9), 0.0),
    (at(MON, 12), at(MON, 9), 0.0),  # the end before the start
    (at(MON, 9), at(MON, 15), 0.25),
    (at(MON, 9), at(TUE, 9), 1.0),
    (MON, NEXT_MON, 5.0),
    (at(FRI, 18), at(NEXT_MON, 9), 0.625),  # Friday evening to Monday morning: 6 h + 9 h
    (at(FRI, 18), at(SAT, 12), 0.25),  # into the weekend: only Friday counts
    (at(SAT, 10), at(NEXT_MON, 12), 0.5),  # a start on Saturday counts from Monday
    (at(SAT, 10), at(SUN, 22), 0.0),  # all weekend
    (at(SUN, 23), at(NEXT_MON, 1), 1 / 24),
    (at(THU, 12), at(datetime(2026, 1, 13), 12), 3.0),  # Thursday noon to Tuesday noon
    (at(WED, 12), at(datetime(2026, 1, 21), 12), 10.0),  # two whole weeks
    (at(WED, 12), at(datetime(2026, 1, 24), 12), 12.5),  # two weeks, then Wednesday noon to a Saturday
    (at(FRI, 23, 30), at(NEXT_MON, 0, 30), 1 / 24),
])
def test_working_days_between(start, end, days):
    assert working_days_between(start, end) == pytest.approx(days, abs=1e-9)


@pytest.mark.parametrize("start, end, seconds", [
    # a day's end is midnight exactly, whatever the minutes, seconds and microseconds of the start
    (datetime(2026, 1, 9, 18, 17, 42, 500000), datetime(2026, 1, 10, 12), 5 * 3600 + 42 * 60 + 17.5),
    (datetime(2026, 1, 9, 23, 59, 59, 250000), datetime(2026, 1, 12, 0, 0, 1), 0.75 + 1),
    (datetime(2026, 1, 9, 23, 30), datetime(2026, 1, 10, 0, 30), 30 * 60),  # Friday 23:30 to Saturday 00:30
    (datetime(2026, 1, 5, 9, 45, 30), datetime(2026, 1, 6, 9, 45, 30), 86400),
])
def test_working_time_ends_at_midnight_to_the_microsecond(start, end, seconds):
    assert working_days_between(start, end) * 86400 == pytest.approx(seconds, abs=1e-6)


@pytest.mark.parametrize("end, days, start", [
    (at(WED, 10), 2, at(MON, 10)),
    (at(NEXT_MON, 9), 1, at(FRI, 9)),  # over the weekend
    (at(NEXT_MON, 9), 2, at(THU, 9)),
    (at(NEXT_MON, 0), 1, FRI),
    (at(SAT, 15), 1, FRI),  # on Saturday: the week's work ended Friday midnight
    (at(SUN, 15), 2, THU),
    (at(NEXT_MON, 9), 5, at(MON, 9)),
    (at(NEXT_MON, 9), 7, at(datetime(2026, 1, 1), 9)),  # 7 working days back: Thursday 1 January
    (at(TUE, 9), 0, at(TUE, 9)),
    (at(SUN, 9), 0, SAT),
    # a weekend end goes back to Saturday 00:00:00.000000, whatever its minutes, seconds, microseconds
    (datetime(2026, 1, 11, 15, 17, 42, 123456), 0, datetime(2026, 1, 10)),
    (datetime(2026, 1, 10, 0, 0, 1), 1, datetime(2026, 1, 9)),
    (datetime(2026, 1, 10, 23, 59, 59, 999999), 2, datetime(2026, 1, 8)),
])
def test_subtract_working_days(end, days, start):
    assert subtract_working_days(end, days) == start


@pytest.mark.parametrize("days", [1, 2, 3, 5, 6, 11])
def test_subtract_is_the_inverse_of_between_at_every_hour_of_a_fortnight(days):
    for hour in range(0, 14 * 24, 1):
        end = MON + timedelta(hours=hour, minutes=17)
        start = subtract_working_days(end, days)
        assert working_days_between(start, end) == pytest.approx(days, abs=1e-9), (end, start)
        if end.weekday() < 5:  # and anything submitted a minute earlier has waited longer
            assert working_days_between(start - timedelta(minutes=1), end) > days
