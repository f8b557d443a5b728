"""The one module that runs background work (PDF rendering, e-mail delivery, Stripe refunds, and
with RQ the scheduled tasks of licensing/scheduled.py).

Three modes (setting JOBS_MODE): "rq" when REDIS_URL is set (a real queue: workers on any
host, retried), "thread" by default (an in-process pool, so nobody waits for a PDF), and
"inline" (run at once; the tests' default, deterministic). Jobs are named "module:function" with
plain arguments, so any worker process can run them. `after_commit` defers a job until the
session's transaction has committed, so a job never sees data that was rolled back; work a
crash interrupts is never lost, because its state is in the database (a pending document, a
queued message, a pending refund) and `flask documents render-pending` / `payments reconcile`
pick it up.
"""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, SimpleWorker
from rq.cron import CronScheduler
from sqlalchemy import event
from sqlalchemy.orm import Session

from licensing.core.gctune import settle_heap

log = logging.getLogger(__name__)
QUEUE = "default"
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_worker_app: Flask | None = None


def resolve(name: str):
    module, _, func = name.partition(":")
    return getattr(importlib.import_module(module), func)


@contextmanager
def public_request_context(app: Flask) -> Iterator[None]:
    """A request context on PUBLIC_BASE_URL, for work outside a request (jobs, commands): links in
    e-mails are absolute and come from the setting, never from a request's Host header."""
    with app.test_request_context("/", base_url=app.config["SETTINGS"].public_base_url):
        yield


def _call(app: Flask, name: str, args: tuple) -> Any:
    with public_request_context(app):
        return resolve(name)(*args)


def run_job(name: str, *args: Any) -> Any:
    """Entry point of a job in an RQ worker: the app is the one `run_worker` was given (the run
    command builds it; nothing here imports the factory)."""
    if _worker_app is None:
        raise RuntimeError("no app in this process: start RQ workers with `flask jobs worker`")
    return _call(_worker_app, name, args)


def mode(app: Flask) -> str:
    settings = app.config["SETTINGS"]
    return settings.jobs_mode or ("rq" if settings.redis_url else ("inline" if settings.testing else "thread"))


def _in_thread(app: Flask, name: str, args: tuple) -> None:
    try:
        _call(app, name, args)
    except Exception:
        log.exception("job %s%r failed", name, args)


def _in_pool(app: Flask, name: str, args: tuple) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
    _pool.submit(_in_thread, app, name, args)


def enqueue(name: str, *args: Any) -> None:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    how = mode(app)
    if how == "rq":

        Queue(QUEUE, connection=Redis.from_url(app.config["SETTINGS"].redis_url)).enqueue(
            run_job, name, *args, retry=Retry(max=3, interval=[5, 30, 120]), job_timeout=300)
    elif how == "thread":
        _in_pool(app, name, args)
    else:
        try:
            resolve(name)(*args)
        except Exception:
            log.exception("job %s%r failed", name, args)


def _warm_up() -> None:
    """Load WeasyPrint, its fonts and the PDF stylesheet before the first job: the first document
    is not slower than the others, and all of it is part of the heap settle_heap() freezes."""
    from licensing.core.documents import TEMPLATES, stylesheet_for  # noqa: PLC0415 - documents queue jobs: a real cycle
    from licensing.core.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint loads only in a worker

    try:
        render_pdf("<!doctype html><html lang=en><head><meta charset=utf-8><title>w</title></head><body>w</body></html>",
                   stylesheet=stylesheet_for(TEMPLATES["invoice"]))  # the layout new documents are issued with
    except Exception:
        log.exception("PDF warm-up failed")


def run_worker(app: Flask, burst: bool = False) -> None:
    """An RQ worker for this app's queue (`flask jobs worker`)."""

    global _worker_app
    _worker_app = app
    connection = Redis.from_url(app.config["SETTINGS"].redis_url)
    _warm_up()
    settle_heap()
    # SimpleWorker runs jobs in this process: WeasyPrint's fonts and stylesheet stay warm between
    # jobs (a forking worker renders every document cold, 2-3x slower); memory stays flat.
    SimpleWorker([Queue(QUEUE, connection=connection)], connection=connection).work(burst=burst,
                                                                                   with_scheduler=True)


def cron_scheduler(app: Flask, schedule: Iterable):
    """RQ's scheduler of the scheduled tasks (licensing/scheduled.py gives them), each enqueued as a job."""

    scheduler = CronScheduler(connection=Redis.from_url(app.config["SETTINGS"].redis_url))
    for task in schedule:
        scheduler.register(run_job, QUEUE, args=(task.job,), interval=task.interval, cron=task.cron,
                           job_timeout=1800, name=task.name)
    return scheduler


def after_commit(session: Session, name: str, *args: Any) -> None:
    """Run the job once the session commits; forget it if the session rolls back."""
    session.info.setdefault("pending_jobs", []).append((current_app._get_current_object(), name, args))


@event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    pending = session.info.pop("pending_jobs", [])
    for app, name, args in pending:
        # The data is committed: a queue that is down (Redis restarting) must not turn a saved
        # request into an error page. The work's state is in the database (a queued message, a
        # pending document) and the sweeper (licensing/scheduled.py) queues it again.
        try:
            with app.app_context():
                enqueue(name, *args)
        except Exception as exc:
            # The queue is down: run the job in this process instead (its work is guarded against
            # running twice); the sweeper remains the net for a process that dies meanwhile.
            log.warning("job %s%r not queued (%s: %s); running it in this process", name, args,
                        type(exc).__name__, exc)
            _in_pool(app, name, args)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop("pending_jobs", None)
