"""The staff API: the queue and decisions, with a personal API token as a Bearer token."""
from __future__ import annotations

import re
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from licensing.core import tokens
from licensing.core.db import get_session, utcnow
from licensing.core.forms import FieldError
from licensing.intake.models import RepublishRequest
from licensing.intake.rules import workflow
from licensing.intake.rules.validation import MAX_JSON_DEPTH, json_body_problem
from licensing.review import queries as queue_mod
from licensing.review import services as review

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1/staff")
MAX_FEE = 10**13  # minor units, as review.parse_amount allows from the form
REFERENCE_SHAPE = re.compile(r"^[A-Za-z0-9-]{1,16}$")  # as api.REFERENCE_SHAPE; NUL would break PostgreSQL


def _error(code: int, message: str, **extra):
    return jsonify({"error": message, **extra}), code


def token_required(role: str):
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            auth = request.headers.get("Authorization", "")
            token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
            user = tokens.user_for_token(get_session(), token)
            if user is None:
                return _error(401, "Send a valid personal API token as 'Authorization: Bearer <token>'.")
            if not user.has_role(role):
                return _error(403, f"This token's user does not have the {role} role.")
            g.api_user = user
            return view(*args, **kwargs)

        guarded.required_roles = (role,)  # type: ignore[attr-defined]
        guarded.token_auth = True  # type: ignore[attr-defined]
        return guarded

    return decorate


def request_json(req: RepublishRequest) -> dict:
    return {
        "reference": req.reference,
        "status": req.status,
        "submitted_at": req.submitted_at.isoformat(timespec="seconds") + "Z",
        "organisation": req.organisation,
        "email": req.email,
        "article": {"id": req.article_id, "title": req.article.title},
        "medium": req.medium,
        "audience": req.audience,
        "territory": "worldwide" if req.territory == "worldwide" else req.territory_codes,
        "term": req.term,
        "quote": {"amount": req.quote_amount, "currency": req.currency},
        "approved_fee": req.approved_fee,
        "assigned_to": req.assigned_to.email if req.assigned_to else None,
    }


@bp.get("/requests")
@token_required("staff")
def list_requests():
    status = request.args.get("status", "open")
    if status not in (*workflow.STATUSES, "open", "all"):
        return _error(422, "Unknown status.", errors={"status": [f"Use one of: open, all, {', '.join(workflow.STATUSES)}."]})
    page_arg = request.args.get("page")
    if page_arg is not None and not (page_arg.isascii() and page_arg.isdigit() and 1 <= int(page_arg) <= 10**9):
        return _error(422, "Pages are numbered from 1.", errors={"page": ["A whole number, 1 or more."]})
    filters = queue_mod.QueueFilters.from_args(request.args)
    page = queue_mod.queue_page(get_session(), filters, g.api_user.id, utcnow(),
                                current_app.config["SETTINGS"].review_target_working_days,
                                cache=queue_mod.counts_cache(current_app))
    return jsonify({"requests": [request_json(r.request) for r in page.rows], "page": page.page,
                    "pages": page.pages, "total": page.total})


def _body() -> dict:
    if not request.data:
        return {}
    try:
        data = request.get_json(silent=True)
    except RecursionError as exc:
        raise _BadBody(f"The body is nested too deeply (at most {MAX_JSON_DEPTH} levels).") from exc
    if not isinstance(data, dict):
        raise _BadBody()
    problem = json_body_problem(data)
    if problem:
        raise _BadBody(problem)
    return data


class _BadBody(Exception):
    def __init__(self, message: str = "The body must be a JSON object."):
        super().__init__(message)
        self.message = message


def _decide(reference: str, call):
    session = get_session()
    if not REFERENCE_SHAPE.match(reference):
        return _error(404, "No request with this reference.")
    try:
        call(session, _body())
    except _BadBody as exc:
        return _error(400, exc.message)
    except FieldError as exc:
        session.rollback()
        return _error(422, exc.message, errors={exc.field: [exc.message]})
    except workflow.TransitionRefused as exc:
        session.rollback()
        return _error(409, exc.message, status=exc.status)
    except LookupError:
        session.rollback()
        return _error(404, "No request with this reference.")
    found = session.scalars(
        select(RepublishRequest).where(RepublishRequest.reference == reference.upper())
    ).one()
    return jsonify(request_json(found))


def _text_field(data: dict, name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(name, f"{name} must be text.")
    return value.replace("\x00", "")  # PostgreSQL text cannot hold NUL


@bp.post("/requests/<reference>/approve")
@token_required("staff")
def approve(reference: str):
    def call(session, data):
        override = data.get("fee_override")
        amount, reason = None, ""
        if override is not None:
            if not isinstance(override, dict):
                raise FieldError("fee_override", 'fee_override must be {"amount": <minor units>, "reason": "..."}.')
            amount = override.get("amount")
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                raise FieldError("fee_override", "fee_override.amount must be a whole number of minor units, zero or more.")
            if amount > MAX_FEE:  # the database holds 64-bit integers
                raise FieldError("fee_override", f"fee_override.amount must be at most {MAX_FEE:,} minor units.")
            reason = _text_field(override, "reason")
            if not reason.strip():
                raise FieldError("fee_override", "fee_override.reason is required.")
        review.approve(session, reference.upper(), g.api_user, amount, reason, _text_field(data, "extra_terms"),
                       _text_field(data, "credit_line"))

    return _decide(reference, call)


@bp.post("/requests/<reference>/reject")
@token_required("staff")
def reject(reference: str):
    return _decide(reference, lambda session, data: review.reject(
        session, reference.upper(), g.api_user, _text_field(data, "reason")))


@bp.post("/requests/<reference>/request-info")
@token_required("staff")
def request_info(reference: str):
    return _decide(reference, lambda session, data: review.request_info(
        session, reference.upper(), g.api_user, _text_field(data, "message")))


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return _error(exc.code or 500, exc.description or exc.name)
