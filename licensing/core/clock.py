"""Today's date for billing rules (overdue, ageing, reminders), injectable for tests: the app
config's TODAY_FUNC when set (licensing reads the same key), else the system date."""
from __future__ import annotations

from datetime import date

from flask import current_app


def today() -> date:
    return current_app.config.get("TODAY_FUNC", date.today)()
