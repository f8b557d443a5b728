"""The invoice page and every finance action through the test client: what each does (the license
side included), and each refusal: no confirmation, missing or wrong input (what was typed is kept),
and a state that does not allow the action."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.documents_helpers import no_rendering
from tests.finance_helpers import (
    FakeGateway,
    approved,
    finance_client,
    invoice,
    license_by_invoice,
    refunds_of,
    set_invoice,
)
from tests.functional.conftest import parse
from tests.staff_fixtures import PUBLISHER_EMAIL, add_user, events_of, login, mails


@pytest.fixture
def desk(seeded, monkeypatch):
    """A license pending payment with its invoice (GBP 810.00), and a signed-in finance user."""
    no_rendering(monkeypatch)
    staff_id = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    lic = approved(seeded, staff_id)
    client = finance_client(seeded)
    return type("Desk", (), {"app": seeded, "client": client, "lic": lic, "number": lic.invoice_number,
                             "staff_id": staff_id})


def post(desk, action: str, prefix: str, **fields):  # noqa: ANN001, ANN003
    """POST an action form; after a success the redirect is followed (as a browser would, which
    also shows the flash) and that page is kept as `response.followed`."""
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    response = desk.client.post(f"/finance/invoices/{desk.number}/{action}", data=data)
    if response.status_code == 302:
        response.followed = desk.client.get(response.headers["Location"])
    return response


def flashes(html: bytes) -> list[str]:
    return [n.text for n in parse(html).find_all("div", cls="flash")]


def field_errors(html: bytes) -> dict[str, str]:
    return {n.attrs["id"].removesuffix("-error"): n.text for n in parse(html).find_all("p", cls="error")
            if n.attrs.get("id")}


def value_of(html: bytes, name: str) -> str:
    node = parse(html).find(name=name)
    assert node is not None, name
    if node.tag == "textarea":
        return node.text
    return node.attrs.get("value") or ""


def pay(desk, reference: str = "BACS-4471") -> None:  # noqa: ANN001
    response = post(desk, "mark-paid", "paid", reference=reference, paid_on=date.today().isoformat(), confirm="y")
    assert response.status_code == 302, flashes(response.data)


# ------------------------------------------------------------------------------------------ the page

def test_the_invoice_page_shows_the_document_lines_tax_and_the_open_actions(desk):
    page = desk.client.get(f"/finance/invoices/{desk.number}")
    assert page.status_code == 200
    tree = parse(page.data)
    assert tree.find("a", href=f"/staff/documents/{desk.number}.pdf") is not None
    lines = tree.find("table", cls="lines")
    assert "UK VAT 20%" in lines.text and "£675.00" in lines.text and "£135.00" in lines.text
    assert "£810.00" in lines.find("tfoot").text
    summaries = [s.text for s in tree.find_all("summary")]
    assert summaries == ["Send again", "Mark paid by bank transfer", "Void", "Mark uncollectible", "Add a note"]
    assert "Not possible while the invoice is open: Refund." in page.data.decode().replace("\n", " ")
    assert f"/verify/{desk.lic.license_number}" in page.data.decode()


def test_an_unknown_invoice_is_404(desk):
    assert desk.client.get("/finance/invoices/INV-2026-99999").status_code == 404
    assert desk.client.post("/finance/invoices/INV-2026-99999/void", data={"void-reason": "x",
                                                                           "void-confirm": "y"}).status_code == 404


# ------------------------------------------------------------------------------------- mark paid

def test_mark_paid_by_bank_transfer_records_the_payment_and_activates_the_license(desk):
    paid_on = date.today() - timedelta(days=0)
    response = post(desk, "mark-paid", "paid", reference="BACS-4471", paid_on=paid_on.isoformat(),
                    note="Seen on the statement.", confirm="y")
    assert response.status_code == 302
    assert "Marked paid by bank transfer" in " ".join(flashes(response.followed.data))

    inv = invoice(desk.app, desk.number)
    assert inv.status == "paid" and inv.paid_at.date() == paid_on
    [payment] = inv.payments
    assert (payment.method, payment.amount, payment.currency, payment.reference) == (
        "bank_transfer", 81000, "GBP", "BACS-4471")
    event = inv.events[-1]
    assert (event.kind, event.actor) == ("paid", "fay@desk.test")
    assert "BACS-4471" in event.message and "Seen on the statement." in event.message
    assert license_by_invoice(desk.app, desk.number).status == "active"
    [receipt] = mails(desk.app, to=PUBLISHER_EMAIL, tag_contains="receipt")
    assert desk.number in receipt.body_text
    assert "license_active" in [e.action for e in events_of(desk.app, desk.lic.reference)]


def test_mark_paid_cancels_the_card_payment_left_open(desk):
    fake = FakeGateway()
    fake.add("pi_open_1", "requires_payment_method", desk.lic.total, "GBP", desk.number)
    desk.app.extensions["stripe_gateway"] = fake
    set_invoice(desk.app, desk.number, payment_intent_id="pi_open_1")
    pay(desk)
    assert fake.cancelled == ["pi_open_1"]


@pytest.mark.parametrize("fields, field, message", [
    ({"reference": "", "paid_on": "today"}, "paid-reference", "The bank reference is required."),
    ({"reference": "BACS-1", "paid_on": "31/12/2026"}, "paid-paid_on", "Enter the date the money arrived as YYYY-MM-DD."),
    ({"reference": "BACS-1", "paid_on": "tomorrow"}, "paid-paid_on", "The date the money arrived cannot be in the future."),
    ({"reference": "BACS-1", "paid_on": "last-month"}, "paid-paid_on", "the payment cannot be earlier."),
], ids=["no-reference", "not-a-date", "future", "before-issue"])
def test_mark_paid_refuses_bad_input_and_keeps_what_was_typed(desk, fields, field, message):
    days = {"today": date.today(), "tomorrow": date.today() + timedelta(days=1),
            "last-month": date.today() - timedelta(days=31)}
    fields = {k: days[v].isoformat() if v in days else v for k, v in fields.items()}
    response = post(desk, "mark-paid", "paid", note="Keep me", confirm="y", **fields)
    assert response.status_code == 422
    assert message in field_errors(response.data)[field]
    assert value_of(response.data, "paid-note") == "Keep me"
    assert value_of(response.data, "paid-reference") == fields["reference"]
    assert value_of(response.data, "paid-paid_on") == fields["paid_on"]
    opened = [d.find("summary").text for d in parse(response.data).find_all("details", cls="action")
              if "open" in d.attrs]
    assert opened == ["Mark paid by bank transfer"]  # the form with the mistake is unfolded
    assert invoice(desk.app, desk.number).status == "open"


def test_every_action_needs_its_confirmation_box(desk):
    cases = [("send-again", "send", {"reason": "Lost it"}), ("mark-paid", "paid", {"reference": "B-1",
             "paid_on": date.today().isoformat()}), ("void", "void", {"reason": "Duplicate"}),
             ("uncollectible", "uncollectible", {"reason": "Gone bust"}), ("note", "note", {"note": "Called them"})]
    for action, prefix, fields in cases:
        response = post(desk, action, prefix, **fields)
        assert response.status_code == 422, action
        assert field_errors(response.data)[f"{prefix}-confirm"] == "Tick this box to confirm.", action
        for name, value in fields.items():
            assert value_of(response.data, f"{prefix}-{name}") == value, (action, name)
    inv = invoice(desk.app, desk.number)
    assert (inv.status, inv.events, inv.credit_notes) == ("open", [], [])
    assert mails(desk.app, tag_contains="again") == []


def test_mark_paid_is_refused_for_a_paid_or_void_invoice(desk):
    pay(desk)
    response = post(desk, "mark-paid", "paid", reference="BACS-2", paid_on=date.today().isoformat(), confirm="y")
    assert response.status_code == 409
    assert flashes(response.data) == [
        f"Not done: {desk.number} is paid: only an open or uncollectible invoice can be marked paid."]
    assert len(invoice(desk.app, desk.number).payments) == 1


# ------------------------------------------------------------------------------------------ void

def test_void_issues_a_credit_note_and_cancels_the_license(desk):
    response = post(desk, "void", "void", reason="Issued to the wrong company.", confirm="y")
    assert response.status_code == 302
    inv = invoice(desk.app, desk.number)
    assert inv.status == "void"
    [note] = inv.credit_notes
    assert (note.kind, note.total, note.currency, note.reason) == ("void", 81000, "GBP", "Issued to the wrong company.")
    assert (note.subtotal, note.tax_total) == (67500, 13500)
    event = inv.events[-1]
    assert (event.kind, event.actor) == ("voided", "fay@desk.test") and note.number in event.message
    assert license_by_invoice(desk.app, desk.number).status == "cancelled"
    assert "license_cancelled" in [e.action for e in events_of(desk.app, desk.lic.reference)]
    page = parse(desk.client.get(f"/finance/invoices/{desk.number}").data)
    assert page.find("a", href=f"/staff/documents/{note.number}.pdf") is not None
    assert [s.text for s in page.find_all("summary")] == ["Add a note"]


def test_void_is_refused_for_a_paid_invoice(desk):
    pay(desk)
    response = post(desk, "void", "void", reason="Changed our mind", confirm="y")
    assert response.status_code == 409
    assert flashes(response.data) == [f"Not done: {desk.number} is paid: only an unpaid (open or uncollectible) "
                                      "invoice can be voided; refund a paid one instead."]
    assert value_of(response.data, "void-reason") == "Changed our mind"
    inv = invoice(desk.app, desk.number)
    assert (inv.status, inv.credit_notes) == ("paid", [])
    assert license_by_invoice(desk.app, desk.number).status == "active"


def test_void_needs_a_reason(desk):
    response = post(desk, "void", "void", reason="   ", confirm="y")
    assert response.status_code == 422
    assert field_errors(response.data)["void-reason"] == "A reason is required."
    assert invoice(desk.app, desk.number).status == "open"


# ---------------------------------------------------------------------------------------- refund

def test_a_partial_then_a_full_refund_each_with_a_credit_note(desk):
    pay(desk)
    response = post(desk, "refund", "refund", kind="partial", amount="100.00", reason="Used in print only.",
                    confirm="y")
    assert response.status_code == 302
    inv = invoice(desk.app, desk.number)
    assert inv.refunded_amount == 10000 and inv.status == "paid"
    [note] = inv.credit_notes
    assert (note.kind, note.total) == ("refund", 10000)
    assert license_by_invoice(desk.app, desk.number).status == "active"  # a partial refund keeps it
    [row] = refunds_of(desk.app, desk.number)
    assert (row.method, row.status, row.created_by) == ("manual", "succeeded", "fay@desk.test")

    page = desk.client.get(f"/finance/invoices/{desk.number}")
    tree = parse(page.data)
    notes = tree.find("table", cls="credit-notes")
    assert note.number in notes.text and "£100.00" in notes.text and "Used in print only." in notes.text
    assert "Left to refund: £710.00" in tree.find("form", action=f"/finance/invoices/{desk.number}/refund").text

    response = post(desk, "refund", "refund", kind="full", amount="", reason="Article withdrawn.", confirm="y")
    assert response.status_code == 302
    inv = invoice(desk.app, desk.number)
    assert inv.refunded_amount == 81000
    assert [(n.kind, n.total) for n in inv.credit_notes] == [("refund", 10000), ("refund", 71000)]
    assert license_by_invoice(desk.app, desk.number).status == "revoked"
    assert [e.actor for e in inv.events if e.kind == "refunded"] == ["fay@desk.test"] * 2

    again = post(desk, "refund", "refund", kind="partial", amount="1", reason="More", confirm="y")
    assert again.status_code == 409
    assert flashes(again.data) == [f"Not done: {desk.number} is already refunded in full."]


@pytest.mark.parametrize("fields, field, message", [
    ({"kind": "partial", "amount": "810.01"}, "refund-amount", "At most £810.00 is left to refund."),
    ({"kind": "partial", "amount": "10.005"}, "refund-amount", "GBP amounts have at most 2 decimal places."),
    ({"kind": "partial", "amount": "-5"}, "refund-amount", "Enter an amount such as 350 or 350.00."),
    ({"kind": "partial", "amount": "0"}, "refund-amount", "The amount must be more than zero."),
    ({"kind": "full", "amount": "50"}, "refund-kind", "You typed an amount: choose “Part of it”, or clear the "
                                                      "amount for a full refund."),
    ({"kind": "partial", "amount": "50", "reason": ""}, "refund-reason", "A reason is required."),
], ids=["too-much", "three-decimals", "negative", "zero", "amount-with-full", "no-reason"])
def test_refund_refuses_bad_input_and_keeps_what_was_typed(desk, fields, field, message):
    pay(desk)
    fields = {"reason": "Goodwill", **fields}
    response = post(desk, "refund", "refund", confirm="y", **fields)
    assert response.status_code == 422
    assert field_errors(response.data)[field] == message
    assert value_of(response.data, "refund-amount") == fields["amount"]
    assert value_of(response.data, "refund-reason") == fields["reason"]
    inv = invoice(desk.app, desk.number)
    assert (inv.refunded_amount, inv.credit_notes) == (0, [])


def test_refund_is_refused_for_an_unpaid_invoice(desk):
    response = post(desk, "refund", "refund", kind="full", amount="", reason="Goodwill", confirm="y")
    assert response.status_code == 409
    assert flashes(response.data) == [f"Not done: {desk.number} is open: only a paid invoice can be refunded."]
    assert invoice(desk.app, desk.number).credit_notes == []


# --------------------------------------------------------------------------------- uncollectible

def test_mark_uncollectible_then_the_money_arrives_after_all(desk):
    response = post(desk, "uncollectible", "uncollectible", reason="No answer for 120 days.", confirm="y")
    assert response.status_code == 302
    inv = invoice(desk.app, desk.number)
    assert inv.status == "uncollectible"
    assert (inv.events[-1].kind, inv.events[-1].actor) == ("marked_uncollectible", "fay@desk.test")
    assert "No answer for 120 days." in inv.events[-1].message
    assert license_by_invoice(desk.app, desk.number).status == "pending_payment"

    again = post(desk, "uncollectible", "uncollectible", reason="Again", confirm="y")
    assert again.status_code == 409
    assert flashes(again.data) == [f"Not done: {desk.number} is uncollectible: only an open invoice can be marked "
                                   "uncollectible."]
    sent = post(desk, "send-again", "send", reason="Try once more", confirm="y")
    assert sent.status_code == 409

    pay(desk, "BACS-LATE")
    assert invoice(desk.app, desk.number).status == "paid"
    assert "was uncollectible" in invoice(desk.app, desk.number).events[-1].message
    assert license_by_invoice(desk.app, desk.number).status == "active"


def test_an_uncollectible_invoice_can_still_be_voided(desk):
    post(desk, "uncollectible", "uncollectible", reason="Gone", confirm="y")
    assert post(desk, "void", "void", reason="Written off for good", confirm="y").status_code == 302
    assert invoice(desk.app, desk.number).status == "void"
    assert license_by_invoice(desk.app, desk.number).status == "cancelled"


# ------------------------------------------------------------------------------- send again, note

def test_send_again_emails_the_invoice_with_its_pay_link(desk):
    response = post(desk, "send-again", "send", reason="They lost the first e-mail.", confirm="y")
    assert response.status_code == 302
    [message] = mails(desk.app, tag_contains=f"invoice:{desk.number}:again")
    assert message.to_address == PUBLISHER_EMAIL
    assert re.search(rf"/pay/{desk.number}/[0-9a-f]{{32}}\b", message.body_text)
    assert "£810.00" in message.body_text
    event = invoice(desk.app, desk.number).events[-1]
    assert (event.kind, event.actor) == ("sent_again", "fay@desk.test")
    assert "They lost the first e-mail." in event.message


def test_send_again_for_a_paid_invoice_has_no_pay_link(desk):
    pay(desk)
    post(desk, "send-again", "send", reason="For their records", confirm="y")
    [message] = mails(desk.app, tag_contains=f"invoice:{desk.number}:again")
    assert "/pay/" not in message.body_text and "nothing more is due" in message.body_text


def test_send_again_is_refused_for_a_void_invoice(desk):
    post(desk, "void", "void", reason="Duplicate", confirm="y")
    response = post(desk, "send-again", "send", reason="Please", confirm="y")
    assert response.status_code == 409
    assert flashes(response.data) == [f"Not done: {desk.number} is void: only an open or paid invoice can be sent "
                                      "again."]
    assert mails(desk.app, tag_contains="again") == []


def test_a_note_is_added_to_the_audit_trail_in_any_state(desk):
    post(desk, "void", "void", reason="Duplicate", confirm="y")
    response = post(desk, "note", "note", note="Customer agreed by phone.", confirm="y")
    assert response.status_code == 302
    event = invoice(desk.app, desk.number).events[-1]
    assert (event.kind, event.actor, event.message) == ("note", "fay@desk.test", "Customer agreed by phone.")
    trail = parse(desk.client.get(f"/finance/invoices/{desk.number}").data).find_all("ol", cls="timeline")[-1]
    assert "Customer agreed by phone." in trail.text and "by fay@desk.test" in trail.text


def test_an_empty_note_is_refused(desk):
    response = post(desk, "note", "note", note="  ", confirm="y")
    assert response.status_code == 422
    assert field_errors(response.data)["note-note"] == "The note is required."


# ----------------------------------------------------------------------------- timeline, CSRF, roles

def test_the_payment_timeline_shows_stripe_failures(desk):
    from sqlalchemy import select

    from invoices.billing.models import Invoice, InvoiceEvent
    from licensing.core.db import new_session

    with desk.app.app_context(), new_session() as s:
        inv = s.scalars(select(Invoice).where(Invoice.number == desk.number)).one()
        s.add(InvoiceEvent(invoice_id=inv.id, kind="payment_failed", message="Your card was declined.",
                           data={"payment_intent": "pi_1"}))
        s.commit()
    tree = parse(desk.client.get(f"/finance/invoices/{desk.number}").data)
    failed = tree.find("li", cls="failed")
    assert failed is not None and "Payment failed" in failed.text and "Your card was declined." in failed.text


def test_an_expired_form_keeps_what_was_typed(desk):
    desk.app.config["WTF_CSRF_ENABLED"] = True
    response = post(desk, "void", "void", reason="Typed before lunch", confirm="y")
    assert response.status_code == 400
    assert flashes(response.data) == ["The page had expired; your entries are below, send them again."]
    assert value_of(response.data, "void-reason") == "Typed before lunch"
    assert invoice(desk.app, desk.number).status == "open"


def test_staff_cannot_act_on_invoices_and_finance_cannot_approve(desk):
    staff = desk.app.test_client()
    login(staff, desk.staff_id)
    for action, prefix in (("mark-paid", "paid"), ("void", "void"), ("refund", "refund")):
        response = staff.post(f"/finance/invoices/{desk.number}/{action}", data={
            f"{prefix}-reason": "x", f"{prefix}-reference": "B", f"{prefix}-paid_on": date.today().isoformat(),
            f"{prefix}-kind": "full", f"{prefix}-confirm": "y"})
        assert response.status_code == 403, action
    assert invoice(desk.app, desk.number).status == "open"
    from tests.staff_fixtures import insert_requests, state

    pending = insert_requests(desk.app, [{}])[0]
    assert desk.client.post(f"/staff/requests/{pending.reference}/approve", data={}).status_code == 403
    assert state(desk.app, pending.reference).status == "submitted"


@pytest.mark.parametrize("typed, outcome", [
    ("12 50", ("refused", "Enter an amount such as 350 or 350.00.")),  # the same answer as the fee override
    (".5", ("refunded", 50)),
])
def test_the_refund_form_reads_amounts_as_the_fee_override_does(desk, typed, outcome):
    pay(desk)
    response = post(desk, "refund", "refund", kind="partial", amount=typed, reason="Goodwill", confirm="y")
    if outcome[0] == "refused":
        assert response.status_code == 422
        assert field_errors(response.data)["refund-amount"] == outcome[1]
        assert invoice(desk.app, desk.number).refunded_amount == 0
    else:
        assert response.status_code == 302
        assert invoice(desk.app, desk.number).refunded_amount == outcome[1]
