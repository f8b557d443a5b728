"""The rate card: the current version, a new version, and its parsed terms (cached per card id:
a version is never edited, so the cache is never stale)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from licensing.core.db import begin_write
from licensing.pricing.models import RateCard
from licensing.pricing.rules import RateCardTerms


class NoRateCard(RuntimeError):
    def __init__(self, message: str = "no rate card has been set up: run `flask demo load` or add one") -> None:
        super().__init__(message)


def current_rate_card(session: Session) -> RateCard:
    card = session.scalars(select(RateCard).order_by(RateCard.version.desc()).limit(1)).first()
    if card is None:
        raise NoRateCard()
    return card


def terms_of(card: RateCard) -> RateCardTerms:
    return RateCardTerms.from_dict(card.version, card.data)


class StaleRateCard(RuntimeError):
    """Another version was saved after the one an edit started from."""

    def __init__(self, current: int) -> None:
        super().__init__(f"version {current} was saved meanwhile")
        self.current = current


def save_rate_card(session: Session, data: dict, note: str = "", user_id: int | None = None,
                   based_on: int | None = None) -> RateCard:
    """Add a new version of the rate card (validated); versions are never edited. With `based_on`
    (the version an edit started from; 0 for none), refused when another was saved meanwhile."""
    begin_write(session)
    latest = session.scalar(select(RateCard.version).order_by(RateCard.version.desc()).limit(1)) or 0
    if based_on is not None and latest != based_on:
        session.rollback()
        raise StaleRateCard(latest)
    terms = RateCardTerms.from_dict(latest + 1, data)
    card = RateCard(version=latest + 1, currency=terms.currency, data=terms.to_dict(), note=note,
                    created_by_id=user_id)
    session.add(card)
    try:
        session.commit()
    except IntegrityError:  # PostgreSQL: a concurrent save took the same version number
        session.rollback()
        if based_on is None:
            raise
        raise StaleRateCard(latest + 1) from None
    return card


def rate_card_terms(session: Session, card_id: int) -> RateCardTerms:
    """The terms of a rate card, parsed once per app: a version is never edited (a change adds one),
    so what is kept is never stale; which card is current is asked of the database every time."""
    kept: dict[int, RateCardTerms] = current_app.extensions.setdefault("rate_card_terms", {})
    terms = kept.get(card_id)
    if terms is None:
        card = session.get(RateCard, card_id)
        if card is None:
            raise NoRateCard(f"rate card {card_id} is gone")
        if len(kept) >= 32:
            kept.clear()
        terms = kept[card_id] = terms_of(card)
    return terms
