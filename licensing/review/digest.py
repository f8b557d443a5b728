"""Staff notifications: the daily digest of overdue requests."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from licensing.core.db import begin_write, utcnow
from licensing.core.mail import queue_mail
from licensing.core.models import OutboxMessage, User
from licensing.core.security import external_url
from licensing.intake.models import RepublishRequest
from licensing.intake.rules import workflow
from licensing.review.rules import subtract_working_days


def send_overdue_digest(session: Session, limit: int = 200) -> tuple[int, int]:
    """Queue one digest per active staff member listing open requests past the service target."""

    target = current_app.config["SETTINGS"].review_target_working_days
    now = utcnow()
    cutoff = subtract_working_days(now, target)
    begin_write(session)  # what is read decides what is written: one write transaction
    overdue = session.scalars(
        select(RepublishRequest).where(RepublishRequest.status.in_(workflow.OPEN_STATUSES),
                                       RepublishRequest.submitted_at < cutoff)
        .options(joinedload(RepublishRequest.assigned_to)).order_by(RepublishRequest.submitted_at).limit(limit)
    ).all()
    if not overdue:
        return 0, 0
    tag = f"digest:{now:%Y-%m-%d}"
    already = set(session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.tag == tag)))
    staff = [u for u in session.scalars(select(User).where(User.active))
             if u.has_role("staff") and u.email not in already]  # one digest a day each
    queue_link = external_url("staff.queue", overdue="1")
    for user in staff:
        queue_mail(session, user.email, f"{len(overdue)} overdue republishing request(s)", "overdue_digest",
                   tag=tag, user=user, requests=overdue, target=target, link=queue_link,
                   now=now)
    session.commit()
    return len(staff), len(overdue)
