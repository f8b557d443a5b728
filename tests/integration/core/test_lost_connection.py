"""The database connection dies while a request is in flight (PostgreSQL restarted or failed over).

The soak test met it once in about 700 requests: an approval was committed, the connection died
before the request's teardown closed the session, and the close raised past Flask to gunicorn,
which answered a bare 500 for work that was done. Here the connection is killed on purpose
(pg_terminate_backend), after the work and before the error handler."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from licensing.core.db import get_session


@pytest.fixture
def db_kind() -> str:
    return "postgres"


def _kill_own_connection(database_url: str) -> None:
    pid = get_session().execute(text("SELECT pg_backend_pid()")).scalar_one()
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    engine.dispose()


def test_a_connection_lost_after_the_work_keeps_the_answer(app, database_url, caplog):
    def answered_then_lost():
        _kill_own_connection(database_url)
        return "done"

    app.add_url_rule("/test/answered-then-lost", view_func=answered_then_lost)
    client = app.test_client()
    response = client.get("/test/answered-then-lost")
    assert (response.status_code, response.text) == (200, "done")
    assert "database connection lost at the end of a request: AdminShutdown" in caplog.text
    assert client.get("/healthz").status_code == 200  # the pool replaced the dead connection


def test_a_connection_lost_before_the_next_query_is_a_clear_503(app, database_url):
    def lost_then_queried():
        _kill_own_connection(database_url)
        get_session().execute(text("SELECT 1"))
        return "not reached"

    app.add_url_rule("/test/lost-then-queried", view_func=lost_then_queried)
    client = app.test_client()
    response = client.get("/test/lost-then-queried")
    assert response.status_code == 503
    assert "The database is briefly unavailable and nothing was saved. Please try again in a minute." \
        in response.text
    assert response.headers["Retry-After"] == "30"
    assert client.get("/healthz").status_code == 200  # the pool replaced the dead connection
