"""Typed models of the shared infrastructure: users and their roles, sign-in throttling, password and API
tokens, the mail outbox, issued documents (the rendered PDFs of every kind) and the gapless document
number counters. Constraints live in the database as well as in Python."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from licensing.core.db import Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Signed into every session cookie; raising it (sign-out, password change, deactivation, role
    # change) ends every session made before, wherever its cookie was copied to.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Invited and not yet signed up: the account's password is a random one nobody knows until the
    # invitation's link sets it (the admin list says "invited", and offers to send it again).
    invited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

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
    def state(self) -> str:
        return "deactivated" if not self.active else "invited" if self.invited else "active"

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
    # Delivery attempts that failed, and when the sweeper tries again (growing intervals).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("status IN ('kept', 'queued', 'sent', 'failed')", name="status_known"),
    )


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


class Document(Base):
    """The PDF of an issued document and the exact inputs it was rendered from."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(20), unique=True)
    context: Mapped[dict] = mapped_column(JSON)  # the frozen inputs of the template
    template: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('license', 'invoice', 'credit_note')", name="kind_known"),
        CheckConstraint("status IN ('pending', 'ready', 'failed')", name="status_known"),
        CheckConstraint("status != 'ready' OR (pdf IS NOT NULL AND sha256 IS NOT NULL)", name="ready_has_pdf"),
    )

    RENDER_FIELDS = frozenset({"status", "pdf", "sha256", "attempts", "last_error", "rendered_at"})

    def frozen_changes(self, changed: set[str], committed: dict) -> set[str]:
        """Until its PDF is ready only the render fields move; after that nothing does."""
        if committed.get("status") == "ready":
            return changed
        return changed - self.RENDER_FIELDS


class DocumentSequence(Base):
    """The last number given to a kind of document in a calendar year (locked to allocate)."""

    __tablename__ = "document_sequences"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("last_value >= 0", name="last_value_not_negative"),)
