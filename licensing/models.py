"""Typed SQLAlchemy 2.0 models of the licensing side: catalog, rate card, requests, events,
users and the mail outbox. Constraints live in the database as well as in Python."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, utcnow
from .workflow import STATUSES

_status_list = ", ".join(f"'{s}'" for s in STATUSES)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    standfirst: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    section: Mapped[str] = mapped_column(String(200), default="")
    byline: Mapped[str] = mapped_column(String(500), default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    assets: Mapped[list["ArticleAsset"]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleAsset.id"
    )

    __table_args__ = (
        CheckConstraint("word_count >= 0", name="word_count_not_negative"),
        Index("ix_articles_published_at", "published_at"),
    )

    @property
    def licensable_assets(self) -> list["ArticleAsset"]:
        return [a for a in self.assets if a.licensable]

    @property
    def excluded_assets(self) -> list["ArticleAsset"]:
        return [a for a in self.assets if not a.licensable]


class ArticleAsset(Base):
    """Third-party or own material in an article: a photo, video, graphic... with its credit."""

    __tablename__ = "article_assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    credit: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    licensable: Mapped[bool] = mapped_column(Boolean, default=False)

    article: Mapped[Article] = relationship(back_populates="assets")


class ArticleTerm(Base):
    """A word of an article's title or URL, lower-cased: a portable index for prefix search."""

    __tablename__ = "article_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RateCard(Base):
    """One version of the rate card; an edit adds a version, never changes one."""

    __tablename__ = "rate_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    data: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (CheckConstraint("version > 0", name="version_positive"),)


class RepublishRequest(Base):
    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), index=True)
    country: Mapped[str] = mapped_column(String(2))
    vat_id: Mapped[str] = mapped_column(String(40), default="")
    billing_address: Mapped[str] = mapped_column(Text, default="")
    publication: Mapped[str] = mapped_column(String(200))
    publication_url: Mapped[str] = mapped_column(String(2000))
    medium: Mapped[str] = mapped_column(String(40))
    audience: Mapped[int] = mapped_column(BigInteger)
    territory: Mapped[str] = mapped_column(Text)  # "worldwide" or comma-separated alpha-2 codes
    language: Mapped[str] = mapped_column(String(8))
    term: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    media_wanted: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    terms_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    quote_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    quote_breakdown: Mapped[list] = mapped_column(JSON)
    rate_card_id: Mapped[int] = mapped_column(ForeignKey("rate_cards.id"))
    tracking_nonce: Mapped[str] = mapped_column(String(64), default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    info_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_fee: Mapped[int | None] = mapped_column(BigInteger)
    fee_override_reason: Mapped[str] = mapped_column(Text, default="")
    extra_terms: Mapped[str] = mapped_column(Text, default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    article: Mapped[Article] = relationship()
    rate_card: Mapped[RateCard] = relationship()
    assigned_to: Mapped["User | None"] = relationship(foreign_keys=[assigned_to_id])
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id", viewonly=True
    )

    __table_args__ = (
        CheckConstraint(f"status IN ({_status_list})", name="status_known"),
        CheckConstraint("quote_amount >= 0", name="quote_not_negative"),
        CheckConstraint("audience >= 0", name="audience_not_negative"),
        CheckConstraint("approved_fee IS NULL OR approved_fee >= 0", name="approved_fee_not_negative"),
        Index("ix_requests_status_submitted_at", "status", "submitted_at"),
        Index("ix_requests_status_quote_amount", "status", "quote_amount"),
        Index("ix_requests_assigned_to_id_status", "assigned_to_id", "status"),
        Index("ix_requests_status_info_requested_at", "status", "info_requested_at"),
        Index("ix_requests_submitted_at", "submitted_at"),
        Index("ix_requests_organisation", "organisation"),
        Index("ix_requests_updated_at", "updated_at"),  # the queue's counts cache: max(updated_at)
        # The counts per status of a filter over all statuses, from the index alone (no table rows):
        # by medium (an index range), by territory (a scan of a narrow index in status order, not of the table).
        Index("ix_requests_medium_status", "medium", "status"),
        Index("ix_requests_medium_submitted_at", "medium", "submitted_at"),  # that filter's page, in order
        Index("ix_requests_status_territory", "status", "territory"),
        # Search by part of the organisation's name (`ILIKE '%text%'` from a trigram index, PostgreSQL
        # only: SQLite scans, in ~10 ms at 100,000 requests); by e-mail: ix_requests_email_lower below.
        Index("ix_requests_organisation_trgm", "organisation", postgresql_using="gin",
              postgresql_ops={"organisation": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    @property
    def territory_codes(self) -> list[str]:
        return [] if self.territory == "worldwide" else [c for c in self.territory.split(",") if c]


# Search by e-mail, whatever its case (the queue's search, a requester's other requests): an index of
# the expression the queries use (SQLite and PostgreSQL alike).
Index("ix_requests_email_lower", func.lower(RepublishRequest.email))


class RequestEvent(Base):
    """Append-only audit trail of a request: who did what, when, from which state to which."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))  # publisher, staff, system
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    before_status: Mapped[str | None] = mapped_column(String(20))
    after_status: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)  # shown to the publisher
    data: Mapped[dict | None] = mapped_column(JSON)

    request: Mapped[RepublishRequest] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()

    __table_args__ = (
        CheckConstraint("actor_kind IN ('publisher', 'staff', 'system')", name="actor_kind_known"),
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    roles: Mapped[list["UserRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, role: str) -> bool:
        return role in self.role_names

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


ROLES = ("staff", "finance", "admin")


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    __table_args__ = (CheckConstraint("role IN ('staff', 'finance', 'admin')", name="role_known"),)


class OutboxMessage(Base):
    """Every e-mail the app sends, kept: the outbox staff read when no SMTP server is set."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    to_address: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="kept")  # kept, queued, sent, failed
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str] = mapped_column(Text, default="")
    tag: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        CheckConstraint("status IN ('kept', 'queued', 'sent', 'failed')", name="status_known"),
    )


class RejectionReason(Base):
    """An editable template of a reason for rejecting a request."""

    __tablename__ = "rejection_reasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiToken(Base):
    """A personal API token: shown once, stored as its SHA-256, revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins per e-mail address: slows and then refuses guessing, across processes."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class PasswordToken(Base):
    """A one-time link to set a password (invitations)."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


# Importing the models registers every table with the metadata (licenses, documents, invoices).
from invoices import models as _invoice_models  # noqa: E402,F401

from . import doc_models as _doc_models  # noqa: E402,F401
