"""Issuing licenses and invoices against a real database (SQLite and PostgreSQL): what an approval
writes, gapless numbers under concurrency and rollback, immutability, failed renders and the
`flask documents` commands."""
from __future__ import annotations

import hashlib
import io
import threading
from datetime import date, datetime, timedelta

import pikepdf
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError

from tests.conftest import EXAMPLE_URL
from tests.documents_helpers import approve, document_of, invoice_of, license_of, no_rendering
from tests.staff_fixtures import add_user, execute, insert_requests, state, submit

# the agency photo of the example article: its address (the asset's IRI), its label, why it is excluded
AFP_EXCLUDED = [{"uid": "https://www.middleeasteye.net/sites/default/files/erdogan-carter-ankara.jpg",
                 "label": "Photograph: AFP", "reason": "third_party"}]


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "reviewer@desk.test", "Rae Reviewer", ["staff"])


def _today() -> date:
    from licensing.core.db import utcnow

    return utcnow().date()


def _number(kind: str, value: int) -> str:
    """The expected number, spelled out here rather than built by the code under test."""
    prefix = {"license": "LIC", "invoice": "INV"}[kind]
    return f"{prefix}-{_today().year:04d}-{value:05d}"


BUYERS = {
    # country, VAT id -> rule, rate, label, tax on 675.00, note
    "GB": ("GB", "GB980780684", "domestic_vat", 2000, "UK VAT 20%", 13500, ""),
    "DE": ("DE", "DE136695976", "eu_reverse_charge", 0, "Reverse charge 0%", 0,
           "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)."),
    "US": ("US", "", "outside_scope", 0, "Outside scope", 0,
           "Outside the scope of UK VAT: services supplied to a recipient outside the United Kingdom."),
}


def test_approval_issues_license_and_invoice_with_tax(seeded, staff, db_kind, monkeypatch):
    app = seeded
    queued = no_rendering(monkeypatch)
    made = {key: submit(app, country=country, vat_id=vat, organisation=f"Buyer {key} Ltd")
            for key, (country, vat, *_rest) in BUYERS.items()}
    for key in BUYERS:
        approve(app, made[key].reference, staff)
    today = _today()

    for i, (key, (country, vat, rule, rate_bp, label, tax, note)) in enumerate(BUYERS.items(), start=1):
        lic = license_of(app, made[key].reference)
        assert lic.number == _number("license", i)
        assert lic.invoice_number == _number("invoice", i)
        assert lic.status == "pending_payment"
        assert (lic.licensee_name, lic.licensee_contact, lic.licensee_email, lic.licensee_country) == (
            f"Buyer {key} Ltd", "Jo Bloggs", "jo@leeds-post.example", country)
        assert (lic.article_url, lic.article_title) == (
            EXAMPLE_URL, "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary")
        assert lic.article_published == date(2016, 10, 21)
        assert (lic.medium, lic.audience, lic.territory, lic.language, lic.term) == (
            "website", 25000, "FR,GB", "en", "1_year")
        start = today + timedelta(days=7)
        assert (lic.start_date, lic.end_date) == (start, start.replace(year=start.year + 1) - timedelta(days=1))
        assert lic.exclusions == AFP_EXCLUDED and lic.media_included == []
        assert (lic.fee, lic.currency, lic.exclusive) == (67500, "GBP", False)
        assert lic.credit_line == "By MEE and agencies, Middle East Eye Ltd. Republished under licence."

        invoice = invoice_of(app, lic.invoice_number)
        assert invoice.status == "open"
        assert invoice.issue_date == today
        assert invoice.due_date == today + timedelta(days=14)
        assert invoice.payment_terms_days == 14
        assert invoice.reference == lic.number  # what it bills
        assert (invoice.buyer_name, invoice.buyer_country, invoice.buyer_vat_id) == (f"Buyer {key} Ltd", country, vat)
        assert (invoice.seller_name, invoice.seller_country, invoice.seller_vat_number) == (
            "Middle East Eye Ltd", "GB", "GB123456789")
        assert (invoice.subtotal, invoice.tax_total, invoice.total) == (67500, tax, 67500 + tax)
        [line] = invoice.lines
        assert (line.position, line.quantity, line.unit_amount, line.net_amount) == (1, 1, 67500, 67500)
        assert (line.tax_rule, line.tax_rate_bp, line.tax_label, line.tax_amount, line.tax_note) == (
            rule, rate_bp, label, tax, note)
        assert "lasting defeat" in line.description and "Leeds Evening Post" in line.description

        for number, kind in ((lic.number, "license"), (invoice.number, "invoice")):
            document = document_of(app, number)
            assert (document.kind, document.status, document.pdf, document.sha256) == (kind, "pending", None, None)
            assert document.context["number"] == number
            assert document.id in queued  # rendering was handed over after the commit
        assert document_of(app, lic.number).context["exclusions"] == \
            [{"label": "Photograph: AFP", "reason": "not licensable (third party)"}]
        assert document_of(app, invoice.number).context["lines"][0]["tax_label"] == label

    assert {state(app, m.reference).status for m in made.values()} == {"approved"}


def test_fee_override_is_what_the_license_and_invoice_charge(seeded, staff, db_kind, monkeypatch):
    no_rendering(monkeypatch)
    made = submit(seeded)
    approve(seeded, made.reference, staff, fee_override="500.50", override_reason="Charity rate",
            extra_terms="Print edition only on weekdays.")
    lic = license_of(seeded, made.reference)
    assert (lic.fee, lic.extra_terms) == (50050, "Print edition only on weekdays.")
    invoice = invoice_of(seeded, lic.invoice_number)
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (50050, 10010, 60060)


@pytest.mark.parametrize("app_config", [{"PAYMENT_TERMS_DAYS": 30}])
def test_due_date_follows_the_payment_terms_setting(seeded, staff, db_kind, monkeypatch):
    no_rendering(monkeypatch)
    made = submit(seeded)
    approve(seeded, made.reference, staff)
    invoice = invoice_of(seeded, license_of(seeded, made.reference).invoice_number)
    assert (invoice.payment_terms_days, invoice.due_date - invoice.issue_date) == (30, timedelta(days=30))
    assert document_of(seeded, invoice.number).context["due_date"] == invoice.due_date.isoformat()


def test_terms_are_copied_so_later_edits_change_nothing(seeded, staff, db_kind, monkeypatch):
    from licensing.catalog.models import Article, ArticleAsset
    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest
    from licensing.pricing.rules import DEMO_RATE_CARD
    from licensing.pricing.services import save_rate_card

    app = seeded
    no_rendering(monkeypatch)
    made = submit(app)
    approve(app, made.reference, staff)
    lic_before = license_of(app, made.reference)
    invoice_before = invoice_of(app, lic_before.invoice_number)
    contexts_before = {n: document_of(app, n).context for n in (lic_before.number, invoice_before.number)}

    with app.app_context(), new_session() as s:
        req = s.scalars(select(RepublishRequest).where(RepublishRequest.reference == made.reference)).one()
        req.organisation, req.contact_name, req.email = "Renamed plc", "Someone Else", "else@example.org"
        req.territory, req.term, req.medium, req.audience = "worldwide", "perpetual", "print", 9_000_000
        req.country, req.vat_id = "US", ""
        req.quote_amount, req.approved_fee, req.start_date = 99900, 99900, date(2030, 1, 1)
        article = s.get(Article, req.article_id)
        article.title = "A new headline"
        article.byline = "Someone else"
        s.add(ArticleAsset(article_id=article.id, kind="image", credit="Photograph: Getty", licensable=False))
        s.commit()
        card = dict(DEMO_RATE_CARD)
        card["minimum_fee"] = 500000
        save_rate_card(s, card, note="dearer")

    lic_after = license_of(app, made.reference)
    invoice_after = invoice_of(app, lic_after.invoice_number)
    columns = [c.key for c in inspect(type(lic_before)).column_attrs]
    assert {c: getattr(lic_after, c) for c in columns} == {c: getattr(lic_before, c) for c in columns}
    invoice_columns = [c.key for c in inspect(type(invoice_before)).column_attrs]
    assert {c: getattr(invoice_after, c) for c in invoice_columns} == \
        {c: getattr(invoice_before, c) for c in invoice_columns}
    line_columns = [c.key for c in inspect(type(invoice_before.lines[0])).column_attrs]
    assert [{c: getattr(x, c) for c in line_columns} for x in invoice_after.lines] == \
        [{c: getattr(x, c) for c in line_columns} for x in invoice_before.lines]
    assert {n: document_of(app, n).context for n in contexts_before} == contexts_before
    assert (lic_after.licensee_name, lic_after.territory, lic_after.fee) == ("Leeds Evening Post Ltd", "FR,GB", 67500)
    assert lic_after.article_title == "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"
    assert lic_after.exclusions == AFP_EXCLUDED


def test_fifty_concurrent_approvals_get_gapless_unique_numbers(seeded, staff, db_kind, monkeypatch):
    from invoices.billing.models import Invoice
    from licensing.core.db import get_session
    from licensing.core.models import Document, User
    from licensing.licenses.models import License
    from licensing.review import services as review

    app = seeded
    no_rendering(monkeypatch)  # 100 PDFs would take seconds; rendering is tested elsewhere
    count = 50
    made = insert_requests(app, [{"organisation": f"Paper {i}"} for i in range(count)])
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(i: int) -> None:
        with app.test_request_context("/"):
            session = get_session()
            user = session.get(User, staff)
            session.commit()
            barrier.wait(timeout=30)
            try:
                outcomes[i] = review.approve(session, made[i].reference, user)
            except Exception as exc:  # noqa: BLE001 - the test reports it
                session.rollback()
                outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an approval never finished (deadlock?)"
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert not failures, failures[:3]

    with app.app_context():
        s = get_session()
        licenses = s.execute(select(License.number, License.invoice_number, License.request_id)).all()
        invoices = s.scalars(select(Invoice.number)).all()
        documents = s.scalars(select(Document.number)).all()
    expected_lic = [_number("license", v) for v in range(1, count + 1)]
    expected_inv = [_number("invoice", v) for v in range(1, count + 1)]
    assert sorted(n for n, _, _ in licenses) == expected_lic
    assert sorted(i for _, i, _ in licenses) == expected_inv
    assert sorted(invoices) == expected_inv
    assert sorted(documents) == sorted(expected_lic + expected_inv)
    assert sorted(r for _, _, r in licenses) == sorted(m.id for m in made)
    # the license and the invoice of one approval come from the same transaction: same position
    assert all(n[-5:] == i[-5:] for n, i, _ in licenses)


def test_a_rolled_back_approval_gives_its_numbers_back(seeded, staff, db_kind, monkeypatch):
    from licensing.review import services as review

    app = seeded
    no_rendering(monkeypatch)
    first, failing, third = (submit(app, organisation=f"Paper {i}") for i in range(3))
    approve(app, first.reference, staff)

    def broken_mail(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("mail template missing")

    with monkeypatch.context() as m:
        m.setattr(review, "_notify", broken_mail)  # fails after both numbers were allocated
        with pytest.raises(RuntimeError, match="mail template missing"):
            approve(app, failing.reference, staff)
    assert state(app, failing.reference).status == "submitted"

    approve(app, third.reference, staff)
    approve(app, failing.reference, staff)
    assert [(license_of(app, m.reference).number, license_of(app, m.reference).invoice_number)
            for m in (first, third, failing)] == [(_number("license", v), _number("invoice", v)) for v in (1, 2, 3)]

    from invoices.billing.models import Invoice
    from licensing.core.db import new_session
    from licensing.core.models import DocumentSequence

    with app.app_context(), new_session() as s:
        assert s.scalar(select(func.count()).select_from(Invoice)) == 3
        counters = {(r.kind, r.year): r.last_value for r in s.scalars(select(DocumentSequence))}
    assert counters == {("invoice", _today().year): 3, ("license", _today().year): 3}


# --- immutability --------------------------------------------------------------------------------

def _different(value, column):  # noqa: ANN001, ANN202
    """Another value of the column's type."""
    if value is None:
        return {str: "x", int: 1, date: date(2026, 1, 1), datetime: datetime(2026, 1, 1)}[column.type.python_type]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("X" if not value.endswith("X") else "Y")
    if isinstance(value, datetime):
        return value + timedelta(minutes=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, list):
        return [*value, "Photograph: Someone"]
    if isinstance(value, dict):
        return {**value, "changed": True}
    raise AssertionError(f"no other value for {column.key}: {value!r}")


def _frozen_columns(model, mutable: frozenset[str]) -> list:  # noqa: ANN001
    return [c for c in inspect(model).column_attrs if c.key not in mutable | {"id"}]


def _try_each_field(app, model, key, mutable: frozenset[str]) -> list[str]:  # noqa: ANN001
    """Set each frozen field in turn and flush; returns the fields the guard let through."""
    from licensing.core.db import ImmutableError, new_session

    let_through = []
    for attr in _frozen_columns(model, mutable):
        with app.app_context(), new_session() as s:
            obj = s.get(model, key)
            column = attr.columns[0]
            setattr(obj, attr.key, _different(getattr(obj, attr.key), column))
            try:
                s.flush()
            except ImmutableError as exc:
                assert attr.key in str(exc)
            else:
                let_through.append(attr.key)
            s.rollback()
    return let_through


def test_issued_license_invoice_and_lines_cannot_change(seeded, staff, db_kind, monkeypatch):
    from invoices.billing.models import Invoice, InvoiceLine
    from licensing.licenses.models import License

    app = seeded
    no_rendering(monkeypatch)
    made = submit(app)
    approve(app, made.reference, staff)
    lic = license_of(app, made.reference)
    invoice = invoice_of(app, lic.invoice_number)
    line = invoice.lines[0]

    assert len(_frozen_columns(License, License.MUTABLE)) >= 25
    assert _try_each_field(app, License, lic.id, License.MUTABLE) == []
    assert _try_each_field(app, Invoice, invoice.id, Invoice.MUTABLE) == []
    assert _try_each_field(app, InvoiceLine, line.id, InvoiceLine.MUTABLE) == []
    assert license_of(app, made.reference).number == lic.number  # nothing was written


def test_issued_documents_cannot_be_deleted_or_their_lines_detached(seeded, staff, db_kind, monkeypatch):
    from invoices.billing.models import Invoice, InvoiceLine
    from licensing.core.db import ImmutableError, new_session
    from licensing.core.models import Document
    from licensing.licenses.models import License

    app = seeded
    no_rendering(monkeypatch)
    made = submit(app)
    approve(app, made.reference, staff)
    lic = license_of(app, made.reference)
    invoice = invoice_of(app, lic.invoice_number)
    document = document_of(app, lic.number)

    for model, key in ((License, lic.id), (Invoice, invoice.id), (InvoiceLine, invoice.lines[0].id),
                       (Document, document.id)):
        with app.app_context(), new_session() as s:
            s.delete(s.get(model, key))
            with pytest.raises(ImmutableError, match="cannot be deleted"):
                s.flush()
    with app.app_context(), new_session() as s:
        row = s.get(Invoice, invoice.id)  # held: the session keeps only weak references
        row.lines.remove(row.lines[0])
        with pytest.raises(ImmutableError, match=r"Invoice(Line)? is issued: (lines|invoice) cannot change"):
            s.flush()
    extra = dict(position=2, description="Extra", quantity=1, unit_amount=100, net_amount=100,
                 tax_rule="domestic_vat", tax_label="UK VAT 20%", tax_rate_bp=2000, tax_amount=20)
    with app.app_context(), new_session() as s:
        row = s.get(Invoice, invoice.id)
        row.lines.append(InvoiceLine(**extra))
        with pytest.raises(ImmutableError, match="issued"):
            s.flush()
    with app.app_context(), new_session() as s:
        s.add(InvoiceLine(invoice_id=invoice.id, **extra))
        with pytest.raises(ImmutableError, match="issued"):
            s.flush()
    assert len(invoice_of(app, invoice.number).lines) == 1


def test_status_changes_are_still_allowed(seeded, staff, db_kind, monkeypatch):
    from invoices.billing.models import Invoice
    from licensing.core.db import new_session, utcnow
    from licensing.licenses.models import License

    app = seeded
    no_rendering(monkeypatch)
    made = submit(app)
    approve(app, made.reference, staff)
    lic = license_of(app, made.reference)
    invoice = invoice_of(app, lic.invoice_number)
    now = utcnow().replace(microsecond=0)
    with app.app_context(), new_session() as s:
        row = s.get(License, lic.id)
        row.status, row.activated_at, row.status_changed_at = "active", now, now
        paid = s.get(Invoice, invoice.id)
        paid.status, paid.paid_at, paid.status_changed_at = "paid", now, now
        s.commit()
    assert (license_of(app, made.reference).status, license_of(app, made.reference).activated_at) == ("active", now)
    assert (invoice_of(app, invoice.number).status, invoice_of(app, invoice.number).paid_at) == ("paid", now)


def test_the_database_refuses_to_update_or_delete_invoice_lines(seeded, staff, db_kind, monkeypatch):
    app = seeded
    no_rendering(monkeypatch)
    made = submit(app)
    approve(app, made.reference, staff)
    line = invoice_of(app, license_of(app, made.reference).invoice_number).lines[0]
    with pytest.raises(DBAPIError, match="append-only"):
        execute(app, "UPDATE invoice_lines SET tax_amount = 0 WHERE id = :id", id=line.id)
    with pytest.raises(DBAPIError, match="append-only"):
        execute(app, "DELETE FROM invoice_lines WHERE id = :id", id=line.id)
    after = invoice_of(app, license_of(app, made.reference).invoice_number).lines[0]
    assert (after.id, after.tax_amount) == (line.id, 13500)


# --- rendering and the CLI -----------------------------------------------------------------------

def test_a_failed_render_keeps_everything_and_render_pending_finishes_it(seeded, staff, db_kind, monkeypatch):
    import licensing.core.documents

    app = seeded
    made = submit(app, organisation="Zeitung für Çelik & Søn", country="DE", vat_id="DE136695976")

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("the PDF engine fell over")

    with monkeypatch.context() as m:
        m.setattr(licensing.core.documents, "render_pdf", broken)
        approve(app, made.reference, staff)  # the approval itself succeeds
    lic = license_of(app, made.reference)
    assert lic.status == "pending_payment"
    assert invoice_of(app, lic.invoice_number).total == 67500
    assert state(app, made.reference).status == "approved"
    for number in (lic.number, lic.invoice_number):
        document = document_of(app, number)
        assert (document.status, document.pdf, document.attempts) == ("failed", None, 3)
        assert document.last_error == "RuntimeError: the PDF engine fell over"

    runner = app.test_cli_runner()
    result = runner.invoke(args=["documents", "render-pending"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 document(s) rendered." in result.output
    digests = {}
    for number in (lic.number, lic.invoice_number):
        document = document_of(app, number)
        assert (document.status, document.last_error) == ("ready", "")
        assert document.pdf.startswith(b"%PDF-")
        assert document.sha256 == hashlib.sha256(document.pdf).hexdigest()
        digests[number] = document.sha256

    result = runner.invoke(args=["documents", "render-pending"])
    assert (result.exit_code, result.output.strip()) == (0, "0 of 0 document(s) rendered.")

    from licensing.core.db import ImmutableError, new_session
    from licensing.core.models import Document

    for field, value in (("pdf", b"%PDF-1.7 forged"), ("sha256", "f" * 64), ("context", {"number": "X"}),
                         ("status", "pending")):
        with app.app_context(), new_session() as s:
            setattr(s.get(Document, document_of(app, lic.number).id), field, value)
            with pytest.raises(ImmutableError, match=field):
                s.flush()

    result = runner.invoke(args=["documents", "verify"])
    assert result.exit_code == 0, result.output
    assert "Every issued document re-renders identically." in result.output

    execute(app, "UPDATE documents SET sha256 = :bad WHERE number = :n", bad="0" * 64, n=lic.invoice_number)
    result = runner.invoke(args=["documents", "verify"])
    assert result.exit_code == 1
    assert f"DIFFERS {lic.invoice_number}: stored 000000000000…, now {digests[lic.invoice_number][:12]}…" \
        in result.output
    assert f"DIFFERS {lic.number}" not in result.output
    assert "1 document(s) differ." in result.output


def test_render_pending_leaves_a_still_failing_document_failed(seeded, staff, db_kind, monkeypatch):
    import licensing.core.documents

    app = seeded
    made = submit(app)

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("disk")

    monkeypatch.setattr(licensing.core.documents, "render_pdf", broken)
    approve(app, made.reference, staff)
    result = app.test_cli_runner().invoke(args=["documents", "render-pending"])
    assert result.exit_code == 1
    assert "0 of 2 document(s) rendered." in result.output
    lic = license_of(app, made.reference)
    document = document_of(app, lic.number)
    assert (document.status, document.attempts, document.last_error) == ("pending", 1, "OSError: disk")
    assert invoice_of(app, lic.invoice_number).number == lic.invoice_number


def test_documents_of_the_old_and_the_new_license_layouts_both_verify(seeded, staff, monkeypatch):
    """A license issued in layout 2 (before this version) keeps re-rendering as issued beside one in
    layout 3 (PDF/A-3 with its RightsML attached); `documents verify` is clean on both."""
    import licensing.core.documents
    import licensing.licenses.services as license_services

    app = seeded
    old_context = license_services.license_context

    def as_issued_in_layout_2(lic, invoice):  # noqa: ANN001, ANN202
        context = old_context(lic, invoice)
        return {**context, "exclusions": [e["label"] for e in context["exclusions"]]}

    with monkeypatch.context() as m:
        m.setitem(licensing.core.documents.TEMPLATES, "license", "pdf/v2/license.html")
        m.setattr(license_services, "license_context", as_issued_in_layout_2)
        first = submit(app)
        approve(app, first.reference, staff)
    second = submit(app)
    approve(app, second.reference, staff)
    old, new = license_of(app, first.reference), license_of(app, second.reference)
    old_doc, new_doc = document_of(app, old.number), document_of(app, new.number)
    assert (old_doc.template, new_doc.template) == ("pdf/v2/license.html", "pdf/v4/license.html")
    assert (old_doc.status, new_doc.status) == ("ready", "ready")
    with pikepdf.open(io.BytesIO(old_doc.pdf)) as before, pikepdf.open(io.BytesIO(new_doc.pdf)) as after:
        assert "/AF" not in before.Root and before.open_metadata().get("pdfaid:part") is None
        assert "/AF" in after.Root and after.open_metadata().get("pdfaid:part") == "3"
    result = app.test_cli_runner().invoke(args=["documents", "verify"])
    assert result.exit_code == 0, result.output
    assert "Every issued document re-renders identically." in result.output
