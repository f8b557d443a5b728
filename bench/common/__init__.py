"""Helpers of the bench scripts (a package, so `make bench`'s `bench/*.py` loop does not run it):
timing and a table, and migrated databases made by the real migrations - a SQLite file in a
temporary directory, and a fresh PostgreSQL database (created, then dropped) when one answers."""
from __future__ import annotations

import contextlib
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from licensing.cli import alembic_config  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1/test"


def quiet() -> None:
    """The app logs at INFO (migrations, requests); figures are easier to read without."""
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("alembic", "sqlalchemy", "werkzeug", "licensing", "invoices", "app"):
        logging.getLogger(name).setLevel(logging.WARNING)


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")
    quiet()


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="sd-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(url)
        yield url


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh, migrated PostgreSQL database, dropped afterwards; None when no server answers."""
    raw = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
    if raw.startswith("postgresql://"):
        raw = raw.replace("postgresql://", "postgresql+psycopg://", 1)
    server = make_url(raw)
    name = f"sd_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means no usable server
        print(f"PostgreSQL not reachable at {server.render_as_string(hide_password=True)}: skipped "
              f"({type(exc).__name__})")
        yield None
        return
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str):  # noqa: ANN201
    from app import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench-secret",
                              "WTF_CSRF_ENABLED": False, "SERVER_NAME": "desk.bench"})
    quiet()
    return application


def seed_demo(application) -> None:  # noqa: ANN001
    """The demo catalog and rate card (no users: hashing their passwords is slow)."""
    from licensing.catalog.services import import_feed
    from licensing.core.db import new_session
    from licensing.demo.loader import DEMO_FEED
    from licensing.pricing.rules import DEMO_RATE_CARD
    from licensing.pricing.services import save_rate_card

    with application.app_context(), new_session() as session:
        import_feed(session, str(DEMO_FEED))
        save_rate_card(session, DEMO_RATE_CARD, note="bench")


class Samples(list):
    """Wall-clock milliseconds of each run, with the CPU milliseconds of this process beside them
    (on a busy machine the CPU figure shows the work done here, not time spent waiting for a core;
    a PostgreSQL server's own work is in the wall figure only)."""

    cpu: list[float]


def timed(fn: Callable[[], object], runs: int, warmup: int = 20) -> Samples:
    """Milliseconds of each of `runs` calls, after `warmup` calls that are not counted."""
    for _ in range(warmup):
        fn()
    samples, cpu = Samples(), []
    wall_clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    for _ in range(runs):
        start, start_cpu = wall_clock(), cpu_clock()
        fn()
        cpu.append((cpu_clock() - start_cpu) / 1e6)
        samples.append((wall_clock() - start) / 1e6)
    samples.cpu = cpu
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def row(label: str, samples: list[float], aim_ms: float | None = None) -> tuple:
    median = statistics.median(samples)
    cpu = getattr(samples, "cpu", None)
    cpu_median = statistics.median(cpu) if cpu else float("nan")
    verdict = "" if aim_ms is None else ("ok" if p95(samples) < aim_ms else f"MISSES {aim_ms:g} ms")
    return (label, len(samples), median, p95(samples), max(samples), cpu_median, verdict)


def print_table(title: str, rows: list[tuple]) -> None:
    width = max([len(r[0]) for r in rows] + [20])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{title}  [load average {load:.1f} on {os.cpu_count()} cores]")
    print(f"  {'':<{width}}  {'runs':>6}  {'median ms':>10}  {'p95 ms':>9}  {'max ms':>9}  {'cpu ms':>8}  aim (p95)")
    for label, runs, median, p, worst, cpu, verdict in rows:
        print(f"  {label:<{width}}  {runs:>6}  {median:>10.3f}  {p:>9.3f}  {worst:>9.2f}  {cpu:>8.3f}  {verdict}")
    print("  (median and p95 of wall-clock time; cpu ms: median CPU time of this process per run)")
