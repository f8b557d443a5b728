"""The finance workspace: the invoice list, the invoice page and its actions, and the CSV exports.
Views are thin: parse, call one service function, render or redirect. Finance role only."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from invoices.billing.models import Invoice, Refund
from invoices.finance import queries as finance_list
from invoices.finance import services as finance
from invoices.finance.exports import (
    Period,
    credit_notes_csv,
    credit_notes_query,
    invoices_csv,
    invoices_query,
    payments_csv,
    payments_query,
)
from invoices.finance.forms import ACTION_FORMS, action_form
from invoices.finance.queries import ATTENTION, SORT_LABELS, TAB_LABELS, TABS, InvoiceFilters
from licensing.core import documents as issued_documents  # shared infrastructure: issued PDFs
from licensing.core.auth import role_required
from licensing.core.clock import today
from licensing.core.db import get_session
from licensing.core.forms import form_action
from licensing.core.security import csrf_checked_by_the_views
from licensing.core.streaming import check_size, csv_download

bp = Blueprint("finance", __name__, url_prefix="/finance")
PAYMENT_KINDS = {"payment_started", "payment_failed", "paid", "flagged", "flag_cleared", "refunded", "refund_completed",
                 "reminder_sent"}
# The action views check the token themselves: an expired page comes back with what was typed.
csrf_checked_by_the_views(bp, __name__, ("send_again", "mark_paid", "void", "refund", "uncollectible", "note"))


@bp.get("/")
@role_required("finance")
def home():
    return redirect(url_for("finance.invoices"))


@bp.get("/invoices")
@role_required("finance")
def invoices():
    filters = InvoiceFilters.from_args(request.args)
    page = finance_list.invoice_page(get_session(), filters, today())
    return render_template("finance/invoices.html", page=page, filters=filters, tabs=TABS, tab_labels=TAB_LABELS,
                           sorts=SORT_LABELS, attention=ATTENTION, today=today()), 400 if filters.errors else 200


def _csv(produce, stmt, filename: str) -> Response:
    """Bounded (EXPORT_MAX_ROWS), and streamed from a session of its own (core.streaming); `?for=excel`
    adds the byte-order mark Excel needs."""
    check_size(stmt)
    return csv_download(lambda session: produce(session, stmt), filename)


@bp.get("/invoices.csv")
@role_required("finance")
def invoices_csv_export():
    filters = InvoiceFilters.from_args(request.args)
    if filters.errors:
        return invoices()
    return _csv(invoices_csv, invoices_query(get_session(), filters, today()),
                f"invoices-{filters.tab}-{today().isoformat()}.csv")


def _period_name(period: Period) -> str:
    return "-".join(p for p in (period.date_from, period.date_to, period.currency) if p) or "all"


@bp.get("/exports")
@role_required("finance")
def exports():
    return render_template("finance/exports.html", payments=Period(), credit_notes=Period())


@bp.get("/payments.csv")
@role_required("finance")
def payments_csv_export():
    period = Period.from_args(request.args)
    if period.errors:
        return render_template("finance/exports.html", payments=period, credit_notes=Period()), 400
    return _csv(payments_csv, payments_query(period), f"payments-{_period_name(period)}.csv")


@bp.get("/credit-notes.csv")
@role_required("finance")
def credit_notes_csv_export():
    period = Period.from_args(request.args)
    if period.errors:
        return render_template("finance/exports.html", payments=Period(), credit_notes=period), 400
    return _csv(credit_notes_csv, credit_notes_query(period), f"credit-notes-{_period_name(period)}.csv")


# ------------------------------------------------------------------------------------ the invoice page

def _load(number: str) -> Invoice:
    found = get_session().scalars(
        select(Invoice).where(Invoice.number == number.upper())
        .options(selectinload(Invoice.lines), selectinload(Invoice.events), selectinload(Invoice.payments),
                 selectinload(Invoice.credit_notes))
        .execution_options(populate_existing=True)).first()
    if found is None:
        abort(404)
    return found


def _render(invoice: Invoice, status: int = 200, submitted: dict | None = None):
    session = get_session()
    refunds = {r.credit_note_id: r for r in session.scalars(select(Refund).where(Refund.invoice_id == invoice.id))}
    documents = {}  # number -> status of its PDF (the invoice and its few credit notes)
    for number in [invoice.number] + [n.number for n in invoice.credit_notes]:
        found = issued_documents.find_document(session, number)
        documents[number] = found.status if found else "missing"
    forms = {action: (submitted or {}).get(action) or action_form(action, formdata=None) for action in ACTION_FORMS}
    if not forms["mark_paid"].paid_on.data:
        forms["mark_paid"].paid_on.data = today().isoformat()
    payment_events = [e for e in invoice.events if e.kind in PAYMENT_KINDS]
    return render_template(
        "finance/invoice.html", invoice=invoice, forms=forms, allowed=finance.allowed_actions(invoice),
        refunds=refunds, documents=documents, payment_events=payment_events, today=today(),
        refundable=invoice.total - invoice.refunded_amount, open_form=next(iter(submitted or {}), None),
    ), status


@bp.get("/invoices/<invoice_number>")
@role_required("finance")
def invoice_page(invoice_number: str):
    return _render(_load(invoice_number))


def _act(number: str, action: str, call, success: str):
    invoice = _load(number)
    form = action_form(action)
    if form.validate() and not form.confirm.data:
        form.confirm.errors = ["Tick this box to confirm."]
        return _render(invoice, 422, {action: form})
    return form_action(form, lambda: call(get_session(), invoice.number, current_user.email, form),
                       lambda status: _render(_load(number), status, {action: form}),
                       url_for("finance.invoice_page", invoice_number=invoice.number), success,
                       finance.ActionRefused, lambda exc: f"Not done: {exc.message}")


@bp.post("/invoices/<invoice_number>/send-again")
@role_required("finance")
def send_again(invoice_number: str):
    return _act(invoice_number, "send_again", lambda s, n, who, f: finance.send_again(s, n, who, f.reason.data),
                "The invoice has been e-mailed to the customer again.")


@bp.post("/invoices/<invoice_number>/mark-paid")
@role_required("finance")
def mark_paid(invoice_number: str):
    return _act(invoice_number, "mark_paid", lambda s, n, who, f: finance.mark_paid(
        s, n, who, f.reference.data, f.paid_on.data, f.note.data),
        "Marked paid by bank transfer. The licence is active and the licensee has been e-mailed a receipt.")


@bp.post("/invoices/<invoice_number>/void")
@role_required("finance")
def void(invoice_number: str):
    return _act(invoice_number, "void", lambda s, n, who, f: finance.void(s, n, who, f.reason.data),
                "Voided. A credit note has been issued and the licence is cancelled.")


@bp.post("/invoices/<invoice_number>/refund")
@role_required("finance")
def refund(invoice_number: str):
    return _act(invoice_number, "refund", lambda s, n, who, f: finance.refund(
        s, n, who, f.kind.data, f.amount.data, f.reason.data),
        "Refund recorded with its credit note.")


@bp.post("/invoices/<invoice_number>/uncollectible")
@role_required("finance")
def uncollectible(invoice_number: str):
    return _act(invoice_number, "uncollectible",
                lambda s, n, who, f: finance.mark_uncollectible(s, n, who, f.reason.data),
                "Marked uncollectible.")


@bp.post("/invoices/<invoice_number>/clear-flag")
@role_required("finance")
def clear_flag(invoice_number: str):
    return _act(invoice_number, "clear_flag", lambda s, n, who, f: finance.clear_flag(s, n, who, f.finding.data),
                "Checked: the flag is off, and what you found is in the audit trail.")


@bp.post("/invoices/<invoice_number>/note")
@role_required("finance")
def note(invoice_number: str):
    return _act(invoice_number, "note", lambda s, n, who, f: finance.add_note(s, n, who, f.note.data), "Note added.")
