"""The end of a license's term: a reminder to the licensee some days before it (once: a unique
row per license), and the move to "expired" once it has passed (a guarded UPDATE, so a repeat
or a concurrent run changes nothing). Both are safe to run as often as wanted."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from licensing.core.db import begin_write, utcnow
from licensing.core.mail import queue_mail
from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.intake.rules import workflow
from licensing.intake.services import tracking_url_of
from licensing.licenses.models import License, LicenseReminder
from licensing.terms.rules import licence_word


def _word() -> str:
    """"Licence" or "License": the seller's English."""
    return licence_word(current_app.config["SETTINGS"].seller_english, capital=True)


def send_expiry_reminders(session: Session, today: date, days_before: int | None = None) -> list[str]:
    """Remind the licensee of each active license whose term ends within `days_before` days."""
    if days_before is None:
        days_before = current_app.config["SETTINGS"].license_expiry_reminder_days
    reminded = select(LicenseReminder.license_id).where(LicenseReminder.kind == "expiry")
    ids = session.scalars(select(License.id).where(
        License.status == "active", License.end_date.is_not(None), License.end_date >= today,
        License.end_date <= today + timedelta(days=days_before), License.id.not_in(reminded)
    ).order_by(License.end_date, License.id)).all()
    session.rollback()
    sent = []
    for license_id in ids:
        begin_write(session)
        lic = session.get(License, license_id, populate_existing=True)
        if lic.status != "active":
            session.rollback()
            continue
        session.add(LicenseReminder(license_id=lic.id, kind="expiry", sent_to=lic.licensee_email))
        try:
            session.flush()
        except IntegrityError:  # another run sent it a moment ago
            session.rollback()
            continue
        request = session.get(RepublishRequest, lic.request_id)
        days_left = (lic.end_date - today).days
        queue_mail(session, lic.licensee_email, f"{_word()} {lic.number} ends on {lic.end_date:%-d %B %Y}",
                   "license_expiring", tag=f"license:{lic.number}:expiry", license=lic, days_left=days_left,
                   tracking_url=tracking_url_of(request))
        session.add(RequestEvent(request_id=lic.request_id, actor_kind=workflow.SYSTEM,
                                 action="license_expiry_reminder",
                                 message=f"Reminder sent: licence {lic.number} ends on {lic.end_date.isoformat()}.",
                                 public=True, data={"license": lic.number, "days_left": days_left}))
        session.commit()
        sent.append(lic.number)
    return sent


def expire_licenses(session: Session, today: date) -> list[str]:
    """Active licenses whose last day is before `today` become expired."""
    ids = session.scalars(select(License.id).where(
        License.status == "active", License.end_date.is_not(None), License.end_date < today
    ).order_by(License.end_date, License.id)).all()
    session.rollback()
    expired = []
    for license_id in ids:
        begin_write(session)
        moved = session.execute(
            update(License).where(License.id == license_id, License.status == "active")
            .values(status="expired", status_changed_at=utcnow()).execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:  # revoked, or expired by a concurrent run
            session.rollback()
            continue
        lic = session.get(License, license_id, populate_existing=True)
        session.add(RequestEvent(request_id=lic.request_id, actor_kind=workflow.SYSTEM, action="license_expired",
                                 message=f"Licence {lic.number} has expired: its term ended on "
                                         f"{lic.end_date.isoformat()}.",
                                 public=True, data={"license": lic.number}))
        session.commit()
        expired.append(lic.number)
    return expired
