"""Demo data: the catalog feed, the GBP rate card, the standard terms (version 1) and one user per role."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from licensing.catalog.services import import_feed
from licensing.core import users
from licensing.pricing.rules import DEMO_RATE_CARD
from licensing.pricing.services import NoRateCard, current_rate_card, save_rate_card
from licensing.review.models import RejectionReason
from licensing.terms.services import current as current_terms

DEMO_FEED = Path(__file__).resolve().parent / "catalog.xml"
DEMO_REASONS = (
    ("Exclusive elsewhere", "This article is licensed exclusively to another publisher in your territory."),
    ("Not available for syndication", "This article is not available for republishing."),
    ("Context or use", "The proposed use or context is not one we can license."),
    ("Incomplete request", "We could not verify the publication or organisation from the details given."),
)
DEMO_USERS = (
    ("staff@syndication-desk.org", "Sam Staff", "staff-demo-2026", ["staff"]),
    ("finance@syndication-desk.org", "Fran Finance", "finance-demo-2026", ["finance"]),
    ("admin@syndication-desk.org", "Ada Admin", "admin-demo-2026", ["admin", "staff", "finance"]),
)


def load(session: Session) -> str:
    imported = import_feed(session, str(DEMO_FEED))
    try:
        card = current_rate_card(session)
        card_note = f"rate card version {card.version} kept"
    except NoRateCard:
        card = save_rate_card(session, DEMO_RATE_CARD, note="Demo rate card")
        card_note = f"rate card version {card.version} created"
    terms = current_terms(session)  # the demo terms become version 1 if there is none yet
    created = 0
    for email, name, password, roles in DEMO_USERS:
        if users.find_by_email(session, email) is None:
            users.create_user(session, email, name, password, roles)
            created += 1
    if session.scalar(select(func.count(RejectionReason.id))) == 0:
        session.add_all(RejectionReason(title=t, body=b) for t, b in DEMO_REASONS)
        session.commit()
    return (f"Demo data: {imported.created} article(s) created, {imported.updated} updated; "
            f"{card_note}; standard terms version {terms.version} current; {created} user(s) created.")
