"""Working-day arithmetic for service targets (pure; weekends are Saturday and Sunday)."""
from __future__ import annotations

from datetime import datetime, timedelta

DAY = timedelta(days=1)


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _clamp_back(moment: datetime) -> datetime:
    """A weekend moment, moved back to the end of the Friday before (Saturday 00:00)."""
    if moment.weekday() >= 5:
        return _midnight(moment) - DAY * (moment.weekday() - 5)
    return moment


def working_days_between(start: datetime, end: datetime) -> float:
    """Elapsed working time from start to end, in working days (weekend time does not count)."""
    if end <= start:
        return 0.0
    weeks = (end - start).days // 7
    total = timedelta(days=5 * weeks)
    cursor = start + timedelta(days=7 * weeks)
    while cursor < end:
        stop = min(_midnight(cursor) + DAY, end)
        if cursor.weekday() < 5:
            total += stop - cursor
        cursor = stop
    return total.total_seconds() / 86400


def subtract_working_days(end: datetime, days: int) -> datetime:
    """The moment from which exactly `days` working days have elapsed by `end`: anything
    submitted before it has waited longer than `days` working days."""
    current = _clamp_back(end)
    weeks, rest = divmod(days, 5)
    current -= timedelta(days=7 * weeks)
    while rest > 0:
        current -= DAY
        if current.weekday() < 5:
            rest -= 1
    return current
