"""What every form shares: text fields drop NUL characters (PostgreSQL text cannot hold them)."""
from __future__ import annotations


def without_nul(value):  # noqa: ANN001, ANN201
    """Drop NUL characters: PostgreSQL text cannot hold them, so a query with one would fail."""
    return value.replace("\x00", "") if isinstance(value, str) else value
