"""Shared fixtures: a migrated database per test (SQLite always; PostgreSQL when reachable),
the app, its test client and seeded demo data."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from licensing.cli import alembic_config
from licensing.core.db import Base

# Fixtures any test may name: `smtp_server`, a real SMTP server on a free loopback port
pytest_plugins = ["tests.smtp_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1/test"


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once by the real migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


def _pg_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for this run, migrated by the real migrations; skipped when
    no server answers. With TEST_DATABASE_URL set, a database of its own is made beside it."""
    server = make_url(_pg_server_url())
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            name = f"sd_test_{uuid.uuid4().hex[:10]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means no usable server
        if os.environ.get("CI") and not os.environ.get("ALLOW_NO_POSTGRES"):
            pytest.fail(f"PostgreSQL is not reachable at {server.render_as_string(hide_password=True)}: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = server.set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db_kind() -> str:
    """Which database the app fixture uses; integration tests override this with both."""
    return "sqlite"


@pytest.fixture
def database_url(request, db_kind, tmp_path) -> str:
    if db_kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


@pytest.fixture
def app_config() -> dict:
    """Extra config for the app fixture; override in a module to change it."""
    return {}


@pytest.fixture
def app(database_url, app_config):
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
              "WTF_CSRF_ENABLED": False, "SERVER_NAME": "desk.test",
              "PUBLIC_BASE_URL": "http://desk.test"}
    config.update(app_config)
    application = create_app(config)
    yield application
    application.extensions["database"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    from licensing.core.db import get_session

    with app.app_context():
        yield get_session()


@pytest.fixture
def seeded(app):
    """The demo catalog and rate card (no users: hashing passwords is slow)."""
    from licensing.catalog.services import import_feed
    from licensing.core.db import new_session
    from licensing.demo.loader import DEMO_FEED
    from licensing.pricing.rules import DEMO_RATE_CARD
    from licensing.pricing.services import save_rate_card

    with app.app_context(), new_session() as s:
        import_feed(s, str(DEMO_FEED))
        save_rate_card(s, DEMO_RATE_CARD, note="test")
    return app


EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"
