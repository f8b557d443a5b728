"""The one module that runs background work: inline by default, on RQ when REDIS_URL is set.

Jobs are named "module:function" with plain arguments, so any worker process can run them.
`after_commit` defers the job until the session's transaction has committed, so a job never
sees data that was rolled back.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def resolve(name: str):  # noqa: ANN201
    module, _, func = name.partition(":")
    return getattr(importlib.import_module(module), func)


def run_job(name: str, *args: Any) -> Any:
    """Entry point of a job in a worker: runs `name(*args)` inside an app context."""
    from app import create_app  # a worker builds its own app

    app = create_app()
    base = app.config["SETTINGS"].public_base_url
    with app.test_request_context("/", base_url=base):  # absolute links in e-mails
        return resolve(name)(*args)


def enqueue(name: str, *args: Any) -> None:
    redis_url = current_app.config["SETTINGS"].redis_url
    if redis_url:
        from redis import Redis
        from rq import Queue

        Queue("default", connection=Redis.from_url(redis_url)).enqueue(run_job, name, *args, retry=None)
        return
    try:
        resolve(name)(*args)
    except Exception:  # inline jobs must not break the page that triggered them
        log.exception("job %s%r failed", name, args)


def after_commit(session: Session, name: str, *args: Any) -> None:
    """Run the job once the session commits; forget it if the session rolls back."""
    session.info.setdefault("pending_jobs", []).append((current_app._get_current_object(), name, args))


@event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    pending = session.info.pop("pending_jobs", [])
    for app, name, args in pending:
        with app.app_context():
            enqueue(name, *args)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop("pending_jobs", None)
