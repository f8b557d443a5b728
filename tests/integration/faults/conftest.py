"""Fixtures of the fault tests (marker `fault`): private PostgreSQL, Redis and SMTP servers, and
the app's production stack on them. Each test module gets its own cluster and database."""
from __future__ import annotations

import os
import shutil
import uuid

import pytest

from tests.integration.faults.servers import PrivatePostgres, PrivateRedis, SmtpSink, prepare_database


def pytest_configure(config) -> None:  # noqa: ANN001
    # Until pytest.ini lists it (--strict-markers refuses an unknown marker).
    config.addinivalue_line("markers", "fault: starts real servers and breaks them (PostgreSQL, Redis, SMTP, workers)")


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def postgres():
    if not shutil.which("runuser") and os.geteuid() == 0:
        _unavailable("runuser is needed to run initdb as postgres")
    try:
        cluster = PrivatePostgres().start()
    except Exception as exc:  # noqa: BLE001 - no server binaries, no postgres user...
        _unavailable(f"cannot start a private PostgreSQL cluster: {exc}")
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def database(postgres) -> str:  # noqa: ANN001
    url = postgres.create_database(f"sd_fault_{uuid.uuid4().hex[:8]}")
    prepare_database(url)
    return url


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server"):
        _unavailable("redis-server is not installed")
    server = PrivateRedis().start()
    yield server
    server.destroy()


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()
