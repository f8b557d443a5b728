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
from datetime import UTC
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template
from sqlalchemy.orm import Session

from licensing.core import jobs
from licensing.core.db import begin_write, new_session, utcnow
from licensing.core.models import OutboxMessage

log = logging.getLogger(__name__)


def queue_mail(session: Session, to: str, subject: str, template: str, tag: str = "", **context) -> OutboxMessage:
    """Add a message to the outbox (the caller commits); deliver it after commit when SMTP is set."""
    body = render_template(f"email/{template}.txt", **context)
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
    with new_session() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.status == "sent" or not settings.mail_url:
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
            message.status, message.error = "failed", f"{type(error).__name__}: {error}"[:2000]
            session.commit()
            log.warning("mail %s to outbox id %s failed: %s", message.subject, message.id, error)
            raise error
        message.status, message.sent_at, message.error = "sent", utcnow(), ""
        session.commit()
