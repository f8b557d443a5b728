"""The standard terms: the current version, any earlier one, and publishing a new one (versions are
never edited; a license keeps the version its request accepted)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from licensing.core.db import begin_write, utcnow
from licensing.terms.models import StandardTerms
from licensing.terms.rules import fill, respell

DEMO_TERMS = Path(__file__).resolve().parent / "demo_terms.md"


def _values(version: int, when: datetime) -> dict[str, str]:
    s = current_app.config["SETTINGS"]
    return {"version": str(version), "published_on": when.date().isoformat(), "licensor": s.seller_name,
            "governing_law": s.governing_law, "courts": s.jurisdiction, "contact_email": s.terms_contact_email}


def prepare(text: str, version: int, when: datetime) -> str:
    """The text as it would be published: placeholders filled from settings, in the seller's
    English. ValueError names a placeholder that is unknown or has no value."""
    return respell(fill(text, _values(version, when)), current_app.config["SETTINGS"].seller_english)


def latest_version(session: Session) -> int:
    return session.scalar(select(StandardTerms.version).order_by(StandardTerms.version.desc()).limit(1)) or 0


class PublishedMeanwhile(ValueError):
    """Another version took this number first (PostgreSQL: two admins at once)."""


def publish(session: Session, text: str, user_id: int | None) -> StandardTerms:
    """Add the next version (ValueError: a placeholder problem, nothing stored)."""
    begin_write(session)
    version, when = latest_version(session) + 1, utcnow()
    terms = StandardTerms(version=version, text=prepare(text, version, when), published_at=when,
                          published_by_id=user_id)
    session.add(terms)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise PublishedMeanwhile(f"version {version} was published by someone else a moment ago: "
                                 "read it, then publish yours as the next one") from None
    return terms


def current(session: Session) -> StandardTerms:
    """The latest version. On the first run (no version yet) the demo terms become version 1."""
    found = session.scalars(select(StandardTerms).order_by(StandardTerms.version.desc()).limit(1)).first()
    if found is not None:
        return found
    try:
        return publish(session, DEMO_TERMS.read_text(encoding="utf-8"), None)
    except PublishedMeanwhile:  # another first run published it at the same moment
        return session.scalars(select(StandardTerms).order_by(StandardTerms.version.desc()).limit(1)).one()


def version(session: Session, number: int) -> StandardTerms | None:
    return session.get(StandardTerms, number)


def all_versions(session: Session) -> list[StandardTerms]:
    return list(session.scalars(select(StandardTerms).order_by(StandardTerms.version.desc())))


def demo_text() -> str:
    return DEMO_TERMS.read_text(encoding="utf-8")
