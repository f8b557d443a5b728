"""Services of the publisher's side of a republishing request: quote, submit, track, withdraw,
answer. Each public function owns its transaction."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from invoices.billing.rules.vat_category import EU_COUNTRIES
from licensing.catalog import queries as search
from licensing.catalog.models import Article, ArticleAsset
from licensing.catalog.queries import find_by_url
from licensing.core.db import begin_write, utcnow
from licensing.core.mail import queue_mail
from licensing.core.money import format_money
from licensing.core.security import external_url
from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.intake.rules import workflow
from licensing.intake.rules.validation import MIN_AUDIENCE, QuoteInput, RequestInput
from licensing.pricing.models import RateCard
from licensing.pricing.rules import Quote, RequestedUse, quote_for
from licensing.pricing.rules.lowest import lowest_quote
from licensing.pricing.services import NoRateCard, current_rate_card, rate_card_terms, terms_of
from licensing.terms.services import current as current_terms

log = logging.getLogger(__name__)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U


def use_of(article_language: str | None, licensable_assets: int, given: QuoteInput | RequestInput) -> RequestedUse:
    return RequestedUse(
        medium=given.medium,
        audience=given.audience,
        territory=given.territory,
        term=given.term,
        translation=given.language != (article_language or "en"),
        exclusive=given.exclusive,
        media_assets=licensable_assets if given.media_wanted else 0,
    )


def article_exists(session: Session):
    return lambda url: find_by_url(session, url) is not None


@dataclass(frozen=True)
class PricingFacts:
    """What a quote needs to know of an article, and which rate card is current."""

    article_id: int
    language: str | None
    licensable_assets: int
    rate_card_id: int | None


_LICENSABLE = (select(func.count(ArticleAsset.id))
               .where(ArticleAsset.article_id == Article.id, ArticleAsset.licensable.is_(True))
               .correlate(Article).scalar_subquery())
_CURRENT_CARD_ID = select(RateCard.id).order_by(RateCard.version.desc()).limit(1)
_CURRENT_CARD = _CURRENT_CARD_ID.scalar_subquery()
_PRICING_FACTS = (select(Article.id, Article.language, _LICENSABLE, _CURRENT_CARD)
                  .where(Article.canonical_url.in_(bindparam("urls", expanding=True)))
                  .order_by(Article.id).limit(1))


def pricing_facts(session: Session, url: str) -> PricingFacts | None:
    """The pricing facts of the article at this address (None: no such article), in one query of
    plain rows: the live quote is asked for on every change of the form, so it skips the ORM's
    article and rate-card objects. Remembered for the life of the session."""
    url = search.lookup_url(url)
    if url is None:
        return None
    seen = session.info.setdefault("pricing_facts", {})
    if url not in seen:
        row = session.connection().execute(_PRICING_FACTS, {"urls": search.url_candidates(url)}).first()
        seen[url] = None if row is None else PricingFacts(*row)
    return seen[url]


def quotable(session: Session):
    """`article_exists` for validate_quote, by the pricing facts that `quote` then reuses."""
    return lambda url: pricing_facts(session, url) is not None


def quote(session: Session, given: QuoteInput | RequestInput) -> Quote:
    """The price of this use of the article under the current rate card (what submitting would store)."""
    facts = pricing_facts(session, given.article_url)
    if facts is None:
        raise LookupError("no such article")
    if facts.rate_card_id is None:
        raise NoRateCard()
    return quote_for(rate_card_terms(session, facts.rate_card_id),
                     use_of(facts.language, facts.licensable_assets, given))


def lowest_price(session: Session) -> Quote | None:
    """The lowest quote a request can get under the current rate card: the article page's "from"
    price. It is the same for every article (translation and photos are each optional); None
    before there is a rate card."""
    card_id = session.scalar(_CURRENT_CARD_ID)
    if card_id is None:
        return None
    return lowest_quote(rate_card_terms(session, card_id), MIN_AUDIENCE)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive_tracking_token(reference: str, nonce: str) -> str:
    """The tracking token: HMAC of a 128-bit random nonce under the app's secret key.

    The database keeps the nonce and the token's SHA-256, never the token, so a copy of the
    database alone opens no request; the app can still put the link in every later e-mail."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"tracking:{reference}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def tracking_url_of(request: RepublishRequest) -> str:
    return tracking_url(derive_tracking_token(request.reference, request.tracking_nonce))


def new_reference() -> str:
    return "REQ-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def tracking_url(token: str) -> str:
    return external_url("public.track", token=token)


@dataclass
class Submitted:
    request: RepublishRequest
    token: str
    quote: Quote


def vies_lookup(vat_id: str) -> str:
    """Ask the EU's VIES service (VIES_CHECK=1) whether a VAT id that passed its check is
    registered: 'valid', 'invalid', or 'unavailable' when the service does not answer (it often
    does not; the request goes ahead, and staff see the result). Never called with VIES_CHECK off."""
    settings = current_app.config["SETTINGS"]
    body = json.dumps({"countryCode": vat_id[:2], "vatNumber": vat_id[2:]}).encode()
    http = urllib.request.Request(settings.vies_url, data=body, method="POST",
                                  headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(http, timeout=5) as answer:  # noqa: S310 - the configured https URL
            data = json.loads(answer.read(65536))
    except (OSError, ValueError) as exc:
        log.warning("VIES did not answer for %s: %s", vat_id[:2], exc)
        return "unavailable"
    if not isinstance(data, dict) or not isinstance(data.get("valid"), bool):
        return "unavailable"
    return "valid" if data["valid"] else "invalid"


def submit_request(session: Session, given: RequestInput) -> Submitted:
    """Store a new request with its quote and the version of the standard terms it accepted, log the
    event, and queue the confirmation e-mail."""
    terms = current_terms(session)  # first: on the very first run it publishes version 1 (a commit)
    vies_result, vies_at = "", None
    if current_app.config["SETTINGS"].vies_check and given.vat_id and given.country in EU_COUNTRIES:
        # Before the write transaction: nothing is held while the service answers (or not).
        vies_result, vies_at = vies_lookup(given.vat_id), utcnow()
    begin_write(session)  # SQLite: a read transaction could not take the write lock after another commit
    article = find_by_url(session, given.article_url)
    if article is None:
        raise LookupError("no such article")
    card = current_rate_card(session)
    priced = quote_for(terms_of(card), use_of(article.language, len(article.licensable_assets), given))
    for _attempt in range(5):
        reference, nonce = new_reference(), secrets.token_hex(16)  # 128 random bits
        token = derive_tracking_token(reference, nonce)
        request = RepublishRequest(
            reference=reference, tracking_token_hash=hash_token(token), tracking_nonce=nonce,
            status=workflow.SUBMITTED,
            article_id=article.id, organisation=given.organisation, contact_name=given.contact_name,
            email=given.email, country=given.country, vat_id=given.vat_id,
            billing_address=given.billing_address, billing_address_line2=given.billing_address_line2,
            billing_city=given.billing_city, billing_postcode=given.billing_postcode,
            buyer_reference=given.buyer_reference, vies_result=vies_result, vies_checked_at=vies_at,
            publication=given.publication,
            publication_url=given.publication_url, medium=given.medium, audience=given.audience,
            territory=given.territory if given.territory == "worldwide" else ",".join(given.territory),
            language=given.language, term=given.term, start_date=given.start_date,
            exclusive=given.exclusive, media_wanted=given.media_wanted, notes=given.notes,
            terms_accepted=given.terms_accepted, terms_version=terms.version,
            quote_amount=priced.amount, currency=priced.currency,
            quote_breakdown=priced.to_dict()["breakdown"], rate_card_id=card.id,
        )
        session.add(request)
        try:
            session.flush()
        except IntegrityError:  # a reference collision: vanishingly rare, try another
            session.rollback()
            begin_write(session)
            continue
        break
    else:  # pragma: no cover
        raise RuntimeError("could not allocate a unique request reference")
    session.add(RequestEvent(request_id=request.id, actor_kind=workflow.PUBLISHER, action="submit",
                             before_status=None, after_status=workflow.SUBMITTED,
                             message="Request submitted with a quote of "
                                     f"{format_money(priced.amount, priced.currency)}."))
    queue_mail(session, request.email, f"We received your republishing request {request.reference}",
               "request_received", tag=f"request:{request.reference}:received", request=request,
               article=article, quote=priced, tracking_url=tracking_url(token))
    session.commit()
    return Submitted(request, token, priced)


def find_by_token(session: Session, token: str) -> RepublishRequest | None:
    if not token or len(token) > 200:
        return None
    return session.scalars(
        select(RepublishRequest)
        .where(RepublishRequest.tracking_token_hash == hash_token(token))
        .options(selectinload(RepublishRequest.article).selectinload(Article.assets),
                 selectinload(RepublishRequest.events))
    ).first()


def find_by_reference_and_token(session: Session, reference: str, token: str) -> RepublishRequest | None:
    request = find_by_token(session, token)
    if request is None or not hmac.compare_digest(request.reference.encode(),
                                                      (reference or "").upper().encode()):
        return None
    return request


class AlreadyDecided(workflow.TransitionRefused):
    """Someone else moved the request first; the message says who and when."""


def _refusal(session: Session, request_id: int, action: str) -> workflow.TransitionRefused:
    current = session.get(RepublishRequest, request_id, populate_existing=True)
    status = current.status if current else "missing"
    last = session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == request_id, RequestEvent.after_status == status)
        .order_by(RequestEvent.id.desc()).limit(1)
    ).first()
    who = (last.actor.name if last and last.actor else {"publisher": "the publisher", "system": "the system"}.get(
        last.actor_kind, "someone")) if last else "someone"
    when = f" at {last.at:%Y-%m-%d %H:%M} UTC" if last else ""
    label = workflow.STATUS_LABELS.get(status, status).lower()
    return AlreadyDecided(action, status, f"Already {label} by {who}{when}.")


def apply_transition(session: Session, request: RepublishRequest, action: str, actor_kind: str,
                     message: str = "", user_id: int | None = None, public: bool = True,
                     changes: dict | None = None, data: dict | None = None) -> RequestEvent:
    """Move a request through the state machine, exactly once even under concurrency, and log it.

    The status change is a guarded UPDATE (... WHERE status IN the allowed sources): of two
    concurrent actors exactly one matches a row; the other gets AlreadyDecided saying who won.
    The caller commits."""
    try:
        step = workflow.transition(request.status, action, actor_kind)
    except workflow.TransitionRefused:
        if request.status in workflow.FINAL_STATUSES:
            raise _refusal(session, request.id, action) from None  # say who decided, and when
        raise
    sources = workflow.TRANSITIONS[action][1]
    values = {"status": step.after, "updated_at": utcnow(), **(changes or {})}
    if step.after in workflow.FINAL_STATUSES:
        values.update(decided_at=utcnow(), decided_by_id=user_id)
    result = session.execute(
        update(RepublishRequest)
        .where(RepublishRequest.id == request.id, RepublishRequest.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _refusal(session, request.id, action)
    session.refresh(request)
    before = session.scalar(  # the status this transition actually left
        select(RequestEvent.after_status).where(RequestEvent.request_id == request.id,
                                                RequestEvent.after_status.is_not(None))
        .order_by(RequestEvent.id.desc()).limit(1)
    ) or step.before
    event = RequestEvent(request_id=request.id, actor_kind=actor_kind, actor_user_id=user_id, action=action,
                         before_status=before, after_status=step.after, message=message, public=public,
                         data=data)
    session.add(event)
    return event


def _apply(session: Session, request: RepublishRequest, action: str, actor_kind: str,
           message: str = "", user_id: int | None = None, public: bool = True) -> RequestEvent:
    return apply_transition(session, request, action, actor_kind, message, user_id, public)


def withdraw(session: Session, request: RepublishRequest, reason: str = "") -> None:
    begin_write(session)
    apply_transition(session, request, "withdraw", workflow.PUBLISHER, reason or "Withdrawn by the publisher.")
    session.commit()


def answer_info(session: Session, request: RepublishRequest, answer: str) -> None:
    begin_write(session)
    apply_transition(session, request, "answer_info", workflow.PUBLISHER, answer,
                     changes={"info_requested_at": None})
    session.commit()


@dataclass(frozen=True)
class OpenQuestion:
    message: str
    asked_at: datetime
    answer_by: datetime  # after this the request expires (review's expire_unanswered)


def open_question(request: RepublishRequest, expiry_days: int) -> OpenQuestion | None:
    """The question staff are waiting on an answer to, and its deadline (None unless one is open)."""
    if request.status != workflow.NEEDS_INFO:
        return None
    asked = [e for e in request.events if e.action == "request_info"]
    if not asked:
        return None
    asked_at = request.info_requested_at or asked[-1].at
    return OpenQuestion(asked[-1].message, asked_at, asked_at + timedelta(days=expiry_days))


def publisher_timeline(request: RepublishRequest) -> list[RequestEvent]:
    return [e for e in request.events if e.public]
