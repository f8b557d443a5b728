"""Helpers of the benches that run the app as real processes: free ports, a Redis database of
their own (claimed empty, emptied afterwards), child processes in their own process group (stopped
with SIGTERM, then SIGKILL of that group only), and per-process figures read from /proc."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from . import ROOT

CLAIM_KEY = "sd-bench:claim"
BIN = Path(sys.executable).parent


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_database() -> Iterator[str | None]:
    """redis://.../N of an empty logical database claimed for this run (15 down to 1, never 0, which
    `make serve` uses); every key in it is deleted afterwards. None when no Redis answers."""
    from redis import Redis

    base = (os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379").rstrip("/")
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    chosen = None
    try:
        for number in range(15, 0, -1):
            client = Redis.from_url(f"{base}/{number}", socket_connect_timeout=3)
            if client.dbsize() == 0 and client.set(CLAIM_KEY, str(os.getpid()), nx=True, ex=3 * 3600):
                chosen = (number, client)
                break
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means no usable server
        print(f"Redis not reachable at {base}: skipped ({type(exc).__name__})")
        yield None
        return
    if chosen is None:
        print("Redis: no empty logical database (1-15) to use: skipped")
        yield None
        return
    number, client = chosen
    try:
        yield f"{base}/{number}"
    finally:
        keys = list(client.scan_iter(count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start:start + 500])
        client.close()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return sorted(found)


def descendants_of(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Service:
    """A child process in a process group of its own, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path, cwd: Path = ROOT):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.pid = self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 30) -> str:
        self._log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (it stops its own children), then SIGKILL of its process group if anything is left."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # the group is this child's own (start_new_session)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self._log.close()


def wait_http(url: str, service: Service | None = None, timeout: float = 60, ok=(200,)) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service is not None and not service.alive():
            raise RuntimeError(f"{service.name} stopped while starting:\n{service.tail()}")
        try:
            if requests.get(url, timeout=2, allow_redirects=False).status_code in ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s" +
                       (f":\n{service.tail()}" if service else ""))


def serve_supports(flag: str) -> bool:
    """Whether `python -m licensing.serve` knows an option (e.g. --stripe-in-memory)."""
    out = subprocess.run([sys.executable, "-m", "licensing.serve", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    return flag in out.stdout


def gunicorn_workers(ancestor: int) -> list[int]:
    """PIDs of gunicorn's worker processes under a process (or of the gunicorn master it is)."""
    for pid in [ancestor, *descendants_of(ancestor)]:
        if "gunicorn" in cmdline(pid) and "gunicorn" not in cmdline(_parent(pid)):
            return children_of(pid)
    return []


def rq_workers(ancestor: int) -> list[int]:
    """PIDs of `flask ... jobs worker` processes under a process (not their per-job work horses)."""
    return [pid for pid in descendants_of(ancestor)
            if "jobs worker" in cmdline(pid) and "jobs worker" not in cmdline(_parent(pid))]


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def clean_env(**values: str) -> dict:
    """The environment of a server process: this one's, without the app's own settings (so a
    developer's .env or shell cannot leak in), plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "DATABASE_URL", "REDIS_URL",
                                                                     "MAIL_", "JOBS_MODE", "PUBLIC_BASE_URL",
                                                                     "RATELIMIT_", "SECRET_KEY", "PORT"))}
    env.update(values)
    return env
