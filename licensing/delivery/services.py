"""Delivery: the republication package of an active license, the pixel's counts folded into the
database, the usage flags and their actions (true-up quote, reminder), and corrections sent to the
holders of active licenses. Services own their transaction; counting is in folding.py, the
read side of usage in queries.py."""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote
from invoices.billing.services import Buyer, LineInput, issue_invoice, pay_url
from invoices.billing.signals import invoice_paid, invoice_voided
from licensing.catalog.models import Article
from licensing.catalog.rules import ArticleData, AssetData, FeedError, normalise_url
from licensing.catalog.services import ImportResult, upsert_articles
from licensing.catalog.signals import body_corrected
from licensing.core.db import begin_write, utcnow
from licensing.core.documents import create_document
from licensing.core.mail import queue_mail
from licensing.core.security import external_url
from licensing.delivery.folding import pixel_url
from licensing.delivery.models import (
    AcceptedDomain,
    ArticleCorrection,
    CorrectionNotice,
    TrueUpQuote,
    UsageFlagAction,
)
from licensing.delivery.queries import daily_views, licensed_use, usage_json, usage_of, usage_rows
from licensing.delivery.rules.diff import correction_changes, diff_text
from licensing.delivery.rules.flags import true_up, true_up_fee, usage_flags
from licensing.delivery.rules.ninjs import NinjsAsset
from licensing.delivery.rules.package import Package, PackageInput, build_package
from licensing.intake.models import RepublishRequest
from licensing.intake.services import derive_tracking_token, tracking_url_of
from licensing.licenses.models import License
from licensing.licenses.services import CONDITIONS, asset_entries, invoice_context, seller, verify_url
from licensing.pricing.rules import MAX_AUDIENCE, RequestedUse, quote_for
from licensing.pricing.services import current_rate_card, terms_of
from licensing.terms.rules import respell

log = logging.getLogger(__name__)

GONE_REASONS = {
    "pending_payment": "The package is ready once the invoice is paid.",
    "expired": "The licence's term has ended, so the package is no longer available.",
    "revoked": "The licence was revoked, so the package is no longer available.",
    "cancelled": "The licence was cancelled, so the package is no longer available.",
}
FLAG_LABELS = {
    "over_audience": "Use beyond the licensed audience",
    "before_term": "Use before the term began",
    "after_term": "Use after the term ended",
    "after_revocation": "Use after the licence was revoked",
    "other_domain": "Use on a domain other than the licensed publication's",
}


# ---------------------------------------------------------------- the package


def included_assets(lic: License, article: Article) -> list:
    """The article's assets the license includes: licensable, and among those it lists (by the IRI
    the license keeps for each, or, for licenses issued before it kept them, by the credit)."""
    entries = asset_entries(lic.media_included or [], article.canonical_url)
    uids, labels = {e["uid"] for e in entries}, {e["label"] for e in entries}
    return [asset for n, asset in enumerate(article.assets, 1) if asset.licensable and (
        (asset.url or f"{article.canonical_url}#asset-{n}") in uids or asset.credit in labels)]


def usage_terms(lic: License) -> str:
    end = lic.end_date.isoformat() if lic.end_date else "no end date"
    return (f"Licensed to {lic.licensee_name} for {lic.publication} ({lic.publication_url}), audience up to "
            f"{lic.audience:,}, from {lic.start_date.isoformat()} to {end}. " + " ".join(CONDITIONS)
            + " The tracking image in the package must be kept with every use.")


def rendition_url(request: RepublishRequest, kind: str) -> str:
    token = derive_tracking_token(request.reference, request.tracking_nonce)
    return external_url("delivery.rendition", token=token, kind=kind)


def package_of(lic: License, request: RepublishRequest, article: Article) -> Package:
    assets = included_assets(lic, article)
    return build_package(PackageInput(
        license_number=lic.number, title=article.title, standfirst=article.standfirst, byline=article.byline,
        language=lic.language or article.language, body_html=article.body_html or "",
        included_asset_keys=frozenset(str(a.id) for a in assets), credit_line=lic.credit_line,
        publisher_name=seller().name, canonical_url=article.canonical_url, pixel_url=pixel_url(lic.number),
        rights_url=verify_url(lic.number), usage_terms=usage_terms(lic), first_created=article.published_at,
        version_created=article.updated_at or article.created_at,
        renditions=[("html", rendition_url(request, "html"), "text/html"),
                    ("text", rendition_url(request, "txt"), "text/plain"),
                    ("ninjs", rendition_url(request, "json"), "application/json")],
        included_assets=[NinjsAsset(a.url, a.kind, a.credit, a.description) for a in assets if a.url],
    ))


def package_urls(request: RepublishRequest) -> dict:
    return {"html": rendition_url(request, "html"), "text": rendition_url(request, "txt"),
            "ninjs": rendition_url(request, "json")}


def delivery_json(session: Session, req: RepublishRequest) -> dict:
    """The API's `package` (rendition URLs while the license is active; else why not) and `usage`."""
    lic = session.scalars(select(License).where(License.request_id == req.id)).first()
    if lic is None:
        return {"package": None, "usage": None}
    if lic.status == "active":
        package = {"available": True, "reason": None, **package_urls(req)}
    else:
        package = {"available": False, "reason": GONE_REASONS[lic.status], "html": None, "text": None, "ninjs": None}
    return {"package": package, "usage": usage_json(usage_of(session, lic))}


class ActionRefused(ValueError):
    """A flag action that does not apply (no such flag, nothing to true up, done already today)."""


def _price(session: Session, lic: License, audience: int) -> tuple[int, str, int]:
    card = current_rate_card(session)
    article = session.get(Article, lic.article_id)
    use = RequestedUse(medium=lic.medium, audience=min(audience, MAX_AUDIENCE),
                       territory="worldwide" if lic.territory == "worldwide" else tuple(lic.territory_codes),
                       term=lic.term, translation=bool(article and lic.language != (article.language or "en")),
                       exclusive=lic.exclusive, media_assets=len(lic.media_included or []))
    quote = quote_for(terms_of(card), use)
    return quote.amount, quote.currency, card.id


def true_ups_of_request(session: Session, request_id: int) -> list[tuple[TrueUpQuote, str | None]]:
    """The true-ups of a request's license, shown with the license on the tracking page, each with
    its pay link while its invoice is unpaid."""
    quotes = session.scalars(select(TrueUpQuote).join(License, License.id == TrueUpQuote.license_id)
                             .where(License.request_id == request_id).order_by(TrueUpQuote.id))
    return [(q, pay_url(q.invoice_number) if q.status == "accepted" else None) for q in quotes]


def hash_quote_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def true_up_url(token: str) -> str:
    base = current_app.config["SETTINGS"].public_base_url.rstrip("/")
    return f"{base}/true-up/{token}"


def send_true_up(session: Session, number: str, actor_id: int | None) -> TrueUpQuote:
    """Price the use beyond the licensed audience by the current rate card (the price at the measured
    audience less the price at the licensed one) and send the quote to the licensee."""
    begin_write(session)
    lic = _license(session, number, for_update=True)  # two sends at once: the second sees the first's quote
    still_open = session.scalars(select(TrueUpQuote).where(TrueUpQuote.license_id == lic.id,
                                                           TrueUpQuote.status.in_(("sent", "accepted")))).first()
    if still_open is not None:
        session.rollback()
        raise ActionRefused(f"A true-up quote sent on {still_open.created_at:%d %B %Y} is still "
                            f"{'unpaid' if still_open.status == 'accepted' else 'open'}; "
                            "a new one can be sent once it is paid or void.")
    extra = true_up(licensed_use(session, lic), daily_views(usage_rows(session, lic.id)))
    if extra is None:
        session.rollback()
        raise ActionRefused("The measured use is within the licensed audience: there is nothing to true up.")
    at_measured, currency, card_id = _price(session, lic, extra.measured_audience)
    at_licensed, _currency, _card = _price(session, lic, extra.licensed_audience)
    amount = true_up_fee(at_measured, at_licensed)
    if amount <= 0:
        session.rollback()
        raise ActionRefused("The current rate card prices the measured audience no higher than the licensed one.")
    token = secrets.token_urlsafe(24)
    quote = TrueUpQuote(license_id=lic.id, status="sent", licensed_audience=extra.licensed_audience,
                        measured_audience=extra.measured_audience, window_start=extra.window_start,
                        window_end=extra.window_end, rate_card_id=card_id, amount=amount, currency=currency,
                        token_sha256=hash_quote_token(token), created_by=actor_id)
    session.add(quote)
    session.flush()
    queue_mail(session, lic.licensee_email, f"True-up quote for licence {lic.number}", "true_up_quote",
               tag=f"true-up:{quote.id}", license=lic, quote=quote, accept_url=true_up_url(token))
    session.commit()
    return quote


def send_reminder(session: Session, number: str, flag: str, actor_id: int | None) -> None:
    """Remind the licensee of the terms a flag shows being left (once per flag and day)."""
    begin_write(session)
    lic = _license(session, number)
    flags = _raised_flags(session, lic)
    if flag not in flags:
        session.rollback()
        raise ActionRefused("That flag is not raised on this licence.")
    _record_reminder(session, lic, flag, actor_id)
    queue_mail(session, lic.licensee_email, f"The terms of licence {lic.number}", "usage_reminder",
               tag=f"usage-reminder:{lic.number}:{flag}", license=lic, flag=flags[flag],
               flag_label=FLAG_LABELS[flag], tracking_url=tracking_url_of(lic.request))
    session.commit()


def _raised_flags(session: Session, lic: License) -> dict:
    return {f.kind: f for f in usage_flags(licensed_use(session, lic), daily_views(usage_rows(session, lic.id)))}


def accept_domain(session: Session, number: str, domain: str, actor_id: int | None) -> None:
    """Staff accept a flagged referrer domain for this license (the licensee's other site, say):
    its views stop raising the "other domain" flag. Only a domain the flag names can be accepted."""
    begin_write(session)
    lic = _license(session, number)
    flag = _raised_flags(session, lic).get("other_domain")
    if flag is None or domain not in flag.domains:
        session.rollback()
        raise ActionRefused(f"{domain or 'That domain'} is not among the flagged domains of this licence.")
    session.add(AcceptedDomain(license_id=lic.id, domain=domain, accepted_by=actor_id))
    session.commit()


def _record_reminder(session: Session, lic: License, flag: str, actor_id: int | None) -> None:
    session.add(UsageFlagAction(license_id=lic.id, flag=flag, action="reminder", day=utcnow().date(),
                                actor_id=actor_id, note=""))
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ActionRefused("This was already sent today.") from exc


def _license(session: Session, number: str, for_update: bool = False) -> License:
    query = select(License).where(License.number == number.upper())
    lic = session.scalars(query.with_for_update() if for_update else query).first()
    if lic is None:
        session.rollback()
        raise ActionRefused("No such licence.")
    return lic


def find_true_up(session: Session, token: str) -> TrueUpQuote | None:
    if not token or len(token) > 100:
        return None
    return session.scalars(select(TrueUpQuote).where(TrueUpQuote.token_sha256 == hash_quote_token(token))).first()


def accept_true_up(session: Session, token: str) -> str:
    """The licensee accepts: an invoice is issued through billing (once) and its pay link returned."""
    begin_write(session)
    quote = find_true_up(session, token)
    if quote is None:
        session.rollback()
        raise ActionRefused("No such quote.")
    if quote.invoice_number:
        session.rollback()
        return pay_url(quote.invoice_number)
    if quote.status != "sent":
        session.rollback()
        raise ActionRefused("This quote can no longer be accepted.")
    lic = session.get(License, quote.license_id)
    req = lic.request
    invoice = issue_invoice(
        session, reference=lic.number, seller=seller(),
        buyer=Buyer(req.organisation, req.contact_name, req.email, req.billing_address, req.country, req.vat_id),
        lines=[LineInput(respell(f"True-up of licence {lic.number}: audience {quote.measured_audience:,} measured "
                                 f"over {quote.window_start.isoformat()} to {quote.window_end.isoformat()}, licensed "
                                 f"{quote.licensed_audience:,}", current_app.config["SETTINGS"].seller_english),
                         quote.amount)],  # frozen into the invoice: in the seller's English now
        currency=quote.currency, issue_date=utcnow().date(),
        payment_terms_days=current_app.config["SETTINGS"].payment_terms_days)
    quote.status, quote.accepted_at, quote.invoice_number = "accepted", utcnow(), invoice.number
    create_document(session, "invoice", invoice.number, invoice_context(invoice, lic.number))
    session.commit()
    return pay_url(invoice.number)


@invoice_paid.connect
def true_up_paid(_sender, session: Session, invoice, **_kw) -> None:
    """Billing says an invoice is paid: if it is a true-up's, the quote is paid (same transaction)."""
    quote = session.scalars(select(TrueUpQuote).where(TrueUpQuote.invoice_number == invoice.number)).first()
    if quote is not None and quote.status == "accepted":
        quote.status, quote.paid_at = "paid", utcnow()


@invoice_voided.connect
def true_up_voided(_sender, session: Session, invoice, **_kw) -> None:
    """Finance voids a true-up's invoice: the quote is void (staff may send a new one) and the
    licensee is told, with the credit note (same transaction as the void)."""
    quote = session.scalars(select(TrueUpQuote).where(TrueUpQuote.invoice_number == invoice.number)).first()
    if quote is None or quote.status != "accepted":
        return
    quote.status = "void"
    lic = session.get(License, quote.license_id)
    note = session.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id)
                           .order_by(CreditNote.id.desc())).first()
    queue_mail(session, lic.licensee_email, f"True-up invoice {invoice.number} is cancelled", "true_up_voided",
               tag=f"true-up-void:{quote.id}", license=lic, quote=quote, invoice=invoice, note=note,
               tracking_url=tracking_url_of(lic.request))


# ---------------------------------------------------------------- corrections


@body_corrected.connect
def send_corrections(_sender, session: Session, article: Article, old_html: str, old_text: str, **_kw) -> None:
    """A corrected body: the readable diff, once per correction, to every active license's holder, with
    the updated package (inside the import's transaction, through the outbox)."""
    changes = correction_changes(old_text, article.body_text)
    readable = diff_text(changes)
    correction = ArticleCorrection(article_id=article.id, diff_text=readable,
                                   old_sha256=hashlib.sha256(old_html.encode()).hexdigest(),
                                   new_sha256=article.body_sha256)
    session.add(correction)
    session.flush()
    active = session.scalars(select(License).where(License.article_id == article.id, License.status == "active")
                             .order_by(License.id))
    for lic in active:
        package = package_of(lic, lic.request, article)
        session.add(CorrectionNotice(correction_id=correction.id, license_id=lic.id, sent_to=lic.licensee_email))
        queue_mail(session, lic.licensee_email, f"Correction to “{article.title}” (licence {lic.number})",
                   "correction", tag=f"correction:{correction.id}:{lic.number}", license=lic, article=article,
                   diff=readable, package_text=package.text, package_html=package.html,
                   package_urls=package_urls(lic.request))


# ---------------------------------------------------------------- the CMS push


class PushRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _push_data(data: dict) -> ArticleData:
    def text(name: str, limit: int, required: bool = False) -> str:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise PushRefused(name, "must be a string")
        if required and not value.strip():
            raise PushRefused(name, "is required")
        if len(value) > limit:
            raise PushRefused(name, f"must be at most {limit:,} characters")
        return value.strip()

    url = normalise_url(text("canonical_url", 2000, required=True))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushRefused("canonical_url", "must be an absolute http(s) URL")
    published = None
    if data.get("published_at"):
        try:
            published = datetime.fromisoformat(text("published_at", 40).replace("Z", "+00:00"))
        except ValueError as exc:
            raise PushRefused("published_at", "must be an ISO 8601 date and time") from exc
        if published.tzinfo is not None:
            published = published.astimezone(UTC).replace(tzinfo=None)
    assets_in = data.get("assets", [])
    if not isinstance(assets_in, list) or len(assets_in) > 200:
        raise PushRefused("assets", "must be a list of at most 200 objects")
    assets = []
    for n, asset in enumerate(assets_in):
        if not isinstance(asset, dict) or not isinstance(asset.get("credit"), str) or not asset["credit"].strip():
            raise PushRefused(f"assets[{n}]", "needs a credit")
        assets.append(AssetData(str(asset.get("kind") or "photo")[:40], asset["credit"].strip()[:300],
                                str(asset.get("description") or "")[:2000], asset.get("licensable") is True,
                                str(asset.get("url") or "")[:2000]))
    body = text("body_html", 2_000_000, required=True)
    word_count = data.get("word_count")
    return ArticleData(
        canonical_url=url, title=text("title", 500, required=True), standfirst=text("standfirst", 5000),
        published_at=published, section=text("section", 200), byline=text("byline", 500),
        word_count=word_count if isinstance(word_count, int) and word_count >= 0 else len(body.split()),
        language=(text("language", 8) or "en")[:2].lower(), assets=assets, body_html=body)


def push_article(session: Session, data: dict) -> tuple[ImportResult, int]:
    """A CMS pushes one article (create or update by canonical URL): stored like a feed's item, so a
    changed body is a correction. Returns the import result and the article's id."""
    if not isinstance(data, dict):
        raise PushRefused("body", "must be a JSON object")
    item = _push_data(data)
    try:
        result = upsert_articles(session, [item])
    except FeedError as exc:  # pragma: no cover - upsert raises none today; kept for the message
        raise PushRefused("body", str(exc)) from exc
    article_id = session.scalar(select(Article.id).where(Article.canonical_url == item.canonical_url))
    return result, int(article_id or 0)


@lru_cache(maxsize=1)
def gif_bytes() -> bytes:
    """A transparent 1x1 GIF (43 bytes)."""
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
            b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
