"""Real servers of the fault tests, each private to the test run and on a free loopback port: a
PostgreSQL cluster made with initdb in a temporary directory (the shared server is never touched),
a redis-server with an append-only file, an SMTP server (aiosmtpd) that can refuse mail or hold a
message, and the app's production stack (`python -m licensing.serve --production`: gunicorn, RQ
workers and the scheduler, in a process group of its own).

As root (a container), initdb and pg_ctl run as the `postgres` user, which PostgreSQL requires."""
from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.stripe_fixtures import free_port

ROOT = Path(__file__).resolve().parents[3]
SECRET_KEY = "fault-tests-secret-key"


def wait_until(check, timeout: float, what: str, interval: float = 0.2):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# ------------------------------------------------------------------------------------------ PostgreSQL

class PrivatePostgres:
    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            raise RuntimeError("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
        self.bin = Path(found[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="sd-fault-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> PrivatePostgres:
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def restart(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-m", "fast", "-w",
                  "restart")

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------------------------------ Redis

class PrivateRedis:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sd-fault-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        from redis import Redis

        wait_until(lambda: self._ping(Redis), 15, "redis-server to answer")
        return self

    def _ping(self, redis_class) -> bool:  # noqa: ANN001
        try:
            return bool(redis_class.from_url(self.url, socket_connect_timeout=0.5).ping())
        except Exception:  # noqa: BLE001
            return False

    def stop(self) -> None:
        """Stopped as an operator would (SHUTDOWN: the append-only file is kept), not lost."""
        if self.process is not None and self.process.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], capture_output=True, timeout=15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def destroy(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------------------------------ SMTP

@dataclass
class Received:
    to: list[str]
    subject: str
    body: str
    at: float


@dataclass
class SmtpSink:
    """An SMTP server: `refusing` answers 451 to every message; `holding` keeps the next message's
    DATA unanswered until released (a transaction a killed sender never finishes is not kept)."""

    port: int = field(default_factory=free_port)
    refusing: bool = False
    holding: bool = False
    received: list[Received] = field(default_factory=list)
    attempts: list[tuple[float, str]] = field(default_factory=list)  # (time, subject)
    held: threading.Event = field(default_factory=threading.Event)

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        subject = str(message["Subject"])
        self.attempts.append((time.monotonic(), subject))
        if self.refusing:
            return "451 4.3.0 Mail server busy, try again later"
        if self.holding:
            self.held.set()
            while self.holding:
                await asyncio.sleep(0.1)
            if server.transport is None or server.transport.is_closing():
                return "451 4.3.0 The sender went away"
        body = message.get_payload(decode=True).decode(errors="replace") if not message.is_multipart() else ""
        self.received.append(Received(list(envelope.rcpt_tos), subject, body, time.monotonic()))
        return "250 OK"

    def stop(self) -> None:
        self.holding = False
        self.controller.stop()


# ------------------------------------------------------------------------------------------ the app

def prepare_database(url: str) -> None:
    """`flask db upgrade` and `flask demo load` (catalog, rate card, the demo users)."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "REDIS_URL": None, "JOBS_MODE": "inline",
                      "MAIL_URL": None})
    runner = app.test_cli_runner()
    try:
        for args in (["db", "upgrade"], ["demo", "load"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, (args, result.output, result.exception)
    finally:
        app.extensions["database"].dispose()


def staff_token(url: str, email: str = "staff@syndication-desk.org") -> str:
    from app import create_app
    from licensing.core import tokens
    from licensing.core.db import new_session
    from licensing.core.users import find_by_email

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "REDIS_URL": None, "JOBS_MODE": "inline"})
    try:
        with app.app_context(), new_session() as s:
            return tokens.create_token(s, find_by_email(s, email), "fault tests")[1]
    finally:
        app.extensions["database"].dispose()


class Stack:
    """`python -m licensing.serve --production` on a free port, with the given environment."""

    def __init__(self, work: Path, env: dict[str, str], workers: int = 2, job_workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = work / "stack.log"
        scrubbed = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "FLASK_"))
                    and k not in ("MAIL_URL", "REDIS_URL", "DATABASE_URL", "JOBS_MODE", "PUBLIC_BASE_URL")}
        # RATELIMIT_ENABLED=0: the load is one client address (the settings allow it for load tests).
        self.env = {**scrubbed, "SECRET_KEY": SECRET_KEY, "PORT": str(self.port), "PYTHONUNBUFFERED": "1",
                    "RATELIMIT_ENABLED": "0",
                    "PUBLIC_BASE_URL": self.url, **env}
        self.args = [sys.executable, "-m", "licensing.serve", "--production", "--port", str(self.port),
                     "--workers", str(workers), "--job-workers", str(job_workers), "--stripe-in-memory"]
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> Stack:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        wait_until(self.ready, timeout, f"the production stack at {self.url} (log: {self.log_path})", 0.5)
        return self

    def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the stack exited with {self.process.returncode}:\n{self.log()}")
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=3) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self, last: int = 80) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-last:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever of the group is left
        self.process = None
