"""Helpers of the benches that need people and paperwork: a user with a cheap password hash, the
JSON body of a request as the API takes it, and requests submitted and approved through the real
services (licenses, invoices and their pending PDF documents)."""
from __future__ import annotations

from datetime import date, timedelta

EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"
PASSWORD = "bench password, not secret"
# argon2id with the cheapest parameters: users.check_password verifies with the parameters stored in
# the hash, so a bench sign-in costs milliseconds instead of ~0.4 s (the demo users' real cost).
_CHEAP_HASH: str | None = None


def cheap_hash() -> str:
    global _CHEAP_HASH
    if _CHEAP_HASH is None:
        from argon2 import PasswordHasher

        _CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    return _CHEAP_HASH


def add_user(application, email: str, name: str, roles: list[str]) -> int:  # noqa: ANN001
    """A user whose password is PASSWORD; returns the id."""
    from licensing.core.db import new_session
    from licensing.core.models import User, UserRole

    with application.app_context(), new_session() as session:
        user = User(email=email, name=name, password_hash=cheap_hash(), active=True,
                    roles=[UserRole(role=r) for r in roles])
        session.add(user)
        session.commit()
        return user.id


def request_body(n: int) -> dict:
    """A valid request as POST /api/v1/requests takes it (website, 25,000, GB + FR, 1 year)."""
    return {
        "article_url": EXAMPLE_URL, "organisation": f"Leeds Evening Post {n} Ltd", "contact_name": "Jo Bloggs",
        "email": f"editor{n}@leeds-post.example", "country": "GB", "vat_id": "GB980780684",
        "publication": "Leeds Evening Post", "publication_url": "https://leeds-post.example", "medium": "website",
        "audience": 25000, "territory": ["GB", "FR"], "language": "en", "term": "1_year",
        "start_date": (date.today() + timedelta(days=7)).isoformat(),
        "notes": "We would run it on our world page.", "terms_accepted": True,
    }


def quote_body() -> dict:
    return {"article_url": EXAMPLE_URL, "medium": "website", "audience": 500_000, "territory": ["GB", "IE"],
            "language": "en", "term": "1_year", "exclusive": False, "media_wanted": False}


def submit_and_approve(application, count: int, user_id: int) -> list[str]:  # noqa: ANN001
    """Submit `count` requests and approve them through licensing.review (each approval issues a
    license and an invoice, and their two documents); returns the references."""
    from licensing.core.db import new_session
    from licensing.core.models import User
    from licensing.intake.rules.validation import validate_request
    from licensing.intake.services import submit_request
    from licensing.review import services as review

    references = []
    with application.test_request_context("/"):
        for n in range(count):
            with new_session() as session:
                given, errors = validate_request(request_body(n), date.today())
                assert not errors, errors
                references.append(submit_request(session, given).request.reference)
        with new_session() as session:
            results = review.bulk_decide(session, references, session.get(User, user_id), "approve")
            assert all(r.ok for r in results), [r for r in results if not r.ok][:3]
    return references
