"""Counts survive a restart, on both job modes: gunicorn serves the pixel (one worker, as configured by
licensing/gunicorn_conf.py), hits arrive, the server is stopped with SIGTERM, and the database holds
every hit. In process, the worker's exit hook folds its dict; with Redis, the hits wait in Redis and
are folded by the exit hook, and a SIGKILLed server loses nothing that reached Redis: the next process
folds them. Each worker sends its hits to Redis every USAGE_FLUSH_SECONDS (or each at once with 0)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from licensing.delivery.rules.pixel import pixel_key, pixel_path, pixel_token
from tests.documents_helpers import no_rendering
from tests.finance_helpers import approved
from tests.staff_fixtures import add_user
from tests.stripe_fixtures import free_port

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "test-secret"
HITS = 40
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "Referer": "https://news.example/a"}


def redis_up() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def start(database_url: str, port: int, redis_prefix: str | None, log: Path, **settings: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "JOBS_MODE", "USAGE_FLUSH_SECONDS")}
    env.update(settings)
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
               WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "1"), JOBS_MODE="inline", RATELIMIT_ENABLED="0")
    if redis_prefix:
        env.update(REDIS_URL="redis://127.0.0.1:6379/0", USAGE_REDIS_PREFIX=redis_prefix)
    proc = subprocess.Popen([str(GUNICORN), "-c", str(ROOT / "licensing" / "gunicorn_conf.py"), "--bind",
                             f"127.0.0.1:{port}", "--chdir", str(ROOT), "app:create_app()"], env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return proc
        except OSError:  # refused, reset or timed out while it starts
            if proc.poll() is not None:
                raise AssertionError(log.read_text(errors="replace")[-2000:]) from None
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("gunicorn did not start")


def hit(port: int, number: str, times: int) -> None:
    path = pixel_path(number, pixel_token(pixel_key(SECRET), number))
    for _ in range(times):
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=BROWSER),
                                    timeout=30) as answer:
            assert answer.status == 200


def folded(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT COALESCE(SUM(views), 0) FROM usage_daily")).scalar())
    finally:
        engine.dispose()


@pytest.fixture
def licensed(seeded, monkeypatch):
    no_rendering(monkeypatch)
    made = approved(seeded, add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"]))
    seeded.extensions["database"].dispose()
    return made.license_number


@pytest.mark.parametrize("mode", ["in_process", "redis"])
def test_counts_survive_sigterm(licensed, database_url, mode, tmp_path):
    if mode == "redis" and not redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    port = free_port()
    prefix = f"test-{uuid.uuid4().hex[:8]}:" if mode == "redis" else None
    server = start(database_url, port, prefix, tmp_path / "gunicorn.log")
    try:
        hit(port, licensed, HITS)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert folded(database_url) == HITS


def in_redis(prefix: str) -> int:
    live = redis.Redis(host="127.0.0.1").hgetall(f"{prefix}{{usage}}:live")
    return sum(int(v) for v in live.values())


@pytest.mark.parametrize("flush", ["0", "0.25"])
def test_redis_counts_survive_sigkill(licensed, database_url, flush, tmp_path):
    """A killed server folds nothing at exit; the hits wait in Redis for the next process's fold. Sent
    at once (0), or by the worker's own thread within the interval, with no request or fold asking."""
    if not redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    port = free_port()
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    server = start(database_url, port, prefix, tmp_path / "gunicorn.log", USAGE_FLUSH_SECONDS=flush)
    try:
        hit(port, licensed, HITS)
        if flush == "0":
            assert in_redis(prefix) == HITS
        deadline = time.monotonic() + 10
        while in_redis(prefix) < HITS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert in_redis(prefix) == HITS
    finally:
        for pid in _family(server.pid):
            os.kill(pid, signal.SIGKILL)
        server.wait(timeout=30)
    assert folded(database_url) == 0  # nothing was folded by the killed processes
    restarted = start(database_url, port, prefix, tmp_path / "gunicorn.log")
    restarted.send_signal(signal.SIGTERM)  # its exit hook folds what the killed one left in Redis
    restarted.wait(timeout=60)
    assert folded(database_url) == HITS


def _family(pid: int) -> list[int]:
    """The gunicorn master and its workers (children first, so the master cannot respawn them)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()] + [pid]


def test_in_process_counts_are_folded_while_the_server_runs(licensed, database_url, tmp_path):
    """Each worker folds its own counts every USAGE_FOLD_SECONDS: a SIGKILL loses at most that long."""
    port = free_port()
    server = start(database_url, port, None, tmp_path / "gunicorn.log")
    try:
        hit(port, licensed, HITS)
        deadline = time.monotonic() + 20
        while folded(database_url) < HITS and time.monotonic() < deadline:
            time.sleep(0.5)
        assert folded(database_url) == HITS, (tmp_path / "gunicorn.log").read_text(errors="replace")[-3000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
