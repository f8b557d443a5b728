"""Document numbers: PREFIX-YYYY-NNNNN, gapless within a calendar year.

The counter row for (kind, year) is locked inside the caller's transaction (SELECT ... FOR
UPDATE on PostgreSQL; on SQLite the write transaction already holds the database lock), so
numbers are allocated in commit order and a rolled-back transaction gives its number back.
A unique constraint on each document's number is the last line of defence."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from licensing.core.models import DocumentSequence

PATTERN = re.compile(r"^([A-Z]{2,4})-(\d{4})-(\d{5,})$")


def format_number(prefix: str, year: int, value: int) -> str:
    if not re.fullmatch(r"[A-Z]{2,4}", prefix):
        raise ValueError(f"a document number prefix is 2 to 4 capital letters, not {prefix!r}")
    return f"{prefix}-{year:04d}-{value:05d}"


def next_number(session: Session, kind: str, prefix: str, year: int) -> str:
    """Allocate the next number of `kind` for `year` inside the current transaction. Each kind's
    owner names its prefix (licensing's licenses "LIC", billing's invoices "INV" and credit notes "CN")."""
    stmt = select(DocumentSequence).where(DocumentSequence.kind == kind, DocumentSequence.year == year)
    row = session.scalars(stmt.with_for_update()).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(DocumentSequence(kind=kind, year=year, last_value=0))
        except IntegrityError:  # another transaction created the row first
            pass
        row = session.scalars(stmt.with_for_update()).one()
    row.last_value += 1
    session.flush()
    return format_number(prefix, year, row.last_value)
