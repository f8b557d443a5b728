"""Typed model of the standard terms: one row per published version, never changed afterwards."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from licensing.core.db import Base, utcnow


class StandardTerms(Base):
    __tablename__ = "standard_terms"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)  # placeholders filled when published: what licensees read
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the first run
