"""Services of the staff side: assign, approve (with an optional fee override), reject, ask for
information, internal notes, bulk decisions and expiry. Each public function owns its transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from licensing.core.db import begin_write, utcnow
from licensing.core.forms import FieldError, clean_text
from licensing.core.mail import queue_mail
from licensing.core.models import User
from licensing.core.money import format_money, to_minor
from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.intake.rules import workflow
from licensing.intake.services import apply_transition, tracking_url_of
from licensing.licenses.services import issue_for_request
from licensing.review.models import RejectionReason

MAX_TEXT = 5000


def _text(value: str | None, field: str, required: bool, what: str) -> str:
    return clean_text(value, field, what, MAX_TEXT, required)


def _fee(text: str, currency: str) -> int:
    try:
        return to_minor(text, currency)
    except ValueError as exc:
        raise FieldError("fee_override", str(exc)) from None


def _load(session: Session, reference: str) -> RepublishRequest:
    found = session.scalars(select(RepublishRequest).where(RepublishRequest.reference == reference)).first()
    if found is None:
        raise LookupError(reference)
    return found


def _notify(session: Session, request: RepublishRequest, template: str, subject: str, **context) -> None:
    queue_mail(session, request.email, subject, template, tag=f"request:{request.reference}:{template}",
               request=request, article=request.article, tracking_url=tracking_url_of(request), **context)


@dataclass
class Approval:
    fee: int
    currency: str
    overridden: bool


def approve(session: Session, reference: str, user: User, fee_override: str | int | None = None,
            override_reason: str = "", extra_terms: str = "", credit_line: str = "") -> Approval:
    begin_write(session)
    request = _load(session, reference)
    fee, overridden = request.quote_amount, False
    if fee_override not in (None, ""):
        fee = fee_override if isinstance(fee_override, int) and not isinstance(fee_override, bool) \
            else _fee(str(fee_override), request.currency)
        if fee < 0:
            raise FieldError("fee_override", "The fee cannot be negative.")
        overridden = fee != request.quote_amount
        if overridden:
            override_reason = _text(override_reason, "override_reason", True, "A reason for the new fee")
    extra_terms = _text(extra_terms, "extra_terms", False, "Extra terms")
    credit_line = " ".join(_text(credit_line, "credit_line", False, "The credit line").split())
    if len(credit_line) > 500:  # License.credit_line
        raise FieldError("credit_line", "The credit line is too long: at most 500 characters.")
    # The override reason stays with staff (request page, audit data); the publisher sees the fee.
    quoted = f" (quoted {format_money(request.quote_amount, request.currency)})" if overridden else ""
    message = f"Approved at {format_money(fee, request.currency)}{quoted}."
    apply_transition(
        session, request, "approve", workflow.STAFF, message, user.id,
        changes={"approved_fee": fee, "fee_override_reason": override_reason if overridden else "",
                 "extra_terms": extra_terms},
        data={"fee": {"quoted": request.quote_amount, "approved": fee},
              "override_reason": override_reason if overridden else None, "extra_terms": extra_terms or None},
    )
    license_ = issue_for_request(session, request, credit_line)
    _notify(session, request, "request_approved", f"Your republishing request {reference} is approved",
            fee=fee, extra_terms=extra_terms, license=license_)
    session.commit()
    return Approval(fee, request.currency, overridden)


def reject(session: Session, reference: str, user: User, reason: str, template_id: int | None = None) -> None:
    begin_write(session)
    request = _load(session, reference)
    text = (reason or "").strip()
    if template_id:
        template = session.get(RejectionReason, template_id)
        if template is None or not template.active:
            raise FieldError("reason_template", "Choose one of the listed reasons.")
        text = f"{template.body}\n\n{text}".strip() if text else template.body
    text = _text(text, "reason", True, "A reason")
    apply_transition(session, request, "reject", workflow.STAFF, text, user.id,
                     changes={"decision_reason": text})
    _notify(session, request, "request_rejected", f"Your republishing request {reference}", reason=text)
    session.commit()


def request_info(session: Session, reference: str, user: User, message: str) -> None:
    begin_write(session)
    request = _load(session, reference)
    message = _text(message, "message", True, "A message to the publisher")
    apply_transition(session, request, "request_info", workflow.STAFF, message, user.id,
                     changes={"info_requested_at": utcnow()})
    _notify(session, request, "request_needs_info", f"We need more information about {reference}",
            message=message, deadline_days=current_app.config["SETTINGS"].needs_info_expiry_days)
    session.commit()


def assign(session: Session, reference: str, user: User, assignee: User | None) -> None:
    begin_write(session)
    request = _load(session, reference)
    if assignee is not None and not assignee.active:
        raise FieldError("assignee", "That account is deactivated.")
    before = request.assigned_to.name if request.assigned_to else None
    request.assigned_to_id = assignee.id if assignee else None
    if request.status == workflow.SUBMITTED:
        apply_transition(session, request, "start_review", workflow.STAFF, "", user.id)
    session.add(RequestEvent(
        request_id=request.id, actor_kind=workflow.STAFF, actor_user_id=user.id, action="assign",
        message=f"Assigned to {assignee.name}." if assignee else "Unassigned.", public=False,
        data={"assigned_to": {"before": before, "after": assignee.name if assignee else None}},
    ))
    session.commit()


def add_note(session: Session, reference: str, user: User, note: str) -> None:
    begin_write(session)
    request = _load(session, reference)
    note = _text(note, "note", True, "The note")
    session.add(RequestEvent(request_id=request.id, actor_kind=workflow.STAFF, actor_user_id=user.id,
                             action="note", message=note, public=False))
    session.commit()


@dataclass
class RowResult:
    reference: str
    ok: bool
    message: str


def bulk_decide(session: Session, references: list[str], user: User, action: str, reason: str = "",
                template_id: int | None = None) -> list[RowResult]:
    """Approve (at the quoted fee) or reject each request on its own; one failure stops no other."""
    results = []
    for reference in dict.fromkeys(references):
        try:
            if action == "approve":
                approval = approve(session, reference, user)
                results.append(RowResult(reference, True,
                                         f"Approved at {format_money(approval.fee, approval.currency)}."))
            elif action == "reject":
                reject(session, reference, user, reason, template_id)
                results.append(RowResult(reference, True, "Rejected."))
            else:
                raise FieldError("action", "Choose approve or reject.")
        except (workflow.TransitionRefused, FieldError) as exc:
            session.rollback()
            results.append(RowResult(reference, False, exc.message))
        except LookupError:
            session.rollback()
            results.append(RowResult(reference, False, "No such request."))
    return results


def expire_unanswered(session: Session, now: datetime | None = None) -> list[str]:
    """Expire requests whose information request has gone unanswered past the deadline."""
    now = now or utcnow()
    days = current_app.config["SETTINGS"].needs_info_expiry_days
    cutoff = now - timedelta(days=days)
    references = session.scalars(
        select(RepublishRequest.reference).where(RepublishRequest.status == workflow.NEEDS_INFO,
                                                 RepublishRequest.info_requested_at < cutoff)
    ).all()
    expired = []
    for reference in references:
        begin_write(session)
        request = _load(session, reference)
        try:
            apply_transition(session, request, "expire", workflow.SYSTEM,
                             f"Expired: the request for information went unanswered for {days} days.")
        except workflow.TransitionRefused:
            session.rollback()  # answered in the meantime
            continue
        _notify(session, request, "request_expired", f"Your republishing request {reference} has expired",
                days=days)
        session.commit()
        expired.append(reference)
    return expired
