"""Services of the publisher's side of a republishing request: quote, submit, track, withdraw,
answer. Each public function owns its transaction."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from . import catalog, workflow
from invoices.money import format_money

from .db import utcnow
from .intake import QuoteInput, RequestInput
from .mail import queue_mail
from .models import Article, RateCard, RepublishRequest, RequestEvent
from .pricing import Quote, RateCardTerms, RequestedUse, quote_for

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U


class NoRateCard(RuntimeError):
    pass


def current_rate_card(session: Session) -> RateCard:
    card = session.scalars(select(RateCard).order_by(RateCard.version.desc()).limit(1)).first()
    if card is None:
        raise NoRateCard("no rate card has been set up: run `flask demo load` or add one")
    return card


def terms_of(card: RateCard) -> RateCardTerms:
    return RateCardTerms.from_dict(card.version, card.data)


def save_rate_card(session: Session, data: dict, note: str = "", user_id: int | None = None) -> RateCard:
    """Add a new version of the rate card (validated); versions are never edited."""
    latest = session.scalar(select(RateCard.version).order_by(RateCard.version.desc()).limit(1)) or 0
    terms = RateCardTerms.from_dict(latest + 1, data)
    card = RateCard(version=latest + 1, currency=terms.currency, data=terms.to_dict(), note=note,
                    created_by_id=user_id)
    session.add(card)
    session.commit()
    return card


def use_of(article: Article, given: QuoteInput | RequestInput) -> RequestedUse:
    return RequestedUse(
        medium=given.medium,
        audience=given.audience,
        territory=given.territory,
        term=given.term,
        translation=given.language != (article.language or "en"),
        exclusive=given.exclusive,
        media_assets=len(article.licensable_assets) if given.media_wanted else 0,
    )


def article_exists(session: Session):  # noqa: ANN201
    return lambda url: catalog.find_by_url(session, url) is not None


def quote(session: Session, given: QuoteInput | RequestInput) -> tuple[Quote, RateCard, Article]:
    article = catalog.find_by_url(session, given.article_url)
    if article is None:
        raise LookupError("no such article")
    card = current_rate_card(session)
    return quote_for(terms_of(card), use_of(article, given)), card, article


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_reference() -> str:
    return "REQ-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def tracking_url(token: str) -> str:
    return url_for("public.track", token=token, _external=True)


@dataclass
class Submitted:
    request: RepublishRequest
    token: str
    quote: Quote


def submit_request(session: Session, given: RequestInput) -> Submitted:
    """Store a new request with its quote, log the event, and queue the confirmation e-mail."""
    priced, card, article = quote(session, given)
    for _attempt in range(5):
        token = secrets.token_urlsafe(32)  # 256 random bits
        request = RepublishRequest(
            reference=new_reference(), tracking_token_hash=hash_token(token), status=workflow.SUBMITTED,
            article_id=article.id, organisation=given.organisation, contact_name=given.contact_name,
            email=given.email, country=given.country, vat_id=given.vat_id, publication=given.publication,
            publication_url=given.publication_url, medium=given.medium, audience=given.audience,
            territory=given.territory if given.territory == "worldwide" else ",".join(given.territory),
            language=given.language, term=given.term, start_date=given.start_date,
            exclusive=given.exclusive, media_wanted=given.media_wanted, notes=given.notes,
            terms_accepted=given.terms_accepted, quote_amount=priced.amount, currency=priced.currency,
            quote_breakdown=priced.to_dict()["breakdown"], rate_card_id=card.id,
        )
        session.add(request)
        try:
            session.flush()
        except IntegrityError:  # a reference collision: vanishingly rare, try another
            session.rollback()
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
    if request is None or not hmac.compare_digest(request.reference, (reference or "").upper()):
        return None
    return request


def _apply(session: Session, request: RepublishRequest, action: str, actor_kind: str,
           message: str = "", user_id: int | None = None, public: bool = True) -> RequestEvent:
    """Move a request through the state machine and log it; the caller commits."""
    step = workflow.transition(request.status, action, actor_kind)
    request.status = step.after
    if step.after in workflow.FINAL_STATUSES:
        request.decided_at = utcnow()
    event = RequestEvent(request_id=request.id, actor_kind=actor_kind, actor_user_id=user_id, action=action,
                         before_status=step.before, after_status=step.after, message=message, public=public)
    session.add(event)
    return event


def withdraw(session: Session, request: RepublishRequest, reason: str = "") -> None:
    locked = _lock(session, request)
    _apply(session, locked, "withdraw", workflow.PUBLISHER, reason or "Withdrawn by the publisher.")
    session.commit()


def answer_info(session: Session, request: RepublishRequest, answer: str) -> None:
    locked = _lock(session, request)
    _apply(session, locked, "answer_info", workflow.PUBLISHER, answer)
    session.commit()


def _lock(session: Session, request: RepublishRequest) -> RepublishRequest:
    """Re-read the request for update, so two actors never both act on the same state."""
    session.expire(request)
    stmt = select(RepublishRequest).where(RepublishRequest.id == request.id).with_for_update()
    return session.scalars(stmt).one()


def publisher_timeline(request: RepublishRequest) -> list[RequestEvent]:
    return [e for e in request.events if e.public]


def today() -> date:
    return current_app.config.get("TODAY_FUNC", date.today)()
