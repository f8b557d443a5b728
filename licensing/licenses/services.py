"""Licenses: issued on approval together with their invoice, in the approval's transaction."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from rdflib import RDF, RDFS, SKOS, Graph, Namespace, URIRef
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from invoices.billing.models import CreditNote, Invoice
from invoices.billing.rules.einvoice_context import from_context
from invoices.billing.services import (
    Buyer,
    LineInput,
    Seller,
    issue_invoice,
    pay_url,
    pdf_context,
    seller_from_settings,
    tax_name_of,
)
from licensing.core.db import utcnow
from licensing.core.documents import create_document
from licensing.core.models import Document
from licensing.core.money import minor_digits
from licensing.core.numbering import next_number
from licensing.core.places import countries, languages, territory_label
from licensing.intake.models import RepublishRequest
from licensing.licenses.models import LICENSE_STATUS_LABELS, License
from licensing.licenses.rules.rightsml import DESK_NS, Asset, LicenseFacts, Party, license_policy
from licensing.licenses.rules.terms import credit_line, end_date
from licensing.pricing.rules import MEDIUM_LABELS, TERM_LABELS
from licensing.terms.rules import licence_word, publish_by, respell, term_meaning, wording

LICENSE_PREFIX = "LIC"  # license numbers: LIC-YYYY-NNNNN, gapless per year

CONDITIONS = (
    "The article is republished in full or in part without any change of meaning; edits for length or "
    "house style must not alter facts, quotations or conclusions.",
    "The credit line and a link to the original article appear with every use.",
    "This licence is personal to the licensee: no resale, sublicensing or syndication to third parties.",
    "The licensor may ask for the article to be taken down or corrected; the licensee complies within "
    "48 hours.",
    "Excluded material listed in this agreement is not licensed and must not be used.",
)


def _base_url() -> str:
    return current_app.config["SETTINGS"].public_base_url.rstrip("/")


def verify_url(number: str) -> str:
    return f"{_base_url()}/verify/{number}"


def seller() -> Seller:
    return seller_from_settings(current_app.config["SETTINGS"])


def jsonld_url(number: str) -> str:
    """The license's IRI: its public RightsML copy."""
    return f"{_base_url()}/licenses/{number}.jsonld"


def terms_url(version: int | None) -> str:
    return f"{_base_url()}/terms/{version}" if version else f"{_base_url()}/terms"


def _english() -> str:
    return current_app.config["SETTINGS"].seller_english


EXCLUSION_WORDS = {"third_party": "not licensable (third party)", "not_requested": "not included: not requested"}


def asset_entries(items: list, article_url: str, reason: str = "") -> list[dict]:
    """A license's media as {"uid", "label", "reason"}; licenses issued before the reasons were kept
    hold bare labels, and everything they excluded was third-party material then."""
    entries = []
    for n, item in enumerate(items, 1):
        if isinstance(item, dict):
            entries.append({"uid": item["uid"], "label": item["label"], "reason": item.get("reason", reason)})
        else:
            entries.append({"uid": f"{article_url}#asset-{n}", "label": str(item), "reason": reason})
    return entries


def facts_of(lic: License) -> LicenseFacts:
    """The license agreement as plain values, for its RightsML copies."""
    who, settings = seller(), current_app.config["SETTINGS"]
    licensor_email = settings.terms_contact_email
    return LicenseFacts(
        uid=jsonld_url(lic.number), number=lic.number, issued=lic.issued_at.date(),
        licensor=Party(_base_url() + "/", who.name, licensor_email),
        licensee=Party(f"{jsonld_url(lic.number)}#licensee", lic.licensee_name, lic.licensee_email),
        article_url=lic.article_url, publication_url=lic.publication_url, medium=lic.medium,
        territory="worldwide" if lic.territory == "worldwide" else tuple(lic.territory_codes),
        language=lic.language, audience=lic.audience, term=lic.term, start=lic.start_date, end=lic.end_date,
        publish_by=publish_by(lic.term, lic.start_date), exclusive=lic.exclusive, credit_line=lic.credit_line,
        fee_minor=lic.fee, currency=lic.currency, minor_digits=minor_digits(lic.currency),
        included=tuple(Asset(e["uid"], e["label"]) for e in asset_entries(lic.media_included, lic.article_url)),
        excluded=tuple(Asset(e["uid"], e["label"], e["reason"])
                       for e in asset_entries(lic.exclusions, lic.article_url, "third_party")),
        terms_url=terms_url(lic.terms_version) if lic.terms_version else "",
        # licenses under the versioned standard terms come with the republication package and its
        # tracking image, and the duty to keep it; older ones never had a package
        tracking_pixel=lic.terms_version is not None,
    )



def rightsml_of(lic: License, *, public: bool) -> dict:
    """The license as RightsML 2.0: the public copy (no fee, no e-mail) or the full one (the PDF's)."""
    return license_policy(facts_of(lic), public=public)


def issue_for_request(session: Session, request: RepublishRequest, credit: str = "") -> License:
    """Create the license and its invoice for an approved request (the caller commits); `credit` is
    the credit line staff set, empty for the usual one."""
    article = request.article
    today = utcnow().date()
    fee = request.approved_fee if request.approved_fee is not None else request.quote_amount
    terms = end_date(request.term, request.start_date)
    who = seller()
    noun = licence_word(_english())
    license_number = next_number(session, "license", LICENSE_PREFIX, today.year)
    invoice = issue_invoice(
        session, reference=license_number, seller=who,
        buyer=Buyer(request.organisation, request.contact_name, request.email,
                    "\n".join(line for line in (request.billing_address, request.billing_address_line2) if line),
                    request.country, request.vat_id, city=request.billing_city, postcode=request.billing_postcode,
                    reference=request.buyer_reference),
        lines=[LineInput(f"Republishing {noun} for “{article.title}” in {request.publication} "
                         f"({MEDIUM_LABELS[request.medium]}, {TERM_LABELS[request.term]})", fee,
                         period_start=request.start_date, period_end=terms)],  # invoicing period = the term
        currency=request.currency, issue_date=today,
        payment_terms_days=current_app.config["SETTINGS"].payment_terms_days,
    )
    lic = License(
        number=license_number, request_id=request.id, status="pending_payment",
        licensee_name=request.organisation, licensee_contact=request.contact_name, licensee_email=request.email,
        licensee_country=request.country, article_id=article.id, article_title=article.title,
        article_url=article.canonical_url,
        article_published=article.published_at.date() if article.published_at else None,
        publication=request.publication, publication_url=request.publication_url, medium=request.medium,
        audience=request.audience, territory=request.territory, language=request.language, term=request.term,
        start_date=request.start_date, end_date=terms, exclusive=request.exclusive,
        media_included=[_asset(article, a, "") for a in article.licensable_assets] if request.media_wanted else [],
        exclusions=[_asset(article, a, "not_requested" if a.licensable else "third_party")
                    for a in article.assets if not a.licensable or not request.media_wanted],
        fee=fee, currency=request.currency, extra_terms=request.extra_terms,
        credit_line=credit or credit_line(who.name, article.byline, noun), invoice_number=invoice.number,
        terms_version=request.terms_version,
    )
    session.add(lic)
    session.flush()
    create_document(session, "license", lic.number, license_context(lic, invoice))
    create_document(session, "invoice", invoice.number, invoice_context(invoice, lic.number))
    return lic


def _asset(article, asset, reason: str) -> dict:
    """An asset as the license keeps it: its IRI (the file's address, else its place in the
    article), its label said once, and why it is excluded (empty when included)."""
    n = article.assets.index(asset) + 1
    return {"uid": asset.url or f"{article.canonical_url}#asset-{n}", "label": asset.label, "reason": reason}


def license_context(lic: License, invoice) -> dict:
    """The frozen inputs of the license agreement PDF (plain JSON values)."""
    who, settings = seller(), current_app.config["SETTINGS"]
    english = settings.seller_english
    last_publication = publish_by(lic.term, lic.start_date)
    included = asset_entries(lic.media_included, lic.article_url)
    excluded = asset_entries(lic.exclusions, lic.article_url, "third_party")
    return {
        "number": lic.number, "issued_on": lic.issued_at.date().isoformat(), "english": english,
        "words": wording(english),
        "seller": {"name": who.name, "address": who.address, "vat_number": who.vat_number,
                   "logo": settings.seller_logo_data_uri()},
        "licensee": {"name": lic.licensee_name, "contact": lic.licensee_contact, "email": lic.licensee_email,
                     "address": invoice.buyer_address,
                     "country": countries().get(lic.licensee_country, lic.licensee_country)},
        "article": {"title": lic.article_title, "url": lic.article_url,
                    "published": lic.article_published.isoformat() if lic.article_published else None},
        "use": {"medium": MEDIUM_LABELS[lic.medium], "publication": lic.publication,
                "publication_url": lic.publication_url, "territory": territory_label(lic.territory),
                "language": languages().get(lic.language, lic.language), "audience": lic.audience,
                "term": TERM_LABELS[lic.term], "term_meaning": term_meaning(lic.term),
                "start": lic.start_date.isoformat(),
                "end": lic.end_date.isoformat() if lic.end_date else None,
                "publish_by": last_publication.isoformat() if last_publication else None,
                "exclusive": lic.exclusive},
        "media_included": [e["label"] for e in included],
        "exclusions": [{"label": e["label"], "reason": EXCLUSION_WORDS[e["reason"]]} for e in excluded],
        "fee": lic.fee, "currency": lic.currency, "invoice_number": invoice.number,
        "due_date": invoice.due_date.isoformat(), "credit_line": lic.credit_line, "extra_terms": lic.extra_terms,
        "terms": {"version": lic.terms_version, "url": terms_url(lic.terms_version)},
        "law": {"governing_law": settings.governing_law, "jurisdiction": settings.jurisdiction},
        "conditions": [respell(c, english) for c in CONDITIONS], "verify_url": verify_url(lic.number),
        "jsonld_url": jsonld_url(lic.number),
        "jsonld": rightsml_of(lic, public=False),
    }


def invoice_context(invoice, license_number: str) -> dict:
    """The frozen inputs of the invoice PDF (plain JSON values): layout v3 prints them from the
    invoice's e-invoice, which is frozen beside them and embedded as its Factur-X XML."""
    if invoice.einvoice:
        context = {**pdf_context(from_context(invoice.einvoice), tax_name_of(object_session(invoice),
                                                                              invoice.seller_country)),
                   "license_number": license_number, "payment_terms_days": invoice.payment_terms_days,
                   "pay_url": pay_url(invoice.number)}
        # The keys the earlier layouts print too, so any version can render the same context.
        context["seller"].update(address=invoice.seller_address, bank_details=invoice.seller_bank_details)
        context["buyer"].update(address=invoice.buyer_address, vat_id=invoice.buyer_vat_id)
        for printed, line in zip(context["lines"], invoice.lines, strict=True):
            printed.update(tax_amount=line.tax_amount, tax_note=line.tax_note)
        return context
    return {
        "number": invoice.number, "issued_on": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(), "currency": invoice.currency,
        "seller": {"name": invoice.seller_name, "address": invoice.seller_address,
                   "vat_number": invoice.seller_vat_number, "bank_details": invoice.seller_bank_details},
        "buyer": {"name": invoice.buyer_name, "contact": invoice.buyer_contact, "email": invoice.buyer_email,
                  "address": invoice.buyer_address,
                  "country": countries().get(invoice.buyer_country, invoice.buyer_country),
                  "vat_id": invoice.buyer_vat_id},
        "lines": [{"description": line.description, "quantity": line.quantity, "unit_amount": line.unit_amount,
                   "net_amount": line.net_amount, "tax_label": line.tax_label, "tax_amount": line.tax_amount,
                   "tax_note": line.tax_note} for line in invoice.lines],
        "notes": sorted({line.tax_note for line in invoice.lines if line.tax_note}),
        "subtotal": invoice.subtotal, "tax_total": invoice.tax_total, "total": invoice.total,
        "license_number": license_number, "payment_terms_days": invoice.payment_terms_days,
        "pay_url": pay_url(invoice.number),
    }


def find_license(session: Session, number: str) -> License | None:
    return session.scalars(select(License).where(License.number == number.upper())).first()


def license_for_request(session: Session, request_id: int) -> License | None:
    return session.scalars(select(License).where(License.request_id == request_id)).first()


def credit_notes_of(session: Session, invoice_number: str) -> list[CreditNote]:
    return list(session.scalars(select(CreditNote).join(Invoice, Invoice.id == CreditNote.invoice_id)
                                .where(Invoice.number == invoice_number).order_by(CreditNote.id)))


def credit_note_numbers(session: Session, invoice_number: str) -> list[str]:
    return [note.number for note in credit_notes_of(session, invoice_number)]


def documents_of_license(session: Session, lic: License) -> list[str]:
    """The license, every invoice that bills it (its own, then any true-up's) and their credit notes:
    what its licensee may download."""
    invoices = session.scalars(select(Invoice.number).where(Invoice.reference == lic.number)
                               .order_by(Invoice.number != lic.invoice_number, Invoice.id))
    return [lic.number, *(n for number in invoices for n in (number, *credit_note_numbers(session, number)))]


def license_panel(session: Session, request_id: int) -> dict | None:
    """A request's license, its invoice (what is due, with the name of its tax), its documents (ready or
    being prepared), its credit notes and its payment link."""
    lic = license_for_request(session, request_id)
    if lic is None:
        return None
    notes = credit_notes_of(session, lic.invoice_number)
    docs = {d.number: d for d in session.scalars(
        select(Document).where(Document.number.in_([lic.number, lic.invoice_number, *(n.number for n in notes)])))}
    invoice = session.scalars(select(Invoice).where(Invoice.number == lic.invoice_number)).first()
    return {"license": lic, "invoice": invoice, "tax_name": tax_name_of(session, invoice.buyer_country) if invoice
            else "VAT", "documents": docs, "pay_url": pay_url(lic.invoice_number), "credit_notes": notes}


def _iso_or_none(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value else None


def public_view(lic: License) -> dict:
    """What anyone may see of a license: never the fee or an e-mail."""
    return {
        "number": lic.number, "status": lic.status, "status_label": LICENSE_STATUS_LABELS[lic.status],
        "licensee": lic.licensee_name,
        "article": {"title": lic.article_title, "url": lic.article_url},
        "use": {"medium": lic.medium, "publication": lic.publication, "language": lic.language,
                "territory": "worldwide" if lic.territory == "worldwide" else lic.territory_codes},
        "term": {"kind": lic.term, "start": lic.start_date.isoformat(),
                 "end": lic.end_date.isoformat() if lic.end_date else None,
                 "publish_by": _iso_or_none(publish_by(lic.term, lic.start_date))},
        "exclusive": lic.exclusive,
        "exclusions": [e["label"] for e in asset_entries(lic.exclusions, lic.article_url, "third_party")],
    }


# ---------------------------------------------------------------- the desk's rights vocabulary

VOCABULARY_TTL = Path(__file__).resolve().parent / "rules" / "vocabulary.ttl"


@lru_cache(maxsize=1)
def vocabulary_turtle() -> str:
    """The desk's rights vocabulary as declared (Turtle), served at its namespace's path."""
    return VOCABULARY_TTL.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _vocabulary_graph() -> Graph:
    return Graph().parse(data=vocabulary_turtle(), format="turtle")


@lru_cache(maxsize=1)
def vocabulary_terms() -> tuple[dict, ...]:
    """Each term of the vocabulary for people: its name after the "#", label, explanation and kinds,
    read from the Turtle by rdflib (so the page cannot say other than the file)."""
    graph = _vocabulary_graph()
    desk = Namespace(DESK_NS)
    terms = []
    for term in sorted(set(graph.subjects(RDFS.isDefinedBy, URIRef(DESK_NS)))):
        kinds = sorted(graph.namespace_manager.normalizeUri(kind) for kind in graph.objects(term, RDF.type))
        text = graph.value(term, SKOS.definition) or graph.value(term, RDFS.comment) or ""
        terms.append({"name": str(term).removeprefix(str(desk)), "iri": str(term),
                      "label": str(graph.value(term, RDFS.label) or ""), "explanation": str(text), "kinds": kinds})
    return tuple(terms)


@lru_cache(maxsize=1)
def vocabulary_jsonld() -> str:
    return _vocabulary_graph().serialize(format="json-ld", indent=2)
