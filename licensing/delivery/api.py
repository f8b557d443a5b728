"""The staff API's CMS push: a newsroom's CMS creates or updates an article by its canonical URL,
with its body (sanitised here as on a feed import; a changed body is a correction sent to licensees).
Token auth as the rest of the staff API."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from licensing.core.db import get_session
from licensing.delivery.services import PushRefused, push_article
from licensing.review.api import token_required

bp = Blueprint("delivery_api", __name__, url_prefix="/api/v1/staff")


@bp.put("/articles")
@token_required("staff")
def put_article():
    data = request.get_json(silent=True)
    try:
        result, article_id = push_article(get_session(), data)
    except PushRefused as exc:
        get_session().rollback()
        return jsonify({"error": f"{exc.field} {exc.message}.", "field": exc.field}), 422
    status = 201 if result.created else 200
    return jsonify({"id": article_id, "created": bool(result.created), "corrected": bool(result.corrected)}), status
