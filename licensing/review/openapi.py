"""The staff part of the OpenAPI document (personal API tokens)."""
from __future__ import annotations

from licensing.intake.rules.workflow import STATUSES
from licensing.review.api import MAX_FEE


def _ref(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed body.", 401: "No valid token.", 403: "The token's user lacks the staff role.",
            404: "No such request.", 409: "The request's state does not allow this.", 422: "Invalid input."}
    return {str(c): {"description": text[c], "content": _ref("Error")} for c in codes}


def _decision(summary: str, body: dict, body_required: bool = True) -> dict:
    return {"post": {
        "summary": summary, "security": [{"staffToken": []}],
        "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": body_required, "content": {"application/json": {"schema": body}}},
        "responses": {"200": {"description": "The request in its new state.", "content": _ref("StaffRequest")},
                      **_errors(400, 401, 403, 404, 409, 422)},
    }}


def staff_paths() -> dict:
    return {
        "/api/v1/staff/requests": {"get": {
            "summary": "The review queue", "security": [{"staffToken": []}],
            "parameters": [
                {"name": "status", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["open", "all", *STATUSES], "default": "open"}},
                {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
            ],
            "responses": {"200": {"description": "A page of requests.", "content": _ref("StaffRequestPage")},
                          **_errors(401, 403, 422)},
        }},
        "/api/v1/staff/requests/{reference}/approve": _decision("Approve, optionally at another fee", {
            "type": "object", "properties": {
                "fee_override": {"oneOf": [{"type": "null"}, {
                    "type": "object", "required": ["amount", "reason"], "properties": {
                        "amount": {"type": "integer", "minimum": 0, "maximum": MAX_FEE, "description": "Minor units."},
                        "reason": {"type": "string", "minLength": 1}}}],
                    "description": "Null or left out: the quoted fee."},
                "extra_terms": {"type": ["string", "null"]},
                "credit_line": {"type": ["string", "null"], "description": "Empty: the usual credit line."}}},
            body_required=False),
        "/api/v1/staff/requests/{reference}/reject": _decision("Reject with a reason", {
            "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}),
        "/api/v1/staff/requests/{reference}/request-info": _decision("Ask the publisher for information", {
            "type": "object", "required": ["message"],
            "properties": {"message": {"type": "string", "minLength": 1}}}),
    }


def staff_schemas() -> dict:
    request = {
        "type": "object",
        "required": ["reference", "status", "submitted_at", "organisation", "email", "article", "medium",
                     "audience", "territory", "term", "quote", "approved_fee", "assigned_to"],
        "properties": {
            "reference": {"type": "string"}, "status": {"type": "string", "enum": list(STATUSES)},
            "submitted_at": {"type": "string", "format": "date-time"}, "organisation": {"type": "string"},
            "email": {"type": "string"},
            "article": {"type": "object", "required": ["id", "title"],
                        "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}},
            "medium": {"type": "string"}, "audience": {"type": "integer"},
            "territory": {"oneOf": [{"type": "string", "enum": ["worldwide"]},
                                    {"type": "array", "items": {"type": "string"}}]},
            "term": {"type": "string"},
            "quote": {"type": "object", "required": ["amount", "currency"],
                      "properties": {"amount": {"type": "integer"}, "currency": {"type": "string"}}},
            "approved_fee": {"type": ["integer", "null"]},
            "assigned_to": {"type": ["string", "null"]},
        },
    }
    page = {"type": "object", "required": ["requests", "page", "pages", "total"], "properties": {
        "requests": {"type": "array", "items": {"$ref": "#/components/schemas/StaffRequest"}},
        "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}}}
    return {"StaffRequest": request, "StaffRequestPage": page}
