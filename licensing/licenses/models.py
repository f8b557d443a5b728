"""Typed models of licenses and their reminders."""
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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from licensing.core.db import Base, utcnow

LICENSE_STATUSES = ("pending_payment", "active", "expired", "revoked", "cancelled")
LICENSE_STATUS_LABELS = {
    "pending_payment": "Pending payment",
    "active": "Active",
    "expired": "Expired",
    "revoked": "Revoked",
    "cancelled": "Cancelled",
}


class License(Base):
    """An issued license. Its terms are copied from the approved request and never change;
    only its status moves (pending payment -> active -> expired; cancelled; revoked)."""

    __tablename__ = "licenses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending_payment")
    licensee_name: Mapped[str] = mapped_column(String(200))
    licensee_contact: Mapped[str] = mapped_column(String(200))
    licensee_email: Mapped[str] = mapped_column(String(320))
    licensee_country: Mapped[str] = mapped_column(String(2))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    article_title: Mapped[str] = mapped_column(String(500))
    article_url: Mapped[str] = mapped_column(String(2000))
    article_published: Mapped[date | None] = mapped_column(Date)
    publication: Mapped[str] = mapped_column(String(200))
    publication_url: Mapped[str] = mapped_column(String(2000))
    medium: Mapped[str] = mapped_column(String(40))
    audience: Mapped[int] = mapped_column(BigInteger)
    territory: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    term: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # None: perpetual
    exclusive: Mapped[bool] = mapped_column(Boolean)
    # Each asset as {"uid": IRI, "label": "Photograph: AFP", "reason": "third_party" | "not_requested"};
    # licenses issued before 0010 hold plain labels (see asset_entries)
    media_included: Mapped[list] = mapped_column(JSON)  # the publisher's own media the licensee asked for
    exclusions: Mapped[list] = mapped_column(JSON)  # everything else, with the reason it is excluded
    fee: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    extra_terms: Mapped[str] = mapped_column(Text, default="")
    credit_line: Mapped[str] = mapped_column(String(500))
    terms_version: Mapped[int | None] = mapped_column(ForeignKey("standard_terms.version"))  # None: before 0010
    invoice_number: Mapped[str] = mapped_column(String(20), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)

    request = relationship("RepublishRequest")

    __table_args__ = (
        CheckConstraint("status IN ('pending_payment', 'active', 'expired', 'revoked', 'cancelled')",
                        name="status_known"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        Index("ix_licenses_status_end_date", "status", "end_date"),
    )

    MUTABLE = frozenset({"status", "activated_at", "status_changed_at"})

    @property
    def territory_codes(self) -> list[str]:
        return [] if self.territory == "worldwide" else [c for c in self.territory.split(",") if c]


class LicenseReminder(Base):
    """A reminder sent about a license (e.g. "expiry": its term ends soon); once per kind."""

    __tablename__ = "license_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"))
    kind: Mapped[str] = mapped_column(String(20))
    sent_to: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("license_id", "kind"),
        CheckConstraint("kind IN ('expiry')", name="kind_known"),
    )
