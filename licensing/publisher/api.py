"""JSON API v1 for publishers' CMS integrations. Never a 500 page and never HTML under /api/."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from invoices.billing.services import pay_url
from licensing.catalog.models import Article
from licensing.catalog.queries import search_articles
from licensing.core.clock import today
from licensing.core.db import get_session, read_only
from licensing.core.limits import FORM, QUOTE, limiter
from licensing.core.models import Document
from licensing.core.security import external_url
from licensing.delivery.services import delivery_json
from licensing.intake.models import RepublishRequest
from licensing.intake.rules import workflow
from licensing.intake.rules.validation import MAX_JSON_DEPTH, json_body_problem, validate_quote, validate_request
from licensing.intake.services import (
    article_exists,
    find_by_reference_and_token,
    publisher_timeline,
    quotable,
    quote,
    submit_request,
    tracking_url,
)
from licensing.licenses.services import credit_notes_of, license_for_request
from licensing.publisher.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_QUERY = 500
REFERENCE_SHAPE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


def json_error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


def _body() -> dict | tuple:
    if not request.is_json:
        return json_error(415, "Send a JSON body with Content-Type: application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # the parser's own limit, far beyond MAX_JSON_DEPTH
        return json_error(400, f"The body is nested too deeply (at most {MAX_JSON_DEPTH} levels).")
    if data is None:
        return json_error(400, "The body is not valid JSON.")
    if not isinstance(data, dict):
        return json_error(400, "The body must be a JSON object.")
    problem = json_body_problem(data)
    if problem:
        return json_error(400, problem)
    return data


def _article_json(article: Article) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.canonical_url,
        "published": article.published_at.date().isoformat() if article.published_at else None,
        "assets": [{"kind": a.kind, "credit": a.credit, "licensable": a.licensable} for a in article.assets],
    }


def _license_json(req: RepublishRequest, token: str) -> tuple[dict | None, dict | None, list[dict]]:
    """The request's license and invoice numbers and its credit notes, with document URLs once
    the PDFs are ready."""
    lic = license_for_request(get_session(), req.id)
    if lic is None:
        return None, None, []
    notes = credit_notes_of(get_session(), lic.invoice_number)
    ready = set(get_session().scalars(select(Document.number).where(
        Document.number.in_([lic.number, lic.invoice_number, *(n.number for n in notes)]),
        Document.status == "ready")))

    def url(number: str) -> str | None:
        return external_url("downloads.publisher_document", token=token, number=number) \
            if number in ready else None

    return ({"number": lic.number, "status": lic.status, "document_url": url(lic.number),
             "verify_url": external_url("verify.verify_page", number=lic.number)},
            {"number": lic.invoice_number, "document_url": url(lic.invoice_number),
             "xml_url": external_url("downloads.publisher_document_xml", token=token, number=lic.invoice_number)
             if lic.invoice_number in ready else None,
             "pay_url": pay_url(lic.invoice_number)},
            [{"number": n.number, "kind": n.kind, "issue_date": n.issue_date.isoformat(), "net": n.subtotal,
              "tax": n.tax_total, "total": n.total, "currency": n.currency, "document_url": url(n.number),
              "xml_url": external_url("downloads.publisher_document_xml", token=token, number=n.number)
              if n.number in ready and n.einvoice else None} for n in notes])


def _request_json(req: RepublishRequest, token: str) -> dict:
    license_, invoice, credit_notes = _license_json(req, token)
    spell = current_app.extensions["spelling"]  # the timeline is written in en-GB, like the pages
    return {
        "reference": req.reference,
        "status": req.status,
        "article_url": req.article.canonical_url,
        "quote": {"amount": req.quote_amount, "currency": req.currency, "breakdown": req.quote_breakdown,
                  "steps": [step.to_dict() for step in req.quote_steps], "rate_card_version": req.rate_card.version},
        "submitted_at": req.submitted_at.isoformat(timespec="seconds") + "Z",
        "timeline": [
            {"at": e.at.isoformat(timespec="seconds") + "Z", "action": e.action, "status": e.after_status,
             "message": spell(e.message)}
            for e in publisher_timeline(req)
        ],
        "license": license_,
        "invoice": invoice,
        "credit_notes": credit_notes,
        **delivery_json(get_session(), req),
    }


@bp.get("/articles")
def articles():
    query = request.args.get("q", "").replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if len(query) > MAX_QUERY:
        return json_error(422, "The query is too long.", errors={"q": [f"At most {MAX_QUERY} characters."]})
    found = search_articles(get_session(), query, limit=20)
    return jsonify({"articles": [_article_json(a) for a in found]})


@bp.post("/quotes")
@limiter.limit(QUOTE)
def quotes():
    data = _body()
    if isinstance(data, tuple):
        return data
    session = get_session()
    read_only(session)
    given, errors = validate_quote(data, quotable(session))
    if errors:
        return json_error(422, "Some fields need attention.", errors=errors)
    priced = quote(session, given)
    return jsonify(priced.to_dict())


@bp.post("/requests")
@limiter.limit(FORM)
def create_request():
    data = _body()
    if isinstance(data, tuple):
        return data
    session = get_session()
    given, errors = validate_request(data, today(), article_exists(session), require_terms=False)
    if errors:
        return json_error(422, "Some fields need attention.", errors=errors)
    submitted = submit_request(session, given)
    return jsonify({
        "reference": submitted.request.reference,
        "status": submitted.request.status,
        "quote": submitted.quote.to_dict(),
        "tracking_url": tracking_url(submitted.token),
        "tracking_token": submitted.token,
    }), 201


@bp.get("/requests/<reference>")
def get_request(reference: str):
    if not REFERENCE_SHAPE.match(reference):  # e.g. non-ASCII, which hmac.compare_digest refuses
        return json_error(404, "No request with this reference for this token.")
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    if not token:
        return json_error(401, "Send the request's tracking token as a Bearer token (Authorization header).")
    found = find_by_reference_and_token(get_session(), reference, token)
    if found is None:  # 401 whether or not the reference exists: the answer tells nothing about it
        return json_error(401, "No request with this reference for this token.")
    return jsonify(_request_json(found, token))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    # A 405 keeps its Allow header (RFC 9110: which methods the address does take).
    allowed = [(k, v) for k, v in exc.get_headers() if k.lower() == "allow"]
    body, status = json_error(exc.code or 500, exc.description or exc.name)
    return body, status, allowed


@bp.errorhandler(workflow.TransitionRefused)
def refused(exc: workflow.TransitionRefused):
    return json_error(409, exc.message)
