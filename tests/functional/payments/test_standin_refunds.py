"""Refunds through invoices.refunds.refund against the real stand-in: partial then full, gapless
credit notes with their PDFs, the license revoked by a full refund, the refund done at Stripe."""
from __future__ import annotations

import pytest

from invoices.billing.models import CreditNote, Refund
from invoices.payments import refunds
from licensing.core.db import get_session, utcnow
from licensing.core.models import Document
from licensing.licenses.models import License
from tests.documents_helpers import pdf_text
from tests.stripe_fixtures import invoice_row, issue_invoice, rows, timeline

FINANCE = "finance@desk.test"


def _refund(app, number: str, amount: int, reason: str) -> int:  # noqa: ANN001
    invoice_id = invoice_row(app, number).id
    with app.test_request_context("/"):
        return refunds.refund(get_session(), invoice_id, amount, reason, FINANCE).id


def _paid_invoice(app, client, staff):  # noqa: ANN001, ANN201
    issued = issue_invoice(app, staff)
    assert client.get(issued.pay_path).status_code == 200
    response = client.post(f"{issued.pay_path}/test-card", data={"card": "success"})
    assert client.get(response.location).status_code == 200
    assert invoice_row(app, issued.invoice_number).status == "paid"
    return issued


def _license_status(app, issued) -> str:  # noqa: ANN001
    [lic] = rows(app, License, number=issued.license_number)
    return lic.status


def test_a_partial_then_a_full_refund(seeded, client, staff, stripe_client):  # noqa: ANN001
    """PDFs are rendered for real here (after each commit, as in production)."""
    issued = _paid_invoice(seeded, client, staff)
    invoice = invoice_row(seeded, issued.invoice_number)
    year = utcnow().year

    first_id = _refund(seeded, issued.invoice_number, 30000, "Ran for two weeks only.")

    first = rows(seeded, Refund, id=first_id)[0]
    assert (first.amount, first.currency, first.method, first.status, first.attempts, first.created_by) == (
        30000, "GBP", "stripe", "succeeded", 1, FINANCE)
    at_stripe = stripe_client.v1.refunds.retrieve(first.stripe_refund_id)
    assert (at_stripe.amount, at_stripe.currency, at_stripe.status, at_stripe.payment_intent) == (
        30000, "gbp", "succeeded", invoice.payment_intent_id)
    after_first = invoice_row(seeded, issued.invoice_number)
    assert (after_first.status, after_first.refunded_amount) == ("paid", 30000)
    assert _license_status(seeded, issued) == "active"

    with pytest.raises(refunds.RefundRefused, match="At most 51000"):
        _refund(seeded, issued.invoice_number, 51001, "Too much.")
    second_id = _refund(seeded, issued.invoice_number, 51000, "Withdrawn: the article was taken down.")

    second = rows(seeded, Refund, id=second_id)[0]
    assert (second.amount, second.status) == (51000, "succeeded")
    assert stripe_client.v1.refunds.retrieve(second.stripe_refund_id).amount == 51000
    done = invoice_row(seeded, issued.invoice_number)
    assert done.refunded_amount == done.total == 81000
    assert _license_status(seeded, issued) == "revoked"

    notes = rows(seeded, CreditNote)
    assert [(n.number, n.invoice_id, n.kind, n.subtotal, n.tax_total, n.total) for n in notes] == [
        (f"CN-{year}-00001", invoice.id, "refund", 25000, 5000, 30000),
        (f"CN-{year}-00002", invoice.id, "refund", 42500, 8500, 51000)]
    assert [first.credit_note_id, second.credit_note_id] == [n.id for n in notes]
    for note, amount in zip(notes, ("£300.00", "£510.00"), strict=False):
        [document] = rows(seeded, Document, number=note.number)
        assert (document.kind, document.status) == ("credit_note", "ready")
        text = pdf_text(document.pdf)
        assert note.number in text and issued.invoice_number in text and issued.license_number in text
        assert amount in text and note.reason in text

    with pytest.raises(refunds.RefundRefused, match="At most 0"):
        _refund(seeded, issued.invoice_number, 1, "Once more.")
    assert len(rows(seeded, CreditNote)) == 2  # refused refunds take no number
    events = timeline(seeded, issued.invoice_number)
    assert [m for k, m in events if k == "refunded"] == [
        f"Partial refund of £300.00, credit note CN-{year}-00001: Ran for two weeks only.",
        f"Full refund of £510.00, credit note CN-{year}-00002: Withdrawn: the article was taken down."]
    assert [m for k, m in events if k == "refund_completed"] == [
        f"Stripe refund {first.stripe_refund_id} of £300.00.",  # bug 4: never "of 30000 GBP"
        f"Stripe refund {second.stripe_refund_id} of £510.00."]
    verify = client.get(f"/verify/{issued.license_number}").get_data(as_text=True)
    assert 'id="license-status">Revoked<' in verify


REFUSALS = [(0, "Why not.", "more than zero"), (-5, "Why not.", "more than zero"), (True, "Why not.", "more than zero"),
            (81001, "Why not.", "At most 81000"), (100, "  ", "Give a reason"), (100, "x" * 2001, "Give a reason")]


def test_a_refused_refund_changes_nothing_and_holds_no_lock(seeded, client, staff, quick_documents):  # noqa: ANN001
    issued = _paid_invoice(seeded, client, staff)
    invoice_id = invoice_row(seeded, issued.invoice_number).id
    for amount, reason, message in REFUSALS:
        with seeded.test_request_context("/"):
            session = get_session()
            with pytest.raises(refunds.RefundRefused, match=message):
                refunds.refund(session, invoice_id, amount, reason, FINANCE)
            assert not session.in_transaction(), amount  # a SQLite write lock would block every other writer
    assert rows(seeded, Refund) == [] and rows(seeded, CreditNote) == []
    assert invoice_row(seeded, issued.invoice_number).refunded_amount == 0


def test_an_unpaid_invoice_cannot_be_refunded(seeded, staff, quick_documents):  # noqa: ANN001
    issued = issue_invoice(seeded, staff)
    with pytest.raises(refunds.RefundRefused, match=f"{issued.invoice_number} is open"):
        _refund(seeded, issued.invoice_number, 100, "Nothing was paid.")
    assert rows(seeded, CreditNote) == []
