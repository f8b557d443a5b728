"""Overdue reminders to the buyer at configured days after the due date (e.g. 3, 10, 30).

Each (invoice, day) is sent at most once: the reminder row and its e-mail commit together, and a
unique constraint refuses a second row, so running the daily command twice, or two hosts running
it at once, sends nothing twice. A run that was missed for a while sends only the latest reminder
that is due (one e-mail, not a burst of the ones skipped)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from invoices.billing.models import Invoice, InvoiceReminder
from invoices.billing.services import pay_url
from invoices.payments.services import log_event
from licensing.core.db import begin_write
from licensing.core.mail import queue_mail


@dataclass(frozen=True)
class Sent:
    number: str
    day: int
    to: str


def reminder_due(days_overdue: int, days: tuple[int, ...]) -> int | None:
    """The reminder day that applies `days_overdue` days after the due date (None: none yet)."""
    applicable = [d for d in days if d <= days_overdue]
    return max(applicable) if applicable else None


def send_overdue_reminders(session: Session, today: date, days: tuple[int, ...]) -> list[Sent]:

    if not days:
        return []
    latest_sent = (select(InvoiceReminder.invoice_id, func.max(InvoiceReminder.day).label("day"))
                   .group_by(InvoiceReminder.invoice_id).subquery())
    candidates = session.execute(
        select(Invoice.id, Invoice.due_date, latest_sent.c.day)
        .outerjoin(latest_sent, latest_sent.c.invoice_id == Invoice.id)
        .where(Invoice.status == "open", Invoice.due_date <= today - timedelta(days=min(days)))
        .order_by(Invoice.due_date, Invoice.id)).all()
    session.rollback()
    sent = []
    for invoice_id, due, last_day in candidates:
        overdue = (today - due).days
        day = reminder_due(overdue, days)
        if day is None or (last_day is not None and last_day >= day):
            continue
        begin_write(session)
        invoice = session.scalars(select(Invoice).where(Invoice.id == invoice_id).with_for_update()
                                  .execution_options(populate_existing=True)).one()
        if invoice.status != "open":  # paid or voided since the list was read
            session.rollback()
            continue
        session.add(InvoiceReminder(invoice_id=invoice.id, day=day, sent_to=invoice.buyer_email))
        try:
            session.flush()
        except IntegrityError:  # another run sent this one a moment ago
            session.rollback()
            continue
        queue_mail(session, invoice.buyer_email, f"Reminder: invoice {invoice.number} is {overdue} days overdue",
                   "invoice_overdue", tag=f"invoice:{invoice.number}:overdue:{day}", invoice=invoice,
                   days_overdue=overdue, pay_url=pay_url(invoice.number))
        log_event(session, invoice, "reminder_sent", f"Overdue reminder ({day} days after the due date) "
                  f"e-mailed to {invoice.buyer_email}.", data={"day": day, "days_overdue": overdue})
        session.commit()
        sent.append(Sent(invoice.number, day, invoice.buyer_email))
    return sent
