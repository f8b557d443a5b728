"""Public verification of a license number: a page, JSON-LD (RightsML) and the JSON API."""
from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from licensing.core.db import get_session
from licensing.core.limits import VERIFY, limiter
from licensing.core.text import strip_bidi_deep
from licensing.licenses.models import LICENSE_STATUS_LABELS
from licensing.licenses.rules.rightsml import DESK_NS, to_json
from licensing.licenses.services import (
    find_license,
    public_view,
    rightsml_of,
    vocabulary_jsonld,
    vocabulary_terms,
    vocabulary_turtle,
)

bp = Blueprint("verify", __name__)
NUMBER = re.compile(r"^LIC-\d{4}-\d{5,}$")


def _normalise(number: str) -> str:
    return (number or "").strip().upper()[:40]


@bp.get("/verify")
@limiter.limit(VERIFY)
def verify_form():
    number = _normalise(request.args.get("number", ""))
    if number and NUMBER.match(number):
        return redirect(url_for("verify.verify_page", number=number))
    if number:  # answered here: e.g. "A/B" would redirect to a path no route matches
        return render_template("public/verify.html", number=number, lic=None, searched=True,
                               well_formed=False), 404
    return render_template("public/verify.html", number="", lic=None, searched=False)


@bp.get("/verify/<number>")
@limiter.limit(VERIFY)
def verify_page(number: str):
    number = _normalise(number)
    lic = find_license(get_session(), number) if NUMBER.match(number) else None
    return render_template("public/verify.html", number=number, searched=True,
                           lic=public_view(lic) if lic else None, labels=LICENSE_STATUS_LABELS,
                           well_formed=bool(NUMBER.match(number))), (200 if lic else 404)


@bp.get("/licenses/<number>.jsonld")
@limiter.limit(VERIFY)
def license_jsonld(number: str):
    lic = find_license(get_session(), _normalise(number)) if NUMBER.match(_normalise(number)) else None
    if lic is None:
        return jsonify({"error": "No license with this number."}), 404
    # the public copy: no fee and no e-mail address (the full one is inside the license PDF)
    return Response(to_json(strip_bidi_deep(rightsml_of(lic, public=True))), mimetype="application/ld+json")


@bp.get("/api/v1/licenses/<number>")
@limiter.limit(VERIFY)
def license_api(number: str):
    lic = find_license(get_session(), _normalise(number)) if NUMBER.match(_normalise(number)) else None
    if lic is None:
        return jsonify({"error": "No license with this number."}), 404
    return jsonify(public_view(lic))


VOCABULARY_FORMATS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "html": "text/html"}


@bp.get("/ns/rights/1.0")
def vocabulary():
    """The desk's rights vocabulary at its namespace's path: a page for people, Turtle or JSON-LD for
    software (by Accept, or ?format=ttl|jsonld), so a deployment at the namespace's host resolves it."""
    asked = VOCABULARY_FORMATS.get(request.args.get("format", ""))
    best = asked or request.accept_mimetypes.best_match(["text/html", "text/turtle", "application/ld+json"],
                                                        default="text/html")
    if best == "text/turtle":
        response = Response(vocabulary_turtle(), mimetype="text/turtle")
    elif best == "application/ld+json":
        response = Response(vocabulary_jsonld(), mimetype="application/ld+json")
    else:
        response = Response(render_template("public/vocabulary.html", terms=vocabulary_terms(), namespace=DESK_NS))
    response.vary.add("Accept")
    return response

