"""Browser tests: the real app as a separate server process, driven by Debian's Chromium through
Playwright.

A server is `python -m licensing.serve` on a free port, as `make run` starts it: the app with the
local Stripe stand-in beside it (kept in memory) and its webhook endpoint registered with it, so
payments and webhooks are real HTTP. Two modes:

- development (every browser test): Flask's server, a temporary SQLite file, jobs inline;
- production (tests parametrized with `@pytest.mark.parametrize("live_server", MODES,
  indirect=True)`): `--production`, i.e. gunicorn with 2 workers and 2 RQ workers, a fresh
  PostgreSQL database made for the run and dropped after it, and a Redis database number of its
  own, emptied before and after. It is skipped when PostgreSQL or Redis cannot be had (failed in CI).

Each database is migrated by the real migrations and given the demo data by the real CLI commands
(`flask db upgrade`, `flask demo load`, run in this process to save two interpreter start-ups).
One server per mode and test session; the production one is launched together with the first, so
that it boots while the first tests run. Every server runs in a process group of its own (the
stand-in, gunicorn and RQ workers included), which is ended as a whole, also when a test fails.
Its log is kept and attached to any failing browser test.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

from .axe import AxeWatch

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
START_TIMEOUT = {"development": 45.0, "production": 90.0}  # interpreters start slowly on a busy 2-core machine
DEFAULT_TIMEOUT_MS = 5_000
SECRET_KEY = "e2e-secret-key"
MODES = ("development", "production")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
REDIS_DBS = range(15, 7, -1)  # the e2e run claims the first empty one of these
REDIS_CLAIM = "syndication-desk:e2e-claim"  # the pid of the test run using the database
REDIS_USED = "syndication-desk:e2e-used"  # the database holds e2e data only
# Settings that must come from the fixture, never from the shell that runs the tests.
SCRUBBED_ENV = ("FLASK_DEBUG", "FLASK_RUN_PORT", "FLASK_RUN_HOST", "FLASK_APP", "PUBLIC_BASE_URL", "MAIL_URL",
                "REDIS_URL", "DATABASE_URL", "JOBS_MODE", "LOG_FORMAT", "TRUST_PROXY", "STRIPE_SECRET_KEY",
                "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "STRIPE_ALLOW_LIVE_KEYS")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _in_ci() -> bool:
    """In CI a missing PostgreSQL or Redis fails the production-mode tests (as tests/conftest.py
    does for PostgreSQL) instead of skipping them."""
    return bool(os.environ.get("CI")) and not os.environ.get("ALLOW_NO_POSTGRES")


class LiveServer:
    def __init__(self, mode: str, url: str, log_path: Path, process: subprocess.Popen):
        self.mode = mode
        self.url = url
        self.log_path = log_path
        self.process = process

    def log(self, last: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-last:])

    def log_mark(self) -> int:
        """Where the log ends now: `log_since(mark)` reads what the server wrote after it."""
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_since(self, mark: int) -> str:
        with self.log_path.open("rb") as fh:
            fh.seek(mark)
            return fh.read().decode(errors="replace")

    def wait_for_log(self, pattern: str, since: int = 0, timeout: float = 15.0) -> str:
        """Wait until the server logs a line matching `pattern` (a regex) after `since`."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_since(since)
            found = regex.search(text)
            if found:
                return found.group(0)
            if time.monotonic() > deadline:
                raise AssertionError(f"the {self.mode} server logged nothing matching {pattern!r} within "
                                     f"{timeout:.0f} s; its log since then:\n{text[-4000:]}")
            time.sleep(0.2)


# ---------------------------------------------------------------- processes

def _stop_group(process: subprocess.Popen, grace: float = 25.0) -> None:
    """End the server's whole process group (the launcher, the stand-in, gunicorn, RQ workers):
    SIGTERM, then SIGKILL for whatever still runs after `grace` seconds."""
    pgid = process.pid  # start_new_session: the group's id is the launcher's pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _group_alive(pgid) and time.monotonic() < deadline:
        process.poll()  # reap the launcher as soon as it exits
        time.sleep(0.1)
    if _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group is still running (zombies awaiting their reaper do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def _prepare_database(url: str, log_path: Path) -> None:
    """`flask db upgrade` and `flask demo load` on `url`: the real commands, in this process."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "REDIS_URL": None, "JOBS_MODE": "inline"})
    runner = app.test_cli_runner()
    try:
        with log_path.open("a") as log:
            for args in (["db", "upgrade"], ["demo", "load"]):
                result = runner.invoke(args=args)
                log.write(f"$ flask {' '.join(args)}\n{result.output}")
                if result.exit_code != 0:
                    detail = repr(result.exception) if result.exception else ""
                    raise RuntimeError(f"`flask {' '.join(args)}` failed ({result.exit_code}): {detail}\n"
                                       f"{result.output}")
    finally:
        app.extensions["database"].dispose()


class _Postgres:
    """A fresh database on the local PostgreSQL server, dropped at the end."""

    def __init__(self) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        raw = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
        raw = raw.replace("postgresql://", "postgresql+psycopg://", 1) if raw.startswith("postgresql://") else raw
        self.server = make_url(raw)
        self.name = f"sd_e2e_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(self.server.set(database="postgres"), isolation_level="AUTOCOMMIT",
                                   connect_args={"connect_timeout": 3})

    def create(self) -> str:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.server.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        from sqlalchemy import text

        try:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            self.admin.dispose()


class _RedisDb:
    """A Redis database number of this run's own: the first of REDIS_DBS that is empty (or holds
    the leftovers of an earlier e2e run) and not claimed by a running test process. The claim is a
    key holding our pid; the database is emptied before and after."""

    def __init__(self) -> None:
        from redis import Redis

        base = re.sub(r"/\d*$", "", (os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS).rstrip("/"))
        me = str(os.getpid())
        for number in REDIS_DBS:
            client = Redis.from_url(f"{base}/{number}", socket_connect_timeout=3, socket_timeout=5,
                                    decode_responses=True)
            owner = client.get(REDIS_CLAIM)
            if owner and not _pid_alive(owner):
                client.delete(REDIS_CLAIM)  # its test run has gone: the database is free again
            if client.set(REDIS_CLAIM, me, nx=True):
                if client.dbsize() == 1 or client.exists(REDIS_USED):  # empty, or an earlier run's
                    client.flushdb()
                    client.set(REDIS_CLAIM, me)
                    client.set(REDIS_USED, "1")
                    self.client, self.url = client, f"{base}/{number}"
                    return
                client.delete(REDIS_CLAIM)  # someone else's data: leave it alone
            client.close()
        raise RuntimeError(f"no free Redis database among {list(REDIS_DBS)} at {base}")

    def release(self) -> None:
        try:
            self.client.flushdb()
        finally:
            self.client.close()


def _pid_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class Servers:
    """The session's servers, one per mode, launched on first need and stopped at the end."""

    def __init__(self, work: Path):
        self.work = work
        self.launched: dict[str, LiveServer] = {}
        self.ready: set[str] = set()
        self.failed: dict[str, tuple[str, str]] = {}  # mode -> ("skip" or "fail", message)
        self.cleanups: list = []

    def launch(self, mode: str) -> None:
        """Prepare the database and start the server, without waiting for it to answer."""
        if mode in self.launched or mode in self.failed:
            return
        work = self.work / mode
        work.mkdir()
        log_path = work / "server.log"
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        env.update(SECRET_KEY=SECRET_KEY, PORT=str(port), PYTHONUNBUFFERED="1")
        args = [sys.executable, "-m", "licensing.serve", "--port", str(port), "--stripe-in-memory"]
        if mode == "production":
            try:
                postgres = _Postgres()
                url = postgres.create()
            except Exception as exc:  # noqa: BLE001 - any failure means no usable server
                self._unavailable(mode, f"PostgreSQL is not reachable: {exc}")
                return
            self.cleanups.append(postgres.drop)
            try:
                redis_db = _RedisDb()
            except Exception as exc:  # noqa: BLE001
                self._unavailable(mode, f"Redis is not usable: {exc}")
                return
            self.cleanups.append(redis_db.release)
            env.update(DATABASE_URL=url, REDIS_URL=redis_db.url)
            args += ["--production", "--workers", "2", "--job-workers", "2"]
        else:
            # Jobs (PDFs, e-mails) in the in-process thread pool, as `make run` has them.
            env.update(DATABASE_URL=f"sqlite:///{work / 'e2e.db'}", JOBS_MODE="thread")
        try:
            _prepare_database(env["DATABASE_URL"], log_path)
        except Exception as exc:  # noqa: BLE001 - this mode's tests fail with it, the others go on
            self.failed[mode] = ("fail", f"{mode} mode: preparing the database failed: {exc}")
            return
        with log_path.open("a") as log:
            log.write(f"$ {' '.join(args[1:])}\n")
            log.flush()
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # its own process group: see _stop_group
        self.cleanups.append(lambda: _stop_group(process))
        self.launched[mode] = LiveServer(mode, f"http://127.0.0.1:{port}", log_path, process)
        self.launched[mode].database_url = env["DATABASE_URL"]

    def _unavailable(self, mode: str, message: str) -> None:
        self.failed[mode] = ("fail" if _in_ci() else "skip", f"{mode} mode: {message}")

    def get(self, mode: str) -> LiveServer:
        self.launch(mode)
        if mode in self.failed:
            how, message = self.failed[mode]
            if how == "skip":
                pytest.skip(message)
            pytest.fail(message, pytrace=False)
        server = self.launched[mode]
        if mode not in self.ready:
            self._wait_until_ready(server)
            self.ready.add(mode)
        return server

    def _wait_until_ready(self, server: LiveServer) -> None:
        """/readyz answers 200 once the database, the job queue and the Stripe stand-in answer."""
        timeout = START_TIMEOUT[server.mode]
        deadline = time.monotonic() + timeout
        while True:
            if server.process.poll() is not None:
                self.failed[server.mode] = ("fail", f"the {server.mode} server exited with "
                                                    f"{server.process.returncode}:\n{server.log()}")
                pytest.fail(self.failed[server.mode][1], pytrace=False)
            try:
                with urllib.request.urlopen(server.url + "/readyz", timeout=3) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.failed[server.mode] = ("fail", f"the {server.mode} server was not ready at {server.url} "
                                                    f"within {timeout:.0f} s:\n{server.log()}")
                pytest.fail(self.failed[server.mode][1], pytrace=False)
            time.sleep(0.2)

    def close(self) -> None:
        """Stop the processes, then empty Redis and drop the database; once, whatever failed."""
        errors = []
        while self.cleanups:  # processes first (launched last), then Redis and the database
            cleanup = self.cleanups.pop()
            try:
                cleanup()
            except Exception as exc:  # noqa: BLE001 - clean up the rest, report at the end
                errors.append(repr(exc))
        if errors:
            raise RuntimeError(f"e2e clean-up failed: {errors}")


def _mode_of(item: pytest.Item) -> str | None:
    """The server mode a browser test runs against; None for other tests."""
    if not item.get_closest_marker("e2e"):
        return None
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("live_server", "development") if callspec else "development"


def _modes_wanted(session: pytest.Session) -> list[str]:
    wanted = []
    for item in session.items:
        mode = _mode_of(item)
        if mode and mode not in wanted:
            wanted.append(mode)
    return wanted


def pytest_collection_modifyitems(session, config, items) -> None:  # noqa: ANN001
    """The production-mode tests run after the other browser tests, so that the production server
    (launched with the first browser test) boots while those run; with pytest-xdist all browser
    tests go to one worker (one set of servers), the rest of the suite to the others."""
    for item in items:
        if "tests/e2e/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("browser"))
    production = [item for item in items if _mode_of(item) == "production"]
    if not production:
        return
    rest = [item for item in items if _mode_of(item) != "production"]
    browser = [i for i, item in enumerate(rest) if _mode_of(item)]
    at = browser[-1] + 1 if browser else len(rest)
    items[:] = rest[:at] + production + rest[at:]


@pytest.fixture(scope="session")
def servers(request, tmp_path_factory):  # noqa: ANN001, ANN201
    pool = Servers(tmp_path_factory.mktemp("e2e-servers"))
    atexit.register(pool.close)  # also when pytest is interrupted before the fixture's teardown
    try:
        for mode in _modes_wanted(request.session):  # launch all that will be needed, wait for each when used
            pool.launch(mode)
        yield pool
    finally:
        pool.close()


@pytest.fixture
def live_server(request, servers) -> LiveServer:  # noqa: ANN001
    """The development server, or the production one with indirect parametrization."""
    mode = getattr(request, "param", "development")
    assert mode in MODES, f"unknown server mode {mode!r}"
    return servers.get(mode)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium package "
                    "(`playwright install` cannot work on this machine).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        server = item.funcargs.get("live_server") if hasattr(item, "funcargs") else None
        if server is not None:
            report.sections.append((f"{server.mode} app server log (last lines)", server.log()))


# The actions before which a page just loaded is checked by axe (AxeWatch): anything that may
# leave or change the page.
LOCATOR_ACTIONS = ("click", "dblclick", "fill", "check", "uncheck", "set_checked", "select_option", "press",
                   "press_sequentially", "type", "tap", "set_input_files")
PAGE_ACTIONS = ("goto", "reload", "go_back", "go_forward", "click", "fill", "check", "select_option", "press",
                "screenshot")


@pytest.fixture
def axe_watch(monkeypatch) -> AxeWatch:  # noqa: ANN001
    """axe-core on every page the test's browser pages load (see tests/e2e/axe.py, AxeWatch)."""
    watch = AxeWatch()

    def before(method, page_of):  # noqa: ANN001, ANN202
        def wrapped(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            watch.settle(page_of(self))
            return method(self, *args, **kwargs)
        return wrapped

    for name in LOCATOR_ACTIONS:
        monkeypatch.setattr(Locator, name, before(getattr(Locator, name), lambda loc: loc.page))
    for name in PAGE_ACTIONS:
        monkeypatch.setattr(Page, name, before(getattr(Page, name), lambda page: page))
    yield watch
    watch.settle_all()
    assert not watch.found, "\n\n".join(watch.found)


def _new_page(browser, live_server: LiveServer, **context_options):  # noqa: ANN001, ANN202
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server, axe_watch):  # noqa: ANN001, ANN201
    context, page = _new_page(browser, live_server)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield axe_watch.watch(page)
    axe_watch.settle_all()
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page_without_js(browser, live_server, axe_watch):  # noqa: ANN001, ANN201
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield axe_watch.watch(page, scripts=False)
    axe_watch.settle_all()
    context.close()


@pytest.fixture
def new_page(browser, live_server, axe_watch):  # noqa: ANN001, ANN201
    """A factory of pages with their own context (cookies) and options (e.g. a phone viewport):
    e.g. the publisher and a member of staff side by side. JavaScript errors fail the test."""
    contexts, errors = [], []

    def make(**options):  # noqa: ANN003, ANN202
        context, page = _new_page(browser, live_server, **options)
        contexts.append(context)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return axe_watch.watch(page)

    yield make
    axe_watch.settle_all()
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
