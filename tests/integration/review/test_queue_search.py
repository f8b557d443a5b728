"""The queue's organisation search on both databases: SQLite answers it from the FTS5 trigram table
of migration 0008 (kept in step by triggers), and finds exactly what a plain case-insensitive
LIKE finds."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, select, text, update

from licensing.core.db import new_session
from licensing.intake.models import RepublishRequest
from licensing.review.queries import QueueFilters, has_search_table, organisation_contains, queue_page
from tests.staff_fixtures import insert_requests

ORGANISATIONS = ['Say "Hi" Ltd', "Leeds Evening Post Ltd", "Radio Tirana", "100% Independent", "ÉCOLE Gazette",
                 "école weekly", "Under_score Media", "Slash/Dot News", "Ab", "The Herald", "Herald Tribune",
                 "herald-sun.example"]
QUERIES = ["herald", "HERALD", 'say "hi', '"', "ÉCO", "éCOLE G", "Herald Tri", "eve", "EVENING post", "100%", "0% I",
           "s%p", "der_s", "h/D", "école", "ÉCOLE", "cole", "ab", "a", "zzz", "Ltd", " ", "tirana", "ana", "d-s"]


def _search(app, q: str) -> list[str]:  # noqa: ANN001
    with app.app_context(), new_session() as s:
        page = queue_page(s, QueueFilters(status="all", q=q), None, datetime(2026, 11, 29), 3, page_size=100)
        return sorted(row.request.organisation for row in page.rows)


def _like(app, q: str) -> list[str]:  # noqa: ANN001
    with app.app_context(), new_session() as s:
        return sorted(s.scalars(select(RepublishRequest.organisation)
                                .where(RepublishRequest.organisation.icontains(q, autoescape=True))))


@pytest.fixture
def requests_made(seeded):
    return insert_requests(seeded, [{"organisation": o} for o in ORGANISATIONS])


def test_the_search_finds_what_a_case_insensitive_like_finds(seeded, requests_made):
    for q in QUERIES:
        assert _search(seeded, q) == _like(seeded, q), q
    assert _search(seeded, "herald") == ["Herald Tribune", "The Herald", "herald-sun.example"]
    assert _search(seeded, "100%") == ["100% Independent"]  # a literal percent sign, not a wildcard
    assert _search(seeded, "s%p") == []


def test_the_search_follows_updates_and_deletions(seeded, requests_made):
    by_name = {m_org: m for m_org, m in zip(ORGANISATIONS, requests_made, strict=False)}
    with seeded.app_context(), new_session() as s:
        s.execute(update(RepublishRequest).where(RepublishRequest.id == by_name["The Herald"].id)
                  .values(organisation="The Clarion"))
        s.execute(delete(RepublishRequest).where(RepublishRequest.id == by_name["Herald Tribune"].id))
        s.commit()
    assert _search(seeded, "herald") == ["herald-sun.example"]
    assert _search(seeded, "clarion") == ["The Clarion"]
    insert_requests(seeded, [{"organisation": "Herald of the North"}])
    assert _search(seeded, "herald") == ["Herald of the North", "herald-sun.example"]


def test_sqlite_reads_the_trigram_table_for_three_characters_or_more(seeded, db_kind):
    with seeded.app_context(), new_session() as s:
        search_table = has_search_table(s)
        compiled = {q: str(select(RepublishRequest.id).where(organisation_contains(q, search_table))
                           .compile(dialect=s.get_bind().dialect))
                    for q in ("herald", "ab", "100%", "der_s")}
    uses_index = {q: "requests_organisation_fts" in sql for q, sql in compiled.items()}
    assert search_table == (db_kind == "sqlite")
    if db_kind == "sqlite":
        assert uses_index == {"herald": True, "ab": False, "100%": True, "der_s": True}
    else:
        assert not any(uses_index.values())


@pytest.mark.parametrize("db_kind", ["sqlite"])  # the table is SQLite's alone (and its file this test's own)
def test_without_the_trigram_table_the_search_still_finds_everything(seeded, database_url, requests_made):
    """An SQLite built without FTS5's trigram tokenizer gets no search table (migration 0008 skips
    it): the search then reads every request, and finds the same."""
    # 0008's own downgrade, run alone: later migrations (new columns the models read) stay applied
    with seeded.app_context(), new_session() as s:
        s.execute(text("DROP TABLE IF EXISTS requests_organisation_fts"))
        for event in ("insert", "delete", "update"):
            s.execute(text(f"DROP TRIGGER IF EXISTS requests_organisation_fts_{event}"))
        s.commit()
    with seeded.app_context(), new_session() as s:
        assert not has_search_table(s)
    for q in QUERIES:
        assert _search(seeded, q) == _like(seeded, q), q
    assert _search(seeded, "herald") == ["Herald Tribune", "The Herald", "herald-sun.example"]
