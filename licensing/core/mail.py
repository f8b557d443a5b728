"""The one mail module. Every message is kept in the outbox table in the sender's transaction;
with MAIL_URL set (smtp://user:pass@host:port, smtps://..., ?starttls=1) it is then delivered
over SMTP by a job, so a slow mail server never slows a page and nothing is lost if it is down.

Every message delivered is RFC 5322 complete (spam filters and mail archives reject or misfile
messages without them): From, To, Subject, a Date (when the message was written: the outbox row's
time, so a retry sends the same message), a Message-ID on the seller's own domain (the same on
every retry, so a receiver recognises a repeat), and a plain-text part. `header_problems` is the
check the tests apply to what an SMTP server receives."""
from __future__ import annotations

import hashlib
import logging
import re
import smtplib
from datetime import UTC, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from licensing.core import jobs
from licensing.core.db import begin_write, new_session, utcnow
from licensing.core.models import OutboxMessage

log = logging.getLogger(__name__)


RETRY_FIRST = 30  # seconds before the second attempt; doubled each time after
RETRY_MAX = 3600
STALE_QUEUED = timedelta(seconds=30)  # a queued message this old lost its job (queue down, worker killed)
SENDING_LEASE = timedelta(seconds=60)  # longer than one SMTP exchange (15 s timeouts)


def retry_delay(attempts: int) -> int:
    """Seconds after the `attempts`-th failure before the next attempt: 30, 60, 120... up to an hour."""
    return min(RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 20), RETRY_MAX)


def requeue_mail(session: Session) -> int:
    """Queue delivery again for failed messages that are due and queued ones whose job was lost."""
    if not current_app.config["SETTINGS"].mail_url:
        return 0
    now = utcnow()
    due = session.scalars(select(OutboxMessage.id).where(or_(
        and_(OutboxMessage.status == "failed", or_(OutboxMessage.next_attempt_at.is_(None),
                                                   OutboxMessage.next_attempt_at <= now)),
        and_(OutboxMessage.status == "queued", OutboxMessage.created_at < now - STALE_QUEUED,
             or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)),
    )).order_by(OutboxMessage.id).limit(500)).all()
    session.rollback()
    for message_id in due:
        jobs.enqueue("licensing.core.mail:deliver", message_id)
    return len(due)


def failed_count(session: Session) -> int:
    """Messages the mail server refused (shown to staff until they are sent)."""
    return session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")) or 0


def queue_mail(session: Session, to: str, subject: str, template: str, tag: str = "", **context) -> OutboxMessage:
    """Add a message to the outbox (the caller commits); deliver it after commit when SMTP is set."""
    spell = current_app.extensions.get("spelling") or (lambda text: text)  # the seller's English (terms)
    subject, body = spell(subject), spell(render_template(f"email/{template}.txt", **context))
    smtp = bool(current_app.config["SETTINGS"].mail_url)
    message = OutboxMessage(to_address=to, subject=subject, body_text=body, tag=tag,
                            status="queued" if smtp else "kept")
    session.add(message)
    if smtp:
        session.flush()
        jobs.after_commit(session, "licensing.core.mail:deliver", message.id)
    return message


def message_id(settings, message: OutboxMessage) -> str:  # noqa: ANN001 - Settings
    """<outbox id.digest@seller's domain>: unique (the row id and a digest of its content and
    time), stable across retries."""
    digest = hashlib.sha256(f"{message.id}:{message.created_at.isoformat()}:{message.to_address}:"
                            f"{message.subject}".encode()).hexdigest()[:20]
    return f"<{message.id}.{digest}@{settings.message_id_domain()}>"


def build_email(settings, message: OutboxMessage) -> EmailMessage:  # noqa: ANN001 - Settings
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC))
    email["Message-ID"] = message_id(settings, message)
    email.set_content(message.body_text)  # text/plain; charset=utf-8
    return email


_MSG_ID = re.compile(r"^<[^<>@\s]+@([^<>@\s]+)>$")


def header_problems(raw: bytes, domain: str | None = None) -> list[str]:
    """What a received message lacks of RFC 5322 and of ours: From, To, a parseable Date, a
    Message-ID (on `domain` when given), and a text/plain part. Empty when it is complete."""
    parsed = message_from_bytes(raw, policy=policy.default)
    problems = [f"no {name} header" for name in ("From", "To", "Subject") if not parsed.get(name)]
    if len(parsed.get_all("Date") or []) != 1:
        problems.append("no Date header (exactly one is required)")
    else:
        try:
            if parsedate_to_datetime(str(parsed["Date"])).tzinfo is None:
                problems.append("Date has no time zone")
        except (TypeError, ValueError):
            problems.append(f"Date is not an RFC 5322 date: {parsed['Date']!r}")
    found = _MSG_ID.match(str(parsed.get("Message-ID", "")).strip())
    if found is None:
        problems.append("no Message-ID header of the form <id@domain>")
    elif domain and found.group(1).lower() != domain.lower():
        problems.append(f"Message-ID is on {found.group(1)}, not the seller's domain {domain}")
    if parsed.get_body(preferencelist=("plain",)) is None:
        problems.append("no text/plain part")
    return problems


def _smtp_client(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname or "localhost", port, timeout=15)
    else:
        client = smtplib.SMTP(parts.hostname or "localhost", port, timeout=15)
        if parse_qs(parts.query).get("starttls", ["0"])[0] in {"1", "true", "yes"}:
            client.starttls()
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def deliver(message_id: int) -> None:
    """Send one queued outbox message over SMTP; safe to run twice (a sent message is skipped).
    Nothing is held open while talking to the mail server; the outcome is written in a write
    transaction of its own."""
    settings = current_app.config["SETTINGS"]
    if not settings.mail_url:
        return
    with new_session() as session:
        # Claim the message for one sender: a job and the sweeper (or a retried job) may both hold
        # it; only the one whose guarded UPDATE matches sends. A claimed message is "queued" with a
        # lease in next_attempt_at that lapses after SENDING_LEASE (a sender killed mid-send), so it
        # is never lost either. (For a failed message next_attempt_at is the sweeper's back-off.)
        begin_write(session)
        now = utcnow()
        claimed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id,
                   or_(OutboxMessage.status == "failed",
                       and_(OutboxMessage.status == "queued",
                            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))))
            .values(status="queued", next_attempt_at=now + SENDING_LEASE)).rowcount
        session.commit()
        message = session.get(OutboxMessage, message_id)
        if not claimed or message is None:
            return
        email = build_email(settings, message)
        session.rollback()
        error: Exception | None = None
        try:
            with _smtp_client(settings.mail_url) as client:
                client.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            error = exc
        begin_write(session)
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        if error is not None:
            # Kept as failed with the server's answer (staff see it); the sweeper tries again later,
            # each interval longer than the last. Nothing is lost while the server refuses.
            message.status, message.error = "failed", f"{type(error).__name__}: {error}"[:2000]
            message.attempts = (message.attempts or 0) + 1
            message.next_attempt_at = utcnow() + timedelta(seconds=retry_delay(message.attempts))
            session.commit()
            log.warning("mail %s to outbox id %s failed (attempt %s): %s", message.subject, message.id,
                        message.attempts, error)
            return
        message.status, message.sent_at, message.error = "sent", utcnow(), ""
        message.next_attempt_at = None
        session.commit()


def resend(session: Session, message_id: int) -> OutboxMessage | None:
    """Queue a copy of a message to the same recipient (an admin's "send again"): the copy carries
    the same private link, which the admin never sees."""
    begin_write(session)
    original = session.get(OutboxMessage, message_id)
    if original is None:
        session.rollback()
        return None
    smtp = bool(current_app.config["SETTINGS"].mail_url)
    copy = OutboxMessage(to_address=original.to_address, subject=original.subject, body_text=original.body_text,
                         tag=original.tag, status="queued" if smtp else "kept")
    session.add(copy)
    session.flush()
    if smtp:
        jobs.after_commit(session, "licensing.core.mail:deliver", copy.id)
    session.commit()
    return copy
