"""What every form shares: text fields drop NUL characters (PostgreSQL text cannot hold them)."""
from __future__ import annotations


def without_nul(value):
    """Drop NUL characters: PostgreSQL text cannot hold them, so a query with one would fail."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class FieldError(ValueError):
    """Input a service cannot accept; `field` names what to correct, `message` says how (the staff
    review and the finance actions both answer with it, beside the field)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def clean_text(value: str | None, field: str, what: str, limit: int, required: bool = True) -> str:
    """Typed text, stripped, checked for presence and length."""
    value = (value or "").strip()
    if required and not value:
        raise FieldError(field, f"{what} is required.")
    if len(value) > limit:
        raise FieldError(field, f"{what} must be at most {limit:,} characters.")
    return value
