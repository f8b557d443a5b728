"""Helpers of the tests of issued documents (licenses, invoices, their PDFs): approving through
the real service, reading rows back detached, and reading PDFs back with pypdf."""
from __future__ import annotations

import io
import json
import re
from datetime import date

from pypdf import PdfReader


def approve(app, reference: str, user_id: int, **kwargs):  # noqa: ANN001, ANN003, ANN201
    """Approve through licensing.review.approve (license + invoice; PDFs rendered after commit)."""
    from licensing.core.db import get_session
    from licensing.core.models import User
    from licensing.review import services as review

    with app.test_request_context("/"):
        session = get_session()
        return review.approve(session, reference, session.get(User, user_id), **kwargs)


def no_rendering(monkeypatch) -> list[int]:  # noqa: ANN001
    """Keep documents pending: the after-commit render job only records the document id."""
    import licensing.core.documents

    queued: list[int] = []
    monkeypatch.setattr(licensing.core.documents, "render_job", queued.append)
    return queued


def license_of(app, reference: str):  # noqa: ANN001, ANN201
    """The license issued for a request (detached)."""
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest
    from licensing.licenses.models import License

    with app.app_context(), new_session() as s:
        return s.scalars(select(License).join(RepublishRequest, License.request_id == RepublishRequest.id)
                         .where(RepublishRequest.reference == reference)).one()


def invoice_of(app, number: str):  # noqa: ANN001, ANN201
    """An invoice with its lines loaded (detached)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from invoices.billing.models import Invoice
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        return s.scalars(select(Invoice).options(selectinload(Invoice.lines)).where(Invoice.number == number)).one()


def document_of(app, number: str):  # noqa: ANN001, ANN201
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.core.models import Document

    with app.app_context(), new_session() as s:
        return s.scalars(select(Document).where(Document.number == number)).one()


def docdate(value: date) -> str:
    """A date as the documents print it: 2 December 2026."""
    return f"{value.day} {value:%B %Y}"


def pdf_reader(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-", data[:20]
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All pages' text, with hyphenation breaks undone and every run of whitespace made one space."""
    raw = "\n".join(page.extract_text() for page in pdf_reader(data).pages)
    raw = raw.replace("\u2010\n", "").replace("\u00ad\n", "")
    return " ".join(raw.split())


def squashed(text: str) -> str:
    """Without any whitespace: for URLs, which the PDF may break anywhere."""
    return re.sub(r"\s+", "", text)


def embedded_files(data: bytes) -> dict[str, list[bytes]]:
    return {name: list(contents) for name, contents in pdf_reader(data).attachments.items()}


def embedded_jsonld(data: bytes, number: str) -> dict:
    files = embedded_files(data)
    assert list(files) == [f"{number}.jsonld"], list(files)
    [content] = set(files[f"{number}.jsonld"])
    return json.loads(content)
