"""Launcher of the local Stripe stand-in (localstripe) for machines without internet.

`python -m invoices.stripe_standin --port 0 [--persist FILE]` binds 127.0.0.1 only (the stock
command binds every interface), keeps its state in memory unless --persist is given (the stock
command pickles to /tmp after every write, which slows each call as data grows), and prints
`READY <port>` once it listens."""
from __future__ import annotations

import argparse
import collections
import logging
import pickle
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def _configure_store(persist: Path | None) -> None:
    from localstripe import resources  # noqa: PLC0415 - localstripe loads only in the stand-in's own process

    def load(self) -> None:
        if persist and persist.exists():
            with persist.open("rb") as fh:
                self.clear()
                self.update(pickle.load(fh))

    def dump(self) -> None:
        if persist:
            tmp = persist.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(dict(self), fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(persist)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.store.try_load_from_disk()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--persist", type=Path, default=None)
    args = parser.parse_args(argv)
    _configure_store(args.persist)
    from aiohttp import web  # noqa: PLC0415 - after the store is configured: localstripe reads it on import
    from localstripe.server import app  # noqa: PLC0415 - as above

    logging.basicConfig(level=logging.WARNING)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    # Listen now: aiohttp runs on_startup (which announces READY) before it starts serving, and a
    # bound socket that is not listening yet refuses connections. Queued, they wait to be served.
    sock.listen(128)
    port = sock.getsockname()[1]

    async def announce(_app) -> None:
        print(f"READY {port}", flush=True)

    app.on_startup.append(announce)
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    main(sys.argv[1:])


# ---------------------------------------------------------------- for the processes that need one

class StandIn:
    """A stand-in server in a child process: `StandIn.start()`, then `.base_url`, `.stop()`."""

    def __init__(self, process, port: int):

        self.process = process
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        # Keep reading its output: a full pipe would block the stand-in at its next log line.
        self.output: collections.deque[str] = collections.deque(maxlen=200)
        if process.stdout is not None:
            threading.Thread(target=self._drain, name="standin-output", daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    @classmethod
    def start(cls, persist: Path | None = None, timeout: float = 20.0) -> StandIn:

        args = [sys.executable, "-m", "invoices.payments.standin", "--port", "0"]
        if persist:
            args += ["--persist", str(persist)]
        root = Path(__file__).resolve().parents[2]
        process = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if line.startswith("READY "):
                return cls(process, int(line.split()[1]))
            if process.poll() is not None:
                break
        process.kill()
        raise RuntimeError("the local Stripe stand-in did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except Exception:
            self.process.kill()
