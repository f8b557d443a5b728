"""`flask billing daily`: the one command a scheduler runs for billing (daily, or as often as
wanted: every step is idempotent): overdue reminders, license expiry reminders, expiry."""
from __future__ import annotations

from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from invoices.finance.reminders import Sent, send_overdue_reminders
from licensing.cli import with_public_urls
from licensing.core.clock import today
from licensing.core.db import get_session
from licensing.licenses.expiry import expire_licenses, send_expiry_reminders

billing_cli = AppGroup("billing", help="Scheduled billing work.")


@dataclass
class DailyResult:
    overdue_reminders: list[Sent]
    expiry_reminders: list[str]
    expired: list[str]


def run_daily(session: Session) -> DailyResult:
    day = today()
    settings = current_app.config["SETTINGS"]
    expired = expire_licenses(session, day)  # first: an ended license gets no "ends soon" reminder
    reminders = send_overdue_reminders(session, day, settings.reminder_days())
    expiring = send_expiry_reminders(session, day, settings.license_expiry_reminder_days)
    return DailyResult(reminders, expiring, expired)


@billing_cli.command("daily")
@with_public_urls
def billing_daily() -> None:
    """Send overdue reminders (OVERDUE_REMINDER_DAYS after the due date, each once), remind
    licensees of licenses ending soon (once), and expire licenses past their end."""
    result = run_daily(get_session())
    for sent in result.overdue_reminders:
        click.echo(f"overdue reminder: {sent.number} ({sent.day} days) to {sent.to}")
    for number in result.expiry_reminders:
        click.echo(f"expiry reminder: {number}")
    for number in result.expired:
        click.echo(f"expired: {number}")
    click.echo(f"{len(result.overdue_reminders)} overdue reminder(s), {len(result.expiry_reminders)} expiry "
               f"reminder(s) sent; {len(result.expired)} license(s) expired.")


def init_app(app) -> None:  # noqa: ANN001
    app.cli.add_command(billing_cli)
