"""gunicorn settings of production mode (`make serve`, and the load bench's "hello" app, so that the
two are measured alike): `gunicorn -c licensing/gunicorn_conf.py [--workers N] [--bind ...] APP`."""
import os
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:  # the file is also loaded by path, from other working directories
    sys.path.insert(0, ROOT)

workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)  # one per core
worker_class = "gthread"
threads = 4  # requests that wait on PostgreSQL let another one use the core
timeout = 60
graceful_timeout = 20
# No gunicorn access log: the app writes one structured line per request itself (request id, user,
# action, status, duration: licensing/observability.py); a second line per request cost CPU for nothing.
accesslog = None
# gunicorn's runtime control socket is not used, and its one default path (~/.gunicorn/gunicorn.ctl)
# would be taken over by any second gunicorn on the machine (the load bench runs two).
control_socket_disable = True


def post_worker_init(worker) -> None:
    """The app is loaded: take its heap out of later garbage collections."""
    from licensing.core.gctune import settle_heap  # noqa: PLC0415 - gunicorn loads this file by path, before ROOT is importable

    settle_heap()


def worker_exit(server, worker) -> None:
    """A worker stops (SIGTERM, max requests, a graceful restart): fold the pixel counts it still holds
    (in-process counting), or any Redis batch waiting, before it goes. The atexit hook does the same
    for processes not run by gunicorn; folding twice finds nothing the second time."""
    app = getattr(worker, "wsgi", None)
    fold = getattr(app, "extensions", {}).get("usage_fold_remaining") if app is not None else None
    if fold is not None:
        try:
            fold()
        except Exception:  # the batch was released; Redis keeps it, and nothing more can be done in process
            server.log.exception("folding the pixel counts at exit failed")
