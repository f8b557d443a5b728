"""Typed models of a republishing request and its events (the append-only timeline)."""
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

from licensing.catalog.models import Article
from licensing.core.db import Base, utcnow
from licensing.core.models import User
from licensing.intake.rules.workflow import STATUSES
from licensing.pricing.models import RateCard
from licensing.pricing.rules.steps import PriceStep, price_steps
from licensing.terms.models import StandardTerms  # noqa: F401  (the table terms_version refers to)

_status_list = ", ".join(f"'{s}'" for s in STATUSES)


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
    billing_address: Mapped[str] = mapped_column(Text, default="")  # address line 1 (older: the whole text)
    billing_address_line2: Mapped[str] = mapped_column(Text, default="")
    billing_city: Mapped[str] = mapped_column(String(100), default="")
    billing_postcode: Mapped[str] = mapped_column(String(20), default="")
    buyer_reference: Mapped[str] = mapped_column(String(200), default="")  # their reference or PO number
    vies_result: Mapped[str] = mapped_column(String(20), default="")  # valid, invalid, unavailable; "" not asked
    vies_checked_at: Mapped[datetime | None] = mapped_column(DateTime)
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
    terms_version: Mapped[int | None] = mapped_column(ForeignKey("standard_terms.version"))  # None: before 0010
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
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    events: Mapped[list[RequestEvent]] = relationship(
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

    @property
    def quote_steps(self) -> tuple[PriceStep, ...]:
        """The stored breakdown as a person reads it (requests stored before lines had kinds: by label)."""
        return price_steps(self.quote_breakdown, self.currency)


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
    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("actor_kind IN ('publisher', 'staff', 'system')", name="actor_kind_known"),
    )

# Search by e-mail, whatever its case (the queue's search, a requester's other requests): an index of
# the expression the queries use (SQLite and PostgreSQL alike).
Index("ix_requests_email_lower", func.lower(RepublishRequest.email))
