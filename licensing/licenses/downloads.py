"""PDF downloads: the publisher by the tracking link, staff and finance from their pages; anyone
else gets 404. A document still being rendered shows "being prepared"."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, render_template

from licensing.core import jobs
from licensing.core.auth import role_required
from licensing.core.db import get_session, utcnow
from licensing.core.documents import einvoice_xml, find_document
from licensing.core.models import Document
from licensing.intake.services import find_by_token
from licensing.licenses.services import documents_of_license, license_for_request

bp = Blueprint("downloads", __name__)
STALE = timedelta(minutes=2)


def documents_of_request(request_id: int) -> list[str]:
    lic = license_for_request(get_session(), request_id)
    return documents_of_license(get_session(), lic) if lic else []


def _send(document: Document | None) -> Response:
    if document is None:
        abort(404)
    if document.status != "ready":
        if document.status == "failed" or utcnow() - document.created_at > STALE:
            jobs.enqueue("licensing.core.documents:render_job", document.id)  # a fresh try
        return Response(render_template("public/preparing.html", number=document.number), status=202,
                        headers={"Retry-After": "5", "Cache-Control": "no-store"})
    return Response(document.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{document.number}.pdf"',
        "Cache-Control": "private, max-age=0",
        "X-Content-SHA256": document.sha256 or "",
    })


@bp.get("/track/<token>/documents/<number>.pdf")
def publisher_document(token: str, number: str):
    tracked = find_by_token(get_session(), token)
    if tracked is None or number.upper() not in documents_of_request(tracked.id):
        abort(404)
    return _send(find_document(get_session(), number.upper()))


def _send_xml(document: Document | None) -> Response:
    """The e-invoice alone (EN 16931 CII), for accounting software: rebuilt from the document's
    frozen context, so it equals the factur-x.xml inside its PDF byte for byte."""
    xml = einvoice_xml(document) if document is not None else None
    if xml is None:
        abort(404)
    return Response(xml, mimetype="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{document.number}.xml"', "Cache-Control": "private, max-age=0"})


@bp.get("/track/<token>/documents/<number>.xml")
def publisher_document_xml(token: str, number: str):
    tracked = find_by_token(get_session(), token)
    if tracked is None or number.upper() not in documents_of_request(tracked.id):
        abort(404)
    return _send_xml(find_document(get_session(), number.upper()))


@bp.get("/staff/documents/<number>.xml")
@role_required("staff", "finance")
def staff_document_xml(number: str):
    return _send_xml(find_document(get_session(), number.upper()))


@bp.get("/staff/documents/<number>.pdf")
@role_required("staff", "finance")
def staff_document(number: str):
    return _send(find_document(get_session(), number.upper()))
