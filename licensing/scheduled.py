"""The scheduled commands as jobs. With REDIS_URL, `flask jobs cron` (one of the processes of
`make serve`) puts each task on the RQ queue on its schedule and the RQ workers run it; without
Redis the same work is done by the CLI commands, from cron or a systemd timer (README: Commands).

Every task is idempotent (a reminder or a digest goes once a day, a request expires once, a paid
invoice stays paid), so two schedulers on two hosts, or a scheduler beside a cron entry, change
nothing by running the same task twice. A task on an interval also runs as soon as the scheduler
starts: after a crash, stale documents are rendered and lost webhooks reconciled at once."""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from invoices.finance.reminders import Sent, send_overdue_reminders
from invoices.payments.refunds import reconcile_all
from licensing.core.clock import today
from licensing.core.db import get_session, utcnow
from licensing.core.documents import render_pending
from licensing.core.mail import requeue_mail
from licensing.delivery.folding import fold_usage
from licensing.licenses.expiry import expire_licenses, send_expiry_reminders
from licensing.review.digest import send_overdue_digest
from licensing.review.services import expire_unanswered

log = logging.getLogger(__name__)

STALE_DOCUMENT = timedelta(minutes=10)  # far longer than a queued render job waits


@dataclass
class DailyResult:
    overdue_reminders: list[Sent]
    expiry_reminders: list[str]
    expired: list[str]


def run_daily(session: Session) -> DailyResult:
    """Billing's daily work (`flask billing daily` and the hourly task): overdue reminders, license
    expiry reminders, expiry. Every step is idempotent."""
    day = today()
    settings = current_app.config["SETTINGS"]
    expired = expire_licenses(session, day)  # first: an ended license gets no "ends soon" reminder
    reminders = send_overdue_reminders(session, day, settings.reminder_days())
    expiring = send_expiry_reminders(session, day, settings.license_expiry_reminder_days)
    return DailyResult(reminders, expiring, expired)


@dataclass(frozen=True)
class Task:
    name: str
    job: str  # "module:function", run by licensing.core.jobs.run_job
    interval: int | None = None  # seconds
    cron: str | None = None  # a cron expression, UTC


SCHEDULE = (
    Task("documents-recover", "licensing.scheduled:recover_documents", interval=60),
    # Work whose job was lost (Redis down at commit, a worker killed): queued again within a minute.
    Task("jobs-sweep", "licensing.scheduled:sweep_jobs", interval=60),
    Task("payments-reconcile", "licensing.scheduled:reconcile_payments", interval=60 * 60),
    Task("requests-expire", "licensing.scheduled:expire_requests", interval=60 * 60),
    Task("billing-daily", "licensing.scheduled:billing_daily", interval=60 * 60),
    Task("requests-digest", "licensing.scheduled:overdue_digest", cron="0 7 * * 1-5"),  # working days, 07:00
    # With Redis the pixel's counts wait in one shared hash until this task folds them (without Redis each
    # worker folds its own every few seconds, licensing/delivery/services.py).
    Task("usage-fold", "licensing.scheduled:fold_pixel_counts", interval=60),
)


def logged(task: Callable[[], str]) -> Callable[[], str]:
    """The task's summary goes to the log too (RQ keeps it only as the job's result)."""

    @functools.wraps(task)
    def run() -> str:
        summary = task()
        log.info("%s: %s", task.__name__, summary)
        return summary

    return run


@logged
def recover_documents() -> str:
    """Render documents left pending (their job died with a worker, or was never queued); failed
    ones wait for a person (`flask documents render-pending` gives them fresh attempts)."""
    done, total = render_pending(get_session(), include_failed=False, created_before=utcnow() - STALE_DOCUMENT)
    return f"{done} of {total} stale document(s) rendered."


@logged
def sweep_jobs() -> str:
    """Queue again the mail not sent: queued for a while (its job was lost), or failed and due for
    another attempt (growing intervals). Documents: recover_documents, on the same one-minute beat."""
    return f"{requeue_mail(get_session())} message(s) queued again."


@logged
def reconcile_payments() -> str:
    """Apply Stripe's state to every open invoice (a lost webhook) and retry pending refunds."""
    done = reconcile_all(get_session())
    return (f"{len(done.checked)} open invoice(s) checked, {len(done.changed)} changed; "
            f"{len(done.refunds)} pending refund(s) retried.")


@logged
def expire_requests() -> str:
    return f"{len(expire_unanswered(get_session()))} request(s) expired."


@logged
def billing_daily() -> str:
    result = run_daily(get_session())
    return (f"{len(result.overdue_reminders)} overdue reminder(s), {len(result.expiry_reminders)} expiry "
            f"reminder(s) sent; {len(result.expired)} license(s) expired.")


@logged
def overdue_digest() -> str:
    sent, overdue = send_overdue_digest(get_session())
    return f"{overdue} overdue request(s); digest sent to {sent} staff member(s)."


@logged
def fold_pixel_counts() -> str:
    return f"{fold_usage(current_app._get_current_object())} pixel hit(s) folded."
