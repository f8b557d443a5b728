"""The OpenAPI 3 document of API v1, built from the same constants the code validates against."""
from __future__ import annotations

from functools import lru_cache

from licensing.core.limits import FORM, QUOTE, VERIFY
from licensing.core.places import REGIONS
from licensing.intake.rules.validation import LIMITS, MIN_AUDIENCE
from licensing.licenses.models import LICENSE_STATUSES
from licensing.pricing.rules import MAX_AUDIENCE, MEDIA, TERMS
from licensing.review.openapi import staff_paths, staff_schemas

_URL_OR_NULL = {"type": ["string", "null"], "format": "uri"}
PACKAGE_SCHEMA = {
    "type": "object", "required": ["available", "reason", "html", "text", "ninjs"],
    "properties": {
        "available": {"type": "boolean", "description": "Only while the license is active; the renditions "
                                                        "then answer 200, and 410 after expiry or revocation."},
        "reason": {"type": ["string", "null"], "description": "Why the package is not available."},
        "html": _URL_OR_NULL, "text": _URL_OR_NULL,
        "ninjs": {**_URL_OR_NULL, "description": "IPTC ninjs 2.1 JSON with rightsinfo."},
    },
}
USAGE_SCHEMA = {
    "type": "object",
    "required": ["views", "bot_views", "licensed_audience", "measured_audience_30_days", "by_day",
                 "by_referrer_domain", "flags", "true_ups"],
    "properties": {
        "views": {"type": "integer", "minimum": 0}, "bot_views": {"type": "integer", "minimum": 0},
        "licensed_audience": {"type": "integer"}, "measured_audience_30_days": {"type": "integer"},
        "by_day": {"type": "array", "items": {
            "type": "object", "required": ["day", "views", "bot_views"],
            "properties": {"day": {"type": "string", "format": "date"}, "views": {"type": "integer"},
                           "bot_views": {"type": "integer"}}}},
        "by_referrer_domain": {"type": "array", "items": {
            "type": "object", "required": ["domain", "views"],
            "properties": {"domain": {"type": "string", "description": "Empty when no referrer was sent."},
                           "views": {"type": "integer"}}}},
        "flags": {"type": "array", "items": {
            "type": "object", "required": ["kind", "views", "first_day", "last_day", "domains"],
            "properties": {"kind": {"type": "string", "enum": ["over_audience", "before_term", "after_term",
                                                                "after_revocation", "other_domain"]},
                           "views": {"type": "integer"}, "first_day": {"type": "string", "format": "date"},
                           "last_day": {"type": "string", "format": "date"},
                           "domains": {"type": "array", "items": {"type": "string"}}}}},
        "true_ups": {"type": "array", "items": {
            "type": "object", "required": ["status", "amount", "currency", "invoice_number"],
            "properties": {"status": {"type": "string", "enum": ["sent", "accepted", "paid", "void"]},
                           "amount": {"type": "integer"}, "currency": {"type": "string"},
                           "invoice_number": {"type": ["string", "null"]}}}},
    },
}


def _error_schema() -> dict:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    }


def _request_body_schema(full: bool) -> dict:
    props = {
        "article_url": {"type": "string", "maxLength": LIMITS["article_url"],
                        "description": "Canonical URL of the article."},
        "medium": {"type": "string", "enum": list(MEDIA)},
        "audience": {"oneOf": [
            {"type": "integer", "minimum": MIN_AUDIENCE, "maximum": MAX_AUDIENCE},
            {"type": "string", "pattern": "^[0-9, _]*[1-9][0-9, _]*$", "description": "Digits, e.g. \"25,000\"."}],
            "description": "Monthly unique visitors, subscribers, circulation or average audience."},
        "territory": {"oneOf": [
            {"type": "string", "enum": ["worldwide"]},
            {"type": "string", "enum": [f"region:{key}" for key in REGIONS],
             "description": "A region: " + "; ".join(f"{k} = {v[0]}" for k, v in REGIONS.items()) + "."},
            {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
             "description": "ISO 3166-1 alpha-2 country codes."},
        ]},
        "language": {"type": "string", "pattern": "^[a-z]{2}$", "description": "ISO 639-1 code."},
        "term": {"type": "string", "enum": list(TERMS)},
        "exclusive": {"type": "boolean", "default": False},
        "media_wanted": {"type": "boolean", "default": False,
                         "description": "Include the licensable photos and media (third-party ones never are)."},
    }
    required = ["article_url", "medium", "audience", "territory", "language", "term"]
    if full:
        props.update({
            "organisation": {"type": "string", "maxLength": LIMITS["organisation"]},
            "contact_name": {"type": "string", "maxLength": LIMITS["contact_name"]},
            "email": {"type": "string", "format": "email", "maxLength": LIMITS["email"]},
            "country": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2."},
            "vat_id": {"type": "string", "maxLength": LIMITS["vat_id"],
                       "description": "Checked (format and check digits, country prefix = country); an invalid "
                                      "id is refused (422 naming vat_id). Reverse charge applies only with a "
                                      "valid id of an EU business outside the seller's country."},
            "billing_address": {"type": "string", "maxLength": LIMITS["billing_address"],
                                "description": "Address line 1, printed on the invoice and in its e-invoice XML."},
            "billing_address_line2": {"type": "string", "maxLength": LIMITS["billing_address_line2"]},
            "billing_city": {"type": "string", "maxLength": LIMITS["billing_city"]},
            "billing_postcode": {"type": "string", "maxLength": LIMITS["billing_postcode"]},
            "buyer_reference": {"type": "string", "maxLength": LIMITS["buyer_reference"],
                                "description": "Your reference or purchase-order number, printed on the invoice."},
            "publication": {"type": "string", "maxLength": LIMITS["publication"]},
            "publication_url": {"type": "string", "format": "uri", "maxLength": LIMITS["publication_url"]},
            "start_date": {"type": "string", "format": "date", "description": "Today or later, within two years."},
            "notes": {"type": "string", "maxLength": LIMITS["notes"]},
            "terms_accepted": {"type": "boolean", "default": True,
                               "description": "Submitting through the API accepts the standard terms."},
        })
        required += ["organisation", "contact_name", "email", "country", "publication", "publication_url",
                     "start_date"]
    return {"type": "object", "required": required, "properties": props}


def _json(schema_ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed JSON.", 401: "No tracking token (send it as a Bearer token).", 404: "Not found.",
            415: "Not a JSON body.", 422: "Invalid input."}
    return {str(c): {"description": text[c], "content": _json("Error")} for c in codes}


def too_many(limit: str) -> dict:
    """The 429 of an operation under a rate limit (per client address; the limits themselves are
    licensing/core/limits.py's)."""
    per = limit.replace(";", ", ").replace("/", " per ")
    return {"429": {"description": f"Too many requests from your address (at most {per}): wait, then try again. "
                                   "Retry-After says how many seconds.",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": _json("Error")}}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    quote = {
        "type": "object",
        "required": ["amount", "currency", "breakdown", "steps", "rate_card_version"],
        "properties": {
            "amount": {"type": "integer", "description": "Minor units of the currency (pence for GBP)."},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "breakdown": {"type": "array", "description": "The lines of the quote; their amounts add up to `amount`.",
                          "items": {
                "type": "object", "required": ["label", "amount"],
                "properties": {
                    "label": {"type": "string"}, "amount": {"type": "integer"},
                    "kind": {"type": "string", "enum": ["base", "factor", "fee", "minimum", ""],
                             "description": "Empty on requests priced before lines had kinds."},
                    "factor_bp": {"type": ["integer", "null"], "description": "A factor's multiplier in basis "
                                  "points (15000 is × 1.5); null on other lines."},
                    "reason": {"type": "string", "description": "What the line is for, in words."}}}},
            "steps": {"type": "array", "description": (
                "The breakdown as a person reads it, in the order it is computed: the base fee, each "
                "multiplier (\"× 1.5 — two countries\") and each sum, with the price after it (`subtotal`); "
                "steps that change nothing are left out. The last subtotal is `amount`."), "items": {
                "type": "object", "required": ["text", "kind", "factor_bp", "change", "subtotal"],
                "properties": {"text": {"type": "string"}, "kind": {"type": "string"},
                               "factor_bp": {"type": ["integer", "null"]}, "change": {"type": "integer"},
                               "subtotal": {"type": "integer"}}}},
            "rate_card_version": {"type": "integer"},
        },
    }
    article = {
        "type": "object",
        "required": ["id", "title", "url", "published", "assets"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"},
            "published": {"type": ["string", "null"], "format": "date"},
            "assets": {"type": "array", "items": {
                "type": "object", "required": ["kind", "credit", "licensable"],
                "properties": {"kind": {"type": "string"}, "credit": {"type": "string"},
                               "licensable": {"type": "boolean"}}}},
        },
    }
    created = {
        "type": "object",
        "required": ["reference", "status", "quote", "tracking_url", "tracking_token"],
        "properties": {
            "reference": {"type": "string", "pattern": "^REQ-[0-9A-Z]{6}$"},
            "status": {"type": "string", "enum": ["submitted"]},
            "quote": {"$ref": "#/components/schemas/Quote"},
            "tracking_url": {"type": "string", "format": "uri"},
            "tracking_token": {"type": "string", "description": "Secret; send as a Bearer token to read the request."},
        },
    }
    tracked = {  # package and usage: licensing/delivery (the republication package and its measured use)
        "type": "object",
        "required": ["reference", "status", "article_url", "quote", "submitted_at", "timeline"],
        "properties": {
            "reference": {"type": "string"},
            "status": {"type": "string", "enum": ["submitted", "in_review", "needs_info", "approved", "rejected",
                                                  "withdrawn", "expired"]},
            "article_url": {"type": "string"},
            "quote": {"$ref": "#/components/schemas/Quote"},
            "submitted_at": {"type": "string", "format": "date-time"},
            "timeline": {"type": "array", "items": {
                "type": "object", "required": ["at", "action", "status", "message"],
                "properties": {"at": {"type": "string", "format": "date-time"}, "action": {"type": "string"},
                               "status": {"type": ["string", "null"]}, "message": {"type": "string"}}}},
            "license": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["number", "status", "document_url", "verify_url"],
                "properties": {"number": {"type": "string"}, "status": {"type": "string", "enum": list(LICENSE_STATUSES)},
                               "document_url": {"type": ["string", "null"], "description": "Null until ready."},
                               "verify_url": {"type": "string"}}}]},
            "invoice": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["number", "document_url", "pay_url"],
                "properties": {"number": {"type": "string"}, "document_url": {"type": ["string", "null"]},
                               "xml_url": {"type": ["string", "null"],
                                           "description": "The EN 16931 XML alone (Factur-X invoices)."},
                               "pay_url": {"type": "string"}}}]},
            "credit_notes": {"type": "array", "description": "Credit notes of the invoice (refunds, a void).",
                             "items": {"type": "object",
                                       "required": ["number", "kind", "issue_date", "net", "tax", "total", "currency",
                                                    "document_url", "xml_url"],
                                       "properties": {
                                           "number": {"type": "string"}, "kind": {"type": "string",
                                                                                  "enum": ["refund", "void"]},
                                           "issue_date": {"type": "string", "format": "date"},
                                           "net": {"type": "integer"}, "tax": {"type": "integer"},
                                           "total": {"type": "integer", "description": "Minor units."},
                                           "currency": {"type": "string"},
                                           "document_url": {"type": ["string", "null"]},
                                           "xml_url": {"type": ["string", "null"]}}}},
            "package": {"oneOf": [{"type": "null"}, PACKAGE_SCHEMA],
                        "description": "Null until a license is issued; its renditions while the license is active."},
            "usage": {"oneOf": [{"type": "null"}, USAGE_SCHEMA],
                      "description": "Views counted by the package's tracking image: day and referring domain only."},
        },
    }
    public_license = {
        "type": "object",
        "required": ["number", "status", "status_label", "licensee", "article", "use", "term", "exclusive",
                     "exclusions"],
        "properties": {
            "number": {"type": "string"}, "status": {"type": "string", "enum": list(LICENSE_STATUSES)},
            "status_label": {"type": "string"}, "licensee": {"type": "string"},
            "article": {"type": "object", "required": ["title", "url"],
                        "properties": {"title": {"type": "string"}, "url": {"type": "string"}}},
            "use": {"type": "object", "required": ["medium", "publication", "language", "territory"], "properties": {
                "medium": {"type": "string"}, "publication": {"type": "string"}, "language": {"type": "string"},
                "territory": {"oneOf": [{"type": "string", "enum": ["worldwide"]},
                                        {"type": "array", "items": {"type": "string"}}]}}},
            "term": {"type": "object", "required": ["kind", "start", "end"], "properties": {
                "kind": {"type": "string", "enum": list(TERMS)}, "start": {"type": "string", "format": "date"},
                "end": {"type": ["string", "null"], "format": "date",
                        "description": "Last day of display (30 days, 1 year); null for one-off use and the archive."},
                "publish_by": {"type": ["string", "null"], "format": "date",
                               "description": "Last day of the first publication (one-off use, perpetual archive)."}}},
            "exclusive": {"type": "boolean"},
            "exclusions": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Syndication Desk API", "version": "1.0.0",
                 "description": "Find articles, get republishing quotes, submit and follow requests.\n\n"
                                f"Rate limits, per client address: quotes {QUOTE}, submissions {FORM}, "
                                f"license look-ups {VERIFY}. Over a limit the answer is 429 with Retry-After "
                                "and X-RateLimit-* headers."},
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/articles": {"get": {
                "summary": "Search the catalog by words of the title or by URL",
                "parameters": [{"name": "q", "in": "query", "required": False,
                                "schema": {"type": "string", "maxLength": 500}}],
                "responses": {"200": {"description": "Up to 20 articles, newest first.", "content": {
                    "application/json": {"schema": {"type": "object", "required": ["articles"], "properties": {
                        "articles": {"type": "array", "items": {"$ref": "#/components/schemas/Article"}}}}}}},
                    **_errors(422)},
            }},
            "/api/v1/quotes": {"post": {
                "summary": "Price a requested use (only the pricing fields are read)",
                "requestBody": {"required": True, "content": _json("QuoteRequest")},
                "responses": {"200": {"description": "The quote.", "content": _json("Quote")},
                              **_errors(400, 415, 422), **too_many(QUOTE)},
            }},
            "/api/v1/requests": {"post": {
                "summary": "Submit a republishing request",
                "requestBody": {"required": True, "content": _json("RepublishRequest")},
                "responses": {"201": {"description": "Submitted.", "content": _json("Created")},
                              **_errors(400, 415, 422), **too_many(FORM)},
            }},
            "/api/v1/requests/{reference}": {"get": {
                "summary": "Follow a request with its tracking token",
                "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
                "security": [{"trackingToken": []}],
                "responses": {"200": {"description": "Status and timeline.", "content": _json("TrackedRequest")},
                              **_errors(401, 404)},
            }},
            "/api/v1/licenses/{number}": {"get": {
                "summary": "Verify a license: public fields only (never the fee or an e-mail)",
                "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The license.", "content": _json("PublicLicense")},
                              **_errors(404), **too_many(VERIFY)},
            }},
            **staff_paths(),
        },
        "components": {
            "schemas": {
                "QuoteRequest": _request_body_schema(full=False),
                "RepublishRequest": _request_body_schema(full=True),
                "Quote": quote, "Article": article, "Created": created, "TrackedRequest": tracked,
                "Error": _error_schema(), "PublicLicense": public_license, **staff_schemas(),
            },
            "securitySchemes": {"trackingToken": {"type": "http", "scheme": "bearer"},
                                "staffToken": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token of a staff user."}},
        },
    }
