"""Typed models of delivery: measured use (folded pixel counts), the batches folded, staff's actions on
usage flags (true-up quotes, reminders, accepted domains) and the corrections sent to licensees."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from licensing.core.db import Base, utcnow


class UsageDaily(Base):
    """Views of one license's republished copy on one day from one referrer domain ("" = none sent).
    Only the day and the domain: never an IP address, a cookie or a page path. Folded by upsert."""

    __tablename__ = "usage_daily"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"))
    day: Mapped[date] = mapped_column(Date)
    referrer_domain: Mapped[str] = mapped_column(String(253), default="")
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    bot_views: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint("license_id", "day", "referrer_domain", name="uq_usage_daily_license_day_domain"),
        CheckConstraint("views >= 0 AND bot_views >= 0", name="views_not_negative"),
    )


class UsageBatch(Base):
    """A batch of counts folded: its id is written in the fold's transaction, so a batch folded twice
    (a worker whose lease ran out) fails the second time on this key instead of counting twice."""

    __tablename__ = "usage_batches"

    batch_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    hits: Mapped[int] = mapped_column(BigInteger)
    folded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TrueUpQuote(Base):
    """A quote for use beyond the licensed audience, priced by the rate card current when it was made.
    Sent -> accepted (an invoice is issued) -> paid (billing's signal)."""

    __tablename__ = "true_up_quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="sent")
    licensed_audience: Mapped[int] = mapped_column(BigInteger)
    measured_audience: Mapped[int] = mapped_column(BigInteger)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    rate_card_id: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)  # the licensee's accept link
    invoice_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("status IN ('sent', 'accepted', 'paid', 'void')", name="true_up_status_known"),
        CheckConstraint("amount > 0", name="true_up_amount_positive"),
    )


class UsageFlagAction(Base):
    """A reminder of the terms staff sent about a usage flag (once per flag kind and day, so a double
    click sends one e-mail). A true-up is its own record (TrueUpQuote: who, when, one open at a time);
    the action column kept its 'true_up' value for the rows written before."""

    __tablename__ = "usage_flag_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"))
    flag: Mapped[str] = mapped_column(String(30))
    action: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("license_id", "flag", "action", "day", name="uq_usage_flag_action_once_a_day"),
        CheckConstraint("action IN ('true_up', 'reminder')", name="flag_action_known"),
        Index("ix_usage_flag_actions_license", "license_id"),
    )


class AcceptedDomain(Base):
    """A referrer domain staff accepted for one license (the licensee's second site, its app's web
    view): its views no longer raise the "other domain" flag. Who accepted it and when is kept."""

    __tablename__ = "license_accepted_domains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"))
    domain: Mapped[str] = mapped_column(String(253))
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    accepted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("license_id", "domain", name="uq_license_accepted_domain"),)


class ArticleCorrection(Base):
    """A corrected body: the readable diff, kept as sent."""

    __tablename__ = "article_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    diff_text: Mapped[str] = mapped_column(Text)
    old_sha256: Mapped[str] = mapped_column(String(64))
    new_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CorrectionNotice(Base):
    """A correction sent to one active license's holder: once per correction and license."""

    __tablename__ = "correction_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("article_corrections.id"))
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"), index=True)
    sent_to: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("correction_id", "license_id", name="uq_correction_notice_once"),)
