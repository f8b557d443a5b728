"""Helpers of the finance tests: invoices issued through the real service (with chosen dates,
currencies and customers), approved licenses with their invoice, a signed-in finance user, rows
read back detached, and a Stripe gateway double for the reconciliation page."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from tests.staff_fixtures import add_user, login

SELLER_COUNTRY = "GB"


def issue(app, issue_date: date, amount: int = 10_000, currency: str = "USD", buyer: str = "Leeds Evening Post Ltd",  # noqa: ANN001
          email: str = "accounts@leeds-post.example", country: str = "US", vat_id: str = "", terms: int = 14,
          reference: str = "LIC-2026-99999") -> str:
    """Issue an invoice through invoices.service.issue_invoice; returns its number. A buyer outside
    the UK pays no UK VAT, so the total is `amount` (pass country="GB" for 20% VAT)."""
    from invoices.billing.services import Buyer, LineInput, Seller, issue_invoice
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        invoice = issue_invoice(
            s, reference=reference,
            seller=Seller("Middle East Eye Ltd", "1 Example Street, London", SELLER_COUNTRY, "GB123456789",
                          "Sort code 00-00-00", company_number="01234567"),
            buyer=Buyer(buyer, "Jo Bloggs", email, "1 Press Row", country, vat_id),
            lines=[LineInput("Republishing license", amount)], currency=currency, issue_date=issue_date,
            payment_terms_days=terms)
        s.commit()
        return invoice.number


def issue_many(app, specs: list[dict]) -> list[str]:  # noqa: ANN001
    """Many invoices in one transaction (each spec: issue()'s keyword arguments, plus optional
    `status` and `refunded_amount` applied after issue); returns their numbers in order."""
    from sqlalchemy import update

    from invoices.billing.models import Invoice
    from invoices.billing.services import Buyer, LineInput, Seller, issue_invoice
    from licensing.core.db import new_session

    numbers = []
    with app.app_context(), new_session() as s:
        seller = Seller("Middle East Eye Ltd", "1 Example Street, London", SELLER_COUNTRY, "GB123456789", "Sort code",
                        company_number="01234567")
        for spec in specs:
            spec = dict(spec)
            after = {k: spec.pop(k) for k in ("status", "refunded_amount") if k in spec}
            buyer = Buyer(spec.get("buyer", "Leeds Evening Post Ltd"), "Jo Bloggs",
                          spec.get("email", "accounts@leeds-post.example"), "1 Press Row", spec.get("country", "US"),
                          spec.get("vat_id", ""))
            inv = issue_invoice(s, reference=spec.get("reference", "LIC-2026-99999"), seller=seller, buyer=buyer,
                                lines=[LineInput("Republishing license", spec["amount"])], currency=spec["currency"],
                                issue_date=spec["issue_date"], payment_terms_days=spec.get("terms", 14))
            if after:
                s.execute(update(Invoice).where(Invoice.id == inv.id).values(**after))
            numbers.append(inv.number)
        s.commit()
    return numbers


def set_invoice(app, number: str, **values) -> None:  # noqa: ANN001, ANN003
    """Move an invoice's mutable fields directly (status, refunded_amount, payment_intent_id...)."""
    from sqlalchemy import update

    from invoices.billing.models import Invoice
    from licensing.core.db import new_session

    assert set(values) <= Invoice.MUTABLE, set(values) - Invoice.MUTABLE
    with app.app_context(), new_session() as s:
        s.execute(update(Invoice).where(Invoice.number == number).values(**values))
        s.commit()


def invoice(app, number: str):  # noqa: ANN001, ANN201
    """The invoice with its events, payments and credit notes loaded (detached)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from invoices.billing.models import Invoice
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        return s.scalars(select(Invoice).where(Invoice.number == number).options(
            selectinload(Invoice.events), selectinload(Invoice.payments), selectinload(Invoice.credit_notes),
            selectinload(Invoice.lines))).one()


def license_by_invoice(app, number: str):  # noqa: ANN001, ANN201
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.licenses.models import License

    with app.app_context(), new_session() as s:
        return s.scalars(select(License).where(License.invoice_number == number)).one()


def refunds_of(app, number: str) -> list:  # noqa: ANN001
    from sqlalchemy import select

    from invoices.billing.models import Invoice, Refund
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        return list(s.scalars(select(Refund).join(Invoice, Refund.invoice_id == Invoice.id)
                              .where(Invoice.number == number).order_by(Refund.id)))


@dataclass
class Licensed:
    reference: str
    license_number: str
    invoice_number: str
    total: int


def approved(app, staff_id: int, **overrides) -> Licensed:  # noqa: ANN001, ANN003
    """A request submitted and approved through the real services: a license pending payment and
    its invoice (GBP 675.00 + UK VAT = 810.00 for the default request)."""
    from tests.documents_helpers import approve
    from tests.staff_fixtures import submit

    made = submit(app, **overrides)
    approve(app, made.reference, staff_id)
    from tests.documents_helpers import license_of

    lic = license_of(app, made.reference)
    return Licensed(made.reference, lic.number, lic.invoice_number, invoice(app, lic.invoice_number).total)


def finance_client(app, email: str = "fay@desk.test", name: str = "Fay Finance"):  # noqa: ANN001, ANN201
    uid = add_user(app, email, name, ["finance"])
    client = app.test_client()
    login(client, uid)
    return client


def read_csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# -------------------------------------------------------------------- a Stripe double (reconciliation)

@dataclass
class FakeGateway:
    """The few StripeGateway calls the finance pages make: retrieve_intent, list_intents, cancel_intent."""

    intents: dict = field(default_factory=dict)  # id -> invoices.stripe_gateway.Intent
    down: bool = False
    cancelled: list = field(default_factory=list)
    is_standin: bool = False
    publishable_key: str = "pk_test_fake"

    def _check(self) -> None:
        if self.down:
            from invoices.payments.gateway import Unavailable

            raise Unavailable("connection refused")

    def retrieve_intent(self, intent_id: str):  # noqa: ANN201
        self._check()
        return self.intents.get(intent_id)

    def list_intents(self, limit: int = 100) -> list:
        self._check()
        return list(self.intents.values())[-limit:]

    def cancel_intent(self, intent_id: str) -> None:
        self.cancelled.append(intent_id)
        if intent_id in self.intents and self.intents[intent_id].status != "succeeded":  # as Stripe: too late
            self.intents[intent_id] = replace(self.intents[intent_id], status="canceled")

    def add(self, intent_id: str, status: str, amount: int, currency: str, invoice_number: str = "") -> None:
        from invoices.payments.gateway import Intent

        self.intents[intent_id] = Intent(intent_id, status, amount, currency, f"{intent_id}_secret", "cus_1",
                                         {"invoice_number": invoice_number} if invoice_number else {},
                                         f"ch_{intent_id}" if status == "succeeded" else None, None)


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())
