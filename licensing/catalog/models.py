"""Typed models of the article catalog: articles, their assets (photos, video) and the search terms."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from licensing.catalog.rules import asset_label
from licensing.core.db import Base, utcnow


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
    # The body as sanitised HTML (catalog/rules/sanitise.py: allow-listed, each medium tied to an asset
    # by data-asset), its plain text, and a hash that tells a correction from a re-import.
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    assets: Mapped[list[ArticleAsset]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleAsset.id"
    )

    __table_args__ = (
        CheckConstraint("word_count >= 0", name="word_count_not_negative"),
        Index("ix_articles_published_at", "published_at"),
    )

    @property
    def licensable_assets(self) -> list[ArticleAsset]:
        return [a for a in self.assets if a.licensable]

    @property
    def excluded_assets(self) -> list[ArticleAsset]:
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
    # media:content@url: the file (schema.org contentUrl); ties the body's <img> to its asset
    url: Mapped[str] = mapped_column(String(2000), default="", server_default="")

    article: Mapped[Article] = relationship(back_populates="assets")

    @property
    def label(self) -> str:
        return asset_label(self.kind, self.credit)


class ArticleTerm(Base):
    """A word of an article's title or URL, lower-cased: a portable index for prefix search."""

    __tablename__ = "article_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
