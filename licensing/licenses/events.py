"""Licensing's answers to billing's signals: a paid invoice activates its license (and the
licensee gets a receipt), a full refund revokes it, a void cancels it. Each runs inside the
billing transaction that caused it, so both sides commit together."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote
from invoices.billing.signals import invoice_paid, invoice_refunded, invoice_voided
from licensing.core.db import utcnow
from licensing.core.mail import queue_mail
from licensing.intake.models import RequestEvent
from licensing.intake.rules import workflow
from licensing.intake.services import derive_tracking_token, tracking_url_of
from licensing.licenses.models import License

STATUS_MESSAGES = {
    "active": "Payment received: licence {number} is active.",
    "revoked": "Licence {number} is revoked after a full refund.",
    "cancelled": "Licence {number} is cancelled: its invoice was voided.",
}


def _license_of(session: Session, invoice) -> License | None:
    return session.scalars(select(License).where(License.invoice_number == invoice.number)).first()


def _move(session: Session, lic: License, status: str, allowed_from: tuple[str, ...]) -> bool:
    if lic.status not in allowed_from:
        return False
    now = utcnow()
    lic.status, lic.status_changed_at = status, now
    if status == "active":
        lic.activated_at = now
    session.add(RequestEvent(request_id=lic.request_id, actor_kind=workflow.SYSTEM, action=f"license_{status}",
                             message=STATUS_MESSAGES[status].format(number=lic.number), public=True,
                             data={"license": lic.number}))
    return True


@invoice_paid.connect
def activate(_sender, session: Session, invoice, **_kw) -> None:
    lic = _license_of(session, invoice)
    if lic is None or not _move(session, lic, "active", ("pending_payment",)):
        return
    queue_mail(session, lic.licensee_email, f"Receipt for invoice {invoice.number}: licence {lic.number} is active",
               "payment_receipt", tag=f"receipt:{invoice.number}", license=lic, invoice=invoice,
               tracking_url=tracking_url_of(lic.request),
               verify_url=f"{current_app.config['SETTINGS'].public_base_url.rstrip('/')}/verify/{lic.number}")


@invoice_refunded.connect
def revoke(_sender, session: Session, invoice, full: bool, refund=None, **_kw) -> None:
    """Money moving back is told to the licensee: the credit note's link after every refund, and
    plainly that the license is revoked after a full one."""
    lic = _license_of(session, invoice)
    if lic is None:
        return
    revoked = full and _move(session, lic, "revoked", ("active", "pending_payment", "expired"))
    if refund is None:
        return
    note = session.get(CreditNote, refund.credit_note_id)
    token = derive_tracking_token(lic.request.reference, lic.request.tracking_nonce)
    base = current_app.config["SETTINGS"].public_base_url.rstrip("/")
    context = {"license": lic, "invoice": invoice, "note": note, "full": full, "tracking_url": tracking_url_of(lic.request),
               "credit_note_url": f"{base}/track/{token}/documents/{note.number}.pdf",
               "verify_url": f"{base}/verify/{lic.number}"}
    queue_mail(session, lic.licensee_email, f"Refund on invoice {invoice.number}: credit note {note.number}",
               "credit_note_issued", tag=f"credit_note:{note.number}", **context)
    if revoked:
        queue_mail(session, lic.licensee_email, f"Licence {lic.number} is revoked after a full refund",
                   "license_revoked", tag=f"revoked:{lic.number}", **context)


@invoice_voided.connect
def cancel(_sender, session: Session, invoice, **_kw) -> None:
    lic = _license_of(session, invoice)
    if lic is not None:
        _move(session, lic, "cancelled", ("pending_payment",))
