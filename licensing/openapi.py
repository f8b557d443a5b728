"""The OpenAPI 3 document of API v1, built from the same constants the code validates against."""
from __future__ import annotations

from functools import lru_cache

from .intake import LIMITS
from .pricing import MAX_AUDIENCE, MEDIA, TERMS


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
        "article_url": {"type": "string", "maxLength": LIMITS["article_url"], "description": "Canonical URL of the article."},
        "medium": {"type": "string", "enum": list(MEDIA)},
        "audience": {"type": "integer", "minimum": 0, "maximum": MAX_AUDIENCE,
                     "description": "Monthly unique visitors, subscribers, circulation or average audience."},
        "territory": {"oneOf": [
            {"type": "string", "enum": ["worldwide"]},
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
            "vat_id": {"type": "string", "maxLength": LIMITS["vat_id"]},
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
    text = {400: "Malformed JSON.", 404: "Not found.", 415: "Not a JSON body.", 422: "Invalid input."}
    return {str(c): {"description": text[c], "content": _json("Error")} for c in codes}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    quote = {
        "type": "object",
        "required": ["amount", "currency", "breakdown", "rate_card_version"],
        "properties": {
            "amount": {"type": "integer", "description": "Minor units of the currency (pence for GBP)."},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "breakdown": {"type": "array", "items": {
                "type": "object", "required": ["label", "amount"],
                "properties": {"label": {"type": "string"}, "amount": {"type": "integer"}}}},
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
    tracked = {
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
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Syndication Desk API", "version": "1.0.0",
                 "description": "Find articles, get republishing quotes, submit and follow requests."},
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
                              **_errors(400, 415, 422)},
            }},
            "/api/v1/requests": {"post": {
                "summary": "Submit a republishing request",
                "requestBody": {"required": True, "content": _json("RepublishRequest")},
                "responses": {"201": {"description": "Submitted.", "content": _json("Created")},
                              **_errors(400, 415, 422)},
            }},
            "/api/v1/requests/{reference}": {"get": {
                "summary": "Follow a request with its tracking token",
                "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
                "security": [{"trackingToken": []}],
                "responses": {"200": {"description": "Status and timeline.", "content": _json("TrackedRequest")},
                              **_errors(404)},
            }},
        },
        "components": {
            "schemas": {
                "QuoteRequest": _request_body_schema(full=False),
                "RepublishRequest": _request_body_schema(full=True),
                "Quote": quote, "Article": article, "Created": created, "TrackedRequest": tracked,
                "Error": _error_schema(),
            },
            "securitySchemes": {"trackingToken": {"type": "http", "scheme": "bearer"}},
        },
    }
