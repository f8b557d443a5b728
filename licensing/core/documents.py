"""Issued documents as PDFs: created pending with their frozen inputs, rendered after commit (in
process, or on RQ), retried on failure, stored with their SHA-256, and re-verifiable byte for byte."""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime
from pathlib import PurePosixPath

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from licensing.core import jobs
from licensing.core.db import begin_write, new_session, utcnow
from licensing.core.models import Document
from licensing.core.pdf import FacturX, FileAttachment, PdfMetadata, RenderError, render_pdf

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# The layout version new documents are issued with. Each document stores its template, and is always
# re-rendered with the version it was issued with (`documents verify` proves the bytes never change):
# an issued version is never edited; a new look is a new folder (templates/pdf/vN/ with the stylesheet
# licensing/core/static/pdf/vN/document.css). Version 1 (templates/pdf/*.html) takes ~1.3x as long to render.
# Version 3 (invoices and credit notes) is Factur-X: the EN 16931 data and a PDF/A-3b with its XML.
# Version 4 (licenses) is PDF/A-3 with the RightsML JSON-LD attached and the document's own metadata.
TEMPLATES = {"license": "pdf/v4/license.html", "invoice": "pdf/v3/invoice.html",
             "credit_note": "pdf/v3/credit_note.html"}
# The extension key under which billing registers the function that turns a frozen e-invoice
# context into its CII XML (core imports no feature; the factory hands it over).
EINVOICE_XML = "einvoice_xml"


# Layouts issued as PDF/A-3 with document information from the document itself (older layouts keep
# rendering exactly as they were issued)
PDF_A3 = frozenset({"pdf/v4/license.html"})


def stylesheet_for(template: str) -> str:
    """The stylesheet of a template's layout version: the document.css beside it in the static folder
    (pdf/license.html -> pdf/document.css, pdf/v2/license.html -> pdf/v2/document.css)."""
    return str(PurePosixPath(template).parent / "document.css")


def create_document(session: Session, kind: str, number: str, context: dict, template: str | None = None) -> Document:
    """Add a pending document in the caller's transaction; its rendering starts after commit.
    `template`: an older layout, for a document whose data the current one needs but lacks."""
    document = Document(kind=kind, number=number, template=template or TEMPLATES[kind], context=context,
                        status="pending")
    session.add(document)
    session.flush()
    jobs.after_commit(session, "licensing.core.documents:render_job", document.id)
    return document


def _attachments(document: Document) -> tuple[FileAttachment, ...]:
    jsonld = document.context.get("jsonld")
    if not jsonld:
        return ()
    when = datetime.fromisoformat(document.context["issued_on"])
    # PDF/A layouts name the MIME type; older ones keep WeasyPrint's guess they were issued with
    mime = "application/ld+json" if document.template in PDF_A3 else ""
    return (FileAttachment(f"{document.number}.jsonld", json.dumps(jsonld, indent=2, sort_keys=True),
                           "The license in IPTC RightsML 2.0 (JSON-LD)", when, mime),)


def _metadata(document: Document) -> PdfMetadata:
    context = document.context
    when = datetime.fromisoformat(context["issued_on"])
    words = context.get("words", {})
    return PdfMetadata(
        title=f"{words.get('Licence', 'License')} agreement {document.number}",
        author=context["seller"]["name"],
        subject=f"Republishing {words.get('licence', 'license')} for “{context['article']['title']}”",
        lang=context.get("english", "en"), created=when, modified=when)


def einvoice_xml(document: Document) -> bytes | None:
    """The EN 16931 XML frozen with an invoice or credit note (None for other documents, and for
    those issued before layout v3)."""
    context = document.context.get("einvoice")
    if not context:
        return None
    builder = current_app.extensions.get(EINVOICE_XML)
    if builder is None:
        raise RenderError("no e-invoice XML builder is registered (the factory registers billing's)")
    return builder(context)


def _facturx(document: Document) -> FacturX | None:
    xml = einvoice_xml(document)
    if xml is None:
        return None
    kind = "credit note" if document.kind == "credit_note" else "invoice"
    # Dated by the document itself, never the clock: the bytes re-render the same.
    return FacturX(xml, date.fromisoformat(document.context["issued_on"]),
                   description=f"Factur-X {kind} {document.number} (EN 16931 CII)")


def render_bytes(document: Document) -> bytes:
    html = render_template(document.template, doc=document.context)
    if document.template in PDF_A3:
        return render_pdf(html, stylesheet=stylesheet_for(document.template), attachments=_attachments(document),
                          metadata=_metadata(document), variant="pdf/a-3b")
    return render_pdf(html, stylesheet=stylesheet_for(document.template), attachments=_attachments(document),
                      facturx=_facturx(document))


def render_document(document_id: int) -> bool:
    """Render one pending document; True when it is ready. Failures are recorded, never lost.

    The (slow) rendering happens outside any transaction; the result is written in a write
    transaction of its own (BEGIN IMMEDIATE on SQLite), so concurrent renders never collide."""
    with new_session() as session:
        document = session.get(Document, document_id)
        if document is None or document.status == "ready":
            return document is not None
        session.rollback()  # end the read transaction: nothing is held while rendering
        error: Exception | None = None
        try:
            pdf = render_bytes(document)
        except Exception as exc:
            error = exc
        begin_write(session)
        document = session.get(Document, document_id, populate_existing=True)
        if document is None or document.status == "ready":  # another worker finished it first
            session.rollback()
            return document is not None
        document.attempts += 1
        if error is not None:
            document.last_error = f"{type(error).__name__}: {error}"[:2000]
            document.status = "failed" if document.attempts >= MAX_ATTEMPTS else "pending"
            session.commit()
            log.warning("rendering %s failed (attempt %d): %s", document.number, document.attempts, error)
            return False
        document.pdf, document.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
        document.status, document.rendered_at, document.last_error = "ready", utcnow(), ""
        session.commit()
        return True


def render_job(document_id: int) -> None:
    """The job: a few attempts in a row; a document still not ready is picked up again later by
    `flask documents render-pending` (and a failed job raises so RQ can retry it too)."""
    for _ in range(MAX_ATTEMPTS):
        if render_document(document_id):
            return
        with new_session() as session:
            document = session.get(Document, document_id)
            if document is None or document.status == "failed":
                break
    raise RenderError(f"document {document_id} could not be rendered")


def render_pending(session: Session, include_failed: bool = True,
                   created_before: datetime | None = None) -> tuple[int, int]:
    """Render every document not yet ready (a failed one gets fresh attempts); with
    `created_before`, only those created before then (older than any render job still queued)."""
    statuses = ("pending", "failed") if include_failed else ("pending",)
    stmt = select(Document.id).where(Document.status.in_(statuses)).order_by(Document.id)
    if created_before is not None:
        stmt = stmt.where(Document.created_at < created_before)
    ids = session.scalars(stmt).all()
    done = 0
    for document_id in ids:
        with new_session() as s:
            begin_write(s)
            document = s.get(Document, document_id)
            if document is not None and document.status == "failed":
                document.status, document.attempts = "pending", 0
                s.commit()
        done += render_document(document_id)
    return done, len(ids)


def verify_documents(session: Session) -> list[tuple[str, str]]:
    """Re-render every ready document from its stored inputs; list those whose bytes differ."""
    differing = []
    for document in session.scalars(select(Document).where(Document.status == "ready").order_by(Document.id)
                                    .execution_options(yield_per=50)):
        digest = hashlib.sha256(render_bytes(document)).hexdigest()
        if digest != document.sha256:
            differing.append((document.number, f"stored {document.sha256[:12]}…, now {digest[:12]}…"))
    return differing


def find_document(session: Session, number: str) -> Document | None:
    return session.scalars(select(Document).where(Document.number == number)).first()
