"""Helpers of the staff-side tests (access matrix, review pages, staff API, concurrency).

Plain functions taking the `app`; a test module imports what it uses. Users are inserted with a
real argon2id hash made once with the cheapest parameters: `users.check_password` verifies with
the parameters stored in the hash, so signing in costs milliseconds instead of ~0.4 s."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

from argon2 import PasswordHasher

from tests.conftest import EXAMPLE_URL

PASSWORD = "correct horse battery staple"
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
PUBLISHER_EMAIL = "jo@leeds-post.example"


def add_user(app, email: str, name: str, roles: list[str], active: bool = True) -> int:  # noqa: ANN001
    """A user with PASSWORD; returns the id."""
    from licensing.core.db import new_session
    from licensing.core.models import User, UserRole

    with app.app_context(), new_session() as s:
        user = User(email=email, name=name, password_hash=CHEAP_HASH, active=active,
                    roles=[UserRole(role=r) for r in roles])
        s.add(user)
        s.commit()
        return user.id


def login(client, user_id: int) -> None:  # noqa: ANN001
    """Sign a test client in as the user, as Flask-Login's session would after a sign-in (with the
    user's current session version, which signing out or a role change raises)."""
    from licensing.core.db import new_session
    from licensing.core.models import User

    with client.application.app_context(), new_session() as s:
        user = s.get(User, user_id)
        version = user.session_version if user is not None else 0
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True
        sess["_sv"] = version


def signed_in(app, email: str, name: str, roles: list[str]) -> SimpleNamespace:  # noqa: ANN001
    """A new user with these roles and a test client signed in as them: (app, client, user_id)."""
    uid = add_user(app, email, name, roles)
    client = app.test_client()
    login(client, uid)
    return SimpleNamespace(app=app, client=client, user_id=uid)


def logout(client) -> None:  # noqa: ANN001
    with client.session_transaction() as sess:
        sess.clear()


def api_token(app, user_id: int, name: str = "test token") -> str:  # noqa: ANN001
    from licensing.core import tokens
    from licensing.core.db import new_session
    from licensing.core.models import User

    with app.app_context(), new_session() as s:
        _row, token = tokens.create_token(s, s.get(User, user_id), name)
        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def request_data(**overrides) -> dict:  # noqa: ANN003
    """A valid request as the JSON API takes it: website, 25,000, GB + FR, 1 year = GBP 675.00."""
    data = {
        "article_url": EXAMPLE_URL,
        "organisation": "Leeds Evening Post Ltd",
        "contact_name": "Jo Bloggs",
        "email": PUBLISHER_EMAIL,
        "country": "GB",
        "vat_id": "GB980780684",
        "publication": "Leeds Evening Post",
        "publication_url": "https://leeds-post.example",
        "medium": "website",
        "audience": 25000,
        "territory": ["GB", "FR"],
        "language": "en",
        "term": "1_year",
        "start_date": (date.today() + timedelta(days=7)).isoformat(),
        "notes": "We would run it on our world page.",
        "terms_accepted": True,
    }
    data.update(overrides)
    return data


VALID_AMOUNT = 67500  # the demo rate card: 150.00 x1.5 audience x1.5 territory x2 term


@dataclass
class Made:
    reference: str
    token: str
    id: int
    amount: int


def submit(app, **overrides) -> Made:  # noqa: ANN001, ANN003
    """Submit a request through the publisher's service (event + receipt e-mail included)."""
    from licensing.core.db import new_session
    from licensing.intake.rules.validation import validate_request
    from licensing.intake.services import submit_request

    with app.test_request_context("/"), new_session() as s:
        given, errors = validate_request(request_data(**overrides), date.today())
        assert not errors, errors
        done = submit_request(s, given)
        return Made(done.request.reference, done.token, done.request.id, done.quote.amount)


def insert_requests(app, rows: list[dict]) -> list[Made]:  # noqa: ANN001
    """Insert request rows directly, with chosen values (status, submitted_at, fee...), fast."""
    from sqlalchemy import select

    from licensing.catalog.models import Article
    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest
    from licensing.intake.services import derive_tracking_token, hash_token, new_reference
    from licensing.pricing.services import current_rate_card

    made = []
    with app.app_context(), new_session() as s:
        card = current_rate_card(s)
        default_article = s.scalars(select(Article.id).where(Article.canonical_url == EXAMPLE_URL)).one()
        objects = []
        for fields in rows:
            reference, nonce = new_reference(), secrets.token_hex(16)
            token = derive_tracking_token(reference, nonce)
            values = dict(
                reference=reference, tracking_token_hash=hash_token(token), tracking_nonce=nonce,
                status="submitted", article_id=default_article, organisation="Leeds Evening Post Ltd",
                contact_name="Jo Bloggs", email=PUBLISHER_EMAIL, country="GB", publication="Leeds Evening Post",
                publication_url="https://leeds-post.example", medium="website", audience=25000,
                territory="FR,GB", language="en", term="1_year", start_date=date.today(),
                terms_accepted=True, quote_amount=VALID_AMOUNT, currency="GBP",
                quote_breakdown=[{"label": "Base fee: website", "amount": VALID_AMOUNT}], rate_card_id=card.id,
                submitted_at=datetime(2026, 1, 5, 9, 0),
            )
            values.update(fields)
            objects.append((RepublishRequest(**values), token))
        s.add_all(o for o, _ in objects)
        s.commit()
        for obj, token in objects:
            made.append(Made(obj.reference, token, obj.id, obj.quote_amount))
    return made


def mails(app, to: str | None = None, tag_contains: str = "") -> list:  # noqa: ANN001
    """The outbox messages (detached), oldest first."""
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage

    with app.app_context(), new_session() as s:
        stmt = select(OutboxMessage).order_by(OutboxMessage.id)
        if to is not None:
            stmt = stmt.where(OutboxMessage.to_address == to)
        return [m for m in s.scalars(stmt).all() if tag_contains in m.tag]


def events_of(app, reference: str) -> list:  # noqa: ANN001
    """The request's events (detached), in order."""
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest, RequestEvent

    with app.app_context(), new_session() as s:
        return list(s.scalars(select(RequestEvent).join(RepublishRequest)
                              .where(RepublishRequest.reference == reference).order_by(RequestEvent.id)))


def state(app, reference: str):  # noqa: ANN001, ANN201
    """The request row as it is now (detached)."""
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest

    with app.app_context(), new_session() as s:
        return s.scalars(select(RepublishRequest).where(RepublishRequest.reference == reference)).one()


def execute(app, sql: str, **params) -> None:  # noqa: ANN001, ANN003
    """Run one write statement directly (e.g. to move a timestamp into the past)."""
    from sqlalchemy import text

    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        s.execute(text(sql), params)
        s.commit()


def add_reason(app, title: str, body: str, active: bool = True) -> int:  # noqa: ANN001
    from licensing.core.db import new_session
    from licensing.review.models import RejectionReason

    with app.app_context(), new_session() as s:
        row = RejectionReason(title=title, body=body, active=active)
        s.add(row)
        s.commit()
        return row.id


def tracking_link(body: str) -> str:
    """The tracking link in an e-mail's text (fails when there is none)."""
    found = re.search(r"https?://\S+/track/[A-Za-z0-9_-]+", body)
    assert found, f"no tracking link in:\n{body}"
    return found.group(0)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
