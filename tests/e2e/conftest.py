"""Browser tests: the real app as a separate server process, driven by Debian's Chromium through
Playwright.

One server per test session: a temporary SQLite file migrated by the real migrations
(`flask db upgrade`), the demo data (`flask demo load`), then `flask run` on a free port. Its log
is kept and shown when it does not start, and attached to any failing browser test.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
START_TIMEOUT = 20.0
DEFAULT_TIMEOUT_MS = 5_000


def _flask() -> str:
    """The venv's flask, beside the running interpreter (or the project's .venv)."""
    beside = Path(sys.executable).with_name("flask")
    return str(beside if beside.exists() else ROOT / ".venv" / "bin" / "flask")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, log_path: Path, process: subprocess.Popen):
        self.url = url
        self.log_path = log_path
        self.process = process

    def log(self, last: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-last:])


def _run_step(args: list[str], env: dict, log_path: Path) -> None:
    with log_path.open("a") as log:
        log.write(f"$ flask {' '.join(args)}\n")
        log.flush()
        done = subprocess.run([_flask(), "--app", "app", *args], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"`flask {' '.join(args)}` failed ({done.returncode}):\n{log_path.read_text()[-4000:]}",
                    pytrace=False)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # its own group: the server and nothing else
        process.wait(timeout=5)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    work = tmp_path_factory.mktemp("e2e-server")
    log_path = work / "server.log"
    port = _free_port()
    env = dict(os.environ)
    for name in ("FLASK_DEBUG", "FLASK_RUN_PORT", "FLASK_RUN_HOST", "PUBLIC_BASE_URL", "MAIL_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update(DATABASE_URL=f"sqlite:///{work / 'e2e.db'}", SECRET_KEY="e2e-secret-key", PORT=str(port),
               PYTHONUNBUFFERED="1")
    _run_step(["db", "upgrade"], env, log_path)
    _run_step(["demo", "load"], env, log_path)

    url = f"http://127.0.0.1:{port}"
    log = log_path.open("a")
    process = subprocess.Popen([_flask(), "--app", "app", "run", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = LiveServer(url, log_path, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the app server exited with {process.returncode}:\n{server.log()}", pytrace=False)
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app server did not answer at {url} within {START_TIMEOUT:.0f} s:\n{server.log()}",
                            pytrace=False)
            time.sleep(0.1)
        yield server
    finally:
        _stop(process)
        log.close()


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
            report.sections.append(("app server log (last lines)", server.log()))


def _new_page(browser, live_server: LiveServer, **context_options):  # noqa: ANN001, ANN202
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):  # noqa: ANN001, ANN201
    context, page = _new_page(browser, live_server)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page_without_js(browser, live_server):  # noqa: ANN001, ANN201
    context, page = _new_page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server):  # noqa: ANN001, ANN201
    """A factory of pages with their own context options (e.g. a phone viewport)."""
    contexts = []

    def make(**options):  # noqa: ANN003, ANN202
        context, page = _new_page(browser, live_server, **options)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()

