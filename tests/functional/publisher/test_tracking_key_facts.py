"""The tracking page's key facts, first on the page (on a phone too, where nothing sits beside
them): the status, what happens next, the amount due with VAT, the pay button when the invoice can
be paid, the documents, and any extra terms staff added on approval."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.documents_helpers import approve, license_of, no_rendering
from tests.functional.conftest import parse
from tests.staff_fixtures import add_user, login, submit

SUBMITTED_NEXT = ("We have your request. Our licensing team will review it and e-mail you when they decide, or if "
                  "they need to know more.")


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "reviewer@desk.test", "Rae Reviewer", ["staff"])


def _page(client, token: str):  # noqa: ANN001, ANN202
    response = client.get(f"/track/{token}")
    assert response.status_code == 200
    return parse(response.data)


def _facts(doc) -> dict[str, str]:  # noqa: ANN001
    section = doc.by_id("key-facts")
    return dict(zip([dt.text for dt in section.find_all("dt")], [dd.text for dd in section.find_all("dd")],
                    strict=True))


def _order(doc) -> list[str]:  # noqa: ANN001
    """The main sections of the page, in the order a phone shows them (one column, source order)."""
    wanted = {"key-facts", "answer-h", "request-details", "license-panel", "quote-h", "timeline-h"}
    return [n.attrs["id"] for n in doc.find("main").iter() if n.attrs.get("id") in wanted]


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_a_new_request_starts_with_its_status_what_comes_next_and_its_price(seeded, client):
    made = submit(seeded)

    doc = _page(client, made.token)

    assert _order(doc) == ["key-facts", "request-details", "quote-h", "timeline-h"]
    assert doc.by_id("key-facts").find("h2").text == "At a glance"
    assert _facts(doc) == {
        "Status": "Submitted",
        "What happens next": SUBMITTED_NEXT,
        "Amount due": "Nothing yet: the quoted price is £675.00 before VAT.",
    }
    assert doc.find("a", cls="button") is None  # nothing to pay


def test_a_question_comes_right_after_the_key_facts(seeded, client, staff):
    made = submit(seeded)
    staff_client = seeded.test_client()
    login(staff_client, staff)
    assert staff_client.post(f"/staff/requests/{made.reference}/request-info",
                             data={"message": "Which page?"}).status_code == 302

    doc = _page(client, made.token)

    assert _order(doc) == ["key-facts", "answer-h", "request-details", "quote-h", "timeline-h"]
    assert _facts(doc)["What happens next"] == (
        "Answer our question below. Your request goes back into review as soon as you do.")


def test_an_approved_request_shows_the_amount_due_with_vat_the_pay_button_the_documents_and_extra_terms(
        seeded, client, staff, monkeypatch):
    from invoices.billing.services import payment_token

    no_rendering(monkeypatch)
    made = submit(seeded)
    approve(seeded, made.reference, staff, fee_override="950", override_reason="Partner.",
            extra_terms="Credit the photographer by name.\nNo use behind a paywall.")
    lic = license_of(seeded, made.reference)
    due = date.today() + timedelta(days=14)

    doc = _page(client, made.token)

    assert _order(doc) == ["key-facts", "request-details", "license-panel", "quote-h", "timeline-h"]
    assert _facts(doc) == {
        "Status": "Approved · licence pending payment",
        "What happens next": "Pay the invoice. Your licence takes effect as soon as we receive the payment.",
        "Amount due": f"£1,140.00 including UK VAT (£950.00 + £190.00 UK VAT), by {_long_date(due)}",
        "Documents": f"Licence agreement {lic.number}: being prepared… Invoice {lic.invoice_number}: being prepared…",
        "Extra terms, added on approval": "Credit the photographer by name. No use behind a paywall.",
    }
    [pay] = doc.find_all("a", cls="button")
    assert pay.text == f"Pay invoice {lic.invoice_number}"
    assert pay.attrs["href"] == \
        f"http://desk.test/pay/{lic.invoice_number}/{payment_token(seeded.config['SECRET_KEY'], lic.invoice_number)}"
    assert pay.parent.parent.attrs["id"] == "key-facts"
    # the button right after the amount it pays, before the documents
    assert [n.tag for n in pay.parent.parent.children if not isinstance(n, str)] == [
        "h2", "dl", "p", "dl"]
    extra = doc.by_id("extra-terms")
    assert extra.children == ["Credit the photographer by name.\nNo use behind a paywall."]
    assert extra.attrs["class"] == "pre"  # the lines staff wrote stay lines


def test_a_paid_invoice_is_said_paid_and_offers_no_pay_button(seeded, client, staff, monkeypatch):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    no_rendering(monkeypatch)
    made = submit(seeded)
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    with seeded.test_request_context("/"):
        finance.mark_paid(get_session(), lic.invoice_number, "fay@desk.test", "BACS-4471", date.today().isoformat())

    doc = _page(client, made.token)

    facts = _facts(doc)
    assert facts["Status"] == "Approved · licence active"
    assert facts["What happens next"].startswith("Your licence is active: get the republication package below")
    assert facts["Amount due"] == f"Nothing: you paid £810.00 including UK VAT on {_long_date(date.today())}."
    assert "Extra terms, added on approval" not in facts
    assert not [a for a in doc.find_all("a") if a.text.startswith("Pay invoice")]


def test_a_withdrawn_request_owes_nothing(seeded, client):
    made = submit(seeded)
    assert client.post(f"/track/{made.token}/withdraw", data={"reason": "Plans changed."}).status_code == 302

    facts = _facts(_page(client, made.token))

    assert facts == {"Status": "Withdrawn", "What happens next": "Nothing more to do: you withdrew this request.",
                     "Amount due": "Nothing."}


@pytest.mark.parametrize(("action", "status", "amount_due", "next_words"), [
    ("void", "Approved · licence cancelled", "Nothing: the invoice was voided.",
     "Your licence was cancelled and its invoice voided: nothing is due. You are welcome to send a new request."),
    ("mark_uncollectible", "Approved · licence pending payment", None,
     "Your invoice is with our finance team and can no longer be paid online: please contact us to settle it. "
     "Your licence takes effect once it is paid."),
])
def test_an_invoice_finance_closed_is_never_offered_for_payment(seeded, client, staff, monkeypatch, action, status,
                                                                amount_due, next_words):
    from invoices.finance import services as finance
    from licensing.core.db import get_session

    no_rendering(monkeypatch)
    made = submit(seeded)
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    with seeded.test_request_context("/"):
        getattr(finance, action)(get_session(), lic.invoice_number, "fay@desk.test", "Sent twice.")

    doc = _page(client, made.token)

    facts = _facts(doc)
    assert (facts["Status"], facts["What happens next"]) == (status, next_words)
    due = date.today() + timedelta(days=14)
    assert facts["Amount due"] == (amount_due or
                                   f"£810.00 including UK VAT (£675.00 + £135.00 UK VAT), by {_long_date(due)}")
    assert not [a for a in doc.find_all("a") if a.text.startswith("Pay invoice")]
