"""The pixel's hits, counted without a database row per hit (Redis when REDIS_URL is set, else in this
process) and folded into usage_daily in batches, each batch exactly once (its id is stored with it)."""
from __future__ import annotations

import logging
import os

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from licensing.core.db import begin_write, get_db
from licensing.delivery.counters import (
    Batch,
    HitCounter,
    InProcessCounter,
    PeriodicFolder,
    RedisCounter,
    fold_batches,
    fold_on_exit,
)
from licensing.delivery.models import (
    UsageBatch,
    UsageDaily,
)
from licensing.delivery.rules.pixel import pixel_key, pixel_path, pixel_token, registrable_domain
from licensing.licenses.models import License

log = logging.getLogger(__name__)

FOLD_CHUNK = 1000  # rows per upsert round trip (and license numbers per look-up)
# In-process counting: each worker folds this often (USAGE_FOLD_SECONDS), so a SIGKILLed worker loses at
# most this long of its own hits; a fold is one small transaction, so a short interval costs little.
FOLD_INTERVAL_SECONDS = 2.0
# Counting in Redis: each process sends its hits this often (USAGE_FLUSH_SECONDS; 0: each hit at once).
# One script call per interval instead of a round trip per hit; a SIGKILL loses at most this long.
FLUSH_INTERVAL_SECONDS = 0.1


# ---------------------------------------------------------------- the pixel's counter


def init_app(app: Flask) -> None:
    """One counter per process: Redis when REDIS_URL is set (folded by the scheduled task, any worker's
    exit, or `flask usage fold`), else a dict per process folded by its own thread every few seconds.
    Either way what is left is folded when the process exits (SIGTERM ends a worker through SystemExit)."""
    settings = app.config["SETTINGS"]
    counter: HitCounter
    if settings.redis_url and not app.config.get("USAGE_IN_PROCESS"):
        prefix = app.config.get("USAGE_REDIS_PREFIX") or os.environ.get("USAGE_REDIS_PREFIX") or "sd:"
        # test apps count straight into Redis unless told otherwise (no thread per app: they come and go)
        flush = app.config.get("USAGE_FLUSH_SECONDS", 0.0 if app.config.get("TESTING") else
                               float(os.environ.get("USAGE_FLUSH_SECONDS") or FLUSH_INTERVAL_SECONDS))
        counter = RedisCounter(_redis_client(settings.redis_url), prefix=prefix, flush_seconds=flush)
    else:
        counter = InProcessCounter()
    app.extensions["usage_counter"] = counter
    app.extensions["pixel_key"] = pixel_key(app.config["SECRET_KEY"])
    registrable_domain("www.example.org")  # load the Public Suffix List now, not on a reader's first hit

    def fold(batch: Batch) -> None:
        with app.app_context():
            fold_batch(batch)

    app.extensions["usage_fold"] = fold
    if app.config.get("TESTING"):  # test apps come and go by the hundred: the tests fold by hand
        app.extensions["usage_fold_remaining"] = lambda: fold_batches(counter, fold)
        return
    app.extensions["usage_fold_remaining"] = fold_on_exit(counter, fold)
    if isinstance(counter, InProcessCounter):
        interval = float(os.environ.get("USAGE_FOLD_SECONDS") or FOLD_INTERVAL_SECONDS)
        app.extensions["usage_folder"] = PeriodicFolder(counter, fold, interval).start()


def _redis_client(url: str):
    from redis import Redis  # noqa: PLC0415 - only with REDIS_URL; the in-process mode needs no client

    return Redis.from_url(url)


def counter_of(app: Flask) -> HitCounter:
    return app.extensions["usage_counter"]


def fold_usage(app: Flask) -> int:
    """Fold every batch waiting (this process's, or all of Redis's): the hits folded."""
    return fold_batches(counter_of(app), app.extensions["usage_fold"])


def fold_batch(batch: Batch) -> None:
    """One batch into usage_daily, in one transaction with its batch id (exactly once: a batch folded
    before fails on the id, and is then only confirmed)."""
    session = get_db().sessions()
    try:
        begin_write(session)
        session.add(UsageBatch(batch_id=batch.batch_id, hits=batch.total))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            log.info("usage batch %s was folded already", batch.batch_id)
            return
        numbers = sorted({c.license_number for c in batch.counts})
        ids: dict[str, int] = {}
        for start in range(0, len(numbers), FOLD_CHUNK):
            ids.update(session.execute(select(License.number, License.id)
                                       .where(License.number.in_(numbers[start:start + FOLD_CHUNK]))).all())
        rows = [dict(license_id=ids[c.license_number], day=c.day, referrer_domain=c.referrer_domain,
                     views=c.views, bot_views=c.bot_views)
                for c in batch.counts if c.license_number in ids]  # a number we signed but no longer know: skip
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = insert(UsageDaily)
        stmt = stmt.on_conflict_do_update(
            index_elements=["license_id", "day", "referrer_domain"],
            set_={"views": UsageDaily.views + stmt.excluded.views,
                  "bot_views": UsageDaily.bot_views + stmt.excluded.bot_views})
        for start in range(0, len(rows), FOLD_CHUNK):  # one executemany per chunk, not a statement per row
            session.execute(stmt, rows[start:start + FOLD_CHUNK])
        session.commit()
    finally:
        session.close()


def pixel_url(number: str) -> str:
    """The pixel's absolute address (PUBLIC_BASE_URL: it is loaded from the licensee's pages)."""
    base = current_app.config["SETTINGS"].public_base_url.rstrip("/")
    return base + pixel_path(number, pixel_token(current_app.extensions["pixel_key"], number))
