"""Pixel hits counted without a database row per hit: in Redis when REDIS_URL is set (shared by all
workers and hosts), in process otherwise (one dict per worker). Counts are folded into the database
in batches: per license, day and referrer domain, human views and bot views apart.

A batch goes through drain -> fold (the caller's database transaction) -> confirm. Nothing is lost
and nothing counted twice:
- Redis: drain RENAMEs the live hash to a batch key and claims it with a lease, in one Lua script,
  so a hit lands either before the rename (in the batch) or after it (in the next live hash), and two
  workers draining at once never claim the same batch. A batch not confirmed (its worker died between
  drain and commit) is claimed again once its lease runs out. If a slow worker's lease ran out and
  another worker folded the batch too, the fold's record of the batch id (unique in the database,
  written in the fold's transaction) refuses the second fold: exactly once overall.
- In process: drain swaps the dict under a lock; a failed fold hands its batch back (release). On
  SIGTERM the worker exits through SystemExit, so an atexit hook (or gunicorn's worker_exit) folds
  what is left; a SIGKILL loses at most the hits since the last periodic fold of that process.

Memory stays bounded: one field per (license, day, domain, human/bot) per flush interval, and past
`max_fields` distinct fields in one interval a new domain is counted under OVERFLOW_DOMAIN (a flood of
forged Referer headers cannot grow the hash without bound).
"""
from __future__ import annotations

import atexit
import logging
import os
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)
OVERFLOW_DOMAIN = "~other"
DEFAULT_MAX_FIELDS = 200_000
DEFAULT_LEASE_SECONDS = 300
_NUMBER_RE = re.compile(r"^[A-Z0-9-]{1,20}$")


@dataclass(frozen=True)
class UsageCount:
    license_number: str
    day: date
    referrer_domain: str
    views: int
    bot_views: int


@dataclass(frozen=True)
class Batch:
    batch_id: str
    counts: tuple[UsageCount, ...]

    @property
    def total(self) -> int:
        return sum(c.views + c.bot_views for c in self.counts)


class HitCounter(Protocol):
    def count(self, license_number: str, day: date, referrer_domain: str, is_bot: bool) -> None: ...
    def drain(self) -> list[Batch]: ...
    def confirm(self, batch: Batch) -> None: ...
    def release(self, batch: Batch) -> None: ...


def _check(license_number: str, referrer_domain: str) -> None:
    # The pixel view passes a verified license number and a domain from referrer_domain(); a "|" in
    # either would split a Redis field wrongly, so anything else is a programming error.
    if not _NUMBER_RE.match(license_number) or "|" in referrer_domain or len(referrer_domain) > 253:
        raise ValueError(f"not a countable hit: {license_number!r}, {referrer_domain!r}")


def field_of(license_number: str, day: date, referrer_domain: str, is_bot: bool) -> str:
    return f"{license_number}|{day.isoformat()}|{referrer_domain}|{'b' if is_bot else 'h'}"


def counts_of(fields: Iterable[tuple[str, int]]) -> tuple[UsageCount, ...]:
    """Fields "LIC|day|domain|h-or-b" with their counts -> one UsageCount per license, day and domain."""
    merged: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for field, value in fields:
        number, day, domain, kind = field.split("|")
        merged[(number, day, domain)][kind == "b"] += int(value)
    return tuple(UsageCount(number, date.fromisoformat(day), domain, views, bots)
                 for (number, day, domain), (views, bots) in sorted(merged.items()) if views or bots)


# ---------------------------------------------------------------- in process


class InProcessCounter:
    """A dict under a lock, per process. Each gunicorn worker folds its own counts."""

    def __init__(self, max_fields: int = DEFAULT_MAX_FIELDS) -> None:
        self.max_fields = max_fields
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, date, str, bool], int] = {}

    def count(self, license_number: str, day: date, referrer_domain: str, is_bot: bool) -> None:
        _check(license_number, referrer_domain)
        key = (license_number, day, referrer_domain, is_bot)
        with self._lock:
            counts = self._counts
            if key not in counts and len(counts) >= self.max_fields:
                key = (license_number, day, OVERFLOW_DOMAIN, is_bot)
            counts[key] = counts.get(key, 0) + 1

    def drain(self) -> list[Batch]:
        with self._lock:
            counts, self._counts = self._counts, {}
        if not counts:
            return []
        fields = ((field_of(*key), value) for key, value in counts.items())
        return [Batch(uuid.uuid4().hex, counts_of(fields))]

    def confirm(self, batch: Batch) -> None:
        """Nothing to do: the batch left the dict when it was drained."""

    def release(self, batch: Batch) -> None:
        """The fold failed: put the batch's counts back, to be drained again."""
        with self._lock:
            for c in batch.counts:
                for is_bot, value in ((False, c.views), (True, c.bot_views)):
                    if value:
                        key = (c.license_number, c.day, c.referrer_domain, is_bot)
                        self._counts[key] = self._counts.get(key, 0) + value

    def pending_hits(self) -> int:
        with self._lock:
            return sum(self._counts.values())


# ---------------------------------------------------------------- Redis

# KEYS[1] live hash; ARGV: field, overflow field, max fields. One round trip per hit.
_COUNT_LUA = """
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n == 1 and redis.call('HLEN', KEYS[1]) > tonumber(ARGV[3]) then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
end
return n
"""

# KEYS[1] live hash, KEYS[2] pending batches (a sorted set: batch id -> lease end, server time);
# ARGV: batch key prefix, new batch id, lease seconds. Returns the batch ids now claimed by the caller:
# the live hash renamed into a new batch, and any batch whose lease ran out (its worker died).
_CLAIM_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local lease_end = now + tonumber(ARGV[3])
local claimed = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZADD', KEYS[2], lease_end, id)
  table.insert(claimed, id)
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], ARGV[1] .. ARGV[2])
  redis.call('ZADD', KEYS[2], lease_end, ARGV[2])
  table.insert(claimed, ARGV[2])
end
return claimed
"""


class RedisCounter:
    """Counts in one Redis hash shared by every worker; see the module docstring for drain's guarantees.

    Keys (all in one hash slot, for a cluster): {prefix}{usage}:live, {prefix}{usage}:pending and one
    {prefix}{usage}:batch:<id> per batch drained and not yet confirmed. Run Redis with appendonly yes
    for counts to survive a Redis restart (everysec: at most a second of hits lost).
    """

    def __init__(self, client: Redis, prefix: str = "sd:", max_fields: int = DEFAULT_MAX_FIELDS,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.client = client
        self.max_fields = max_fields
        self.lease_seconds = lease_seconds
        self.live_key = f"{prefix}{{usage}}:live"
        self.pending_key = f"{prefix}{{usage}}:pending"
        self.batch_prefix = f"{prefix}{{usage}}:batch:"
        self._count = client.register_script(_COUNT_LUA)
        self._claim = client.register_script(_CLAIM_LUA)

    def count(self, license_number: str, day: date, referrer_domain: str, is_bot: bool) -> None:
        _check(license_number, referrer_domain)
        self._count(keys=[self.live_key], args=[
            field_of(license_number, day, referrer_domain, is_bot),
            field_of(license_number, day, OVERFLOW_DOMAIN, is_bot), self.max_fields])

    def drain(self) -> list[Batch]:
        ids = self._claim(keys=[self.live_key, self.pending_key],
                          args=[self.batch_prefix, uuid.uuid4().hex, self.lease_seconds])
        batches = []
        for raw_id in ids:
            batch_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
            fields = self.client.hgetall(self.batch_prefix + batch_id)
            batches.append(Batch(batch_id, counts_of(
                ((k.decode() if isinstance(k, bytes) else k), int(v)) for k, v in fields.items())))
        return batches

    def confirm(self, batch: Batch) -> None:
        """The batch is in the database: forget it."""
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.batch_prefix + batch.batch_id)
        pipe.zrem(self.pending_key, batch.batch_id)
        pipe.execute()

    def release(self, batch: Batch) -> None:
        """The fold failed: let the next drain (any worker's) claim the batch at once."""
        self.client.zadd(self.pending_key, {batch.batch_id: 0}, xx=True)

    def pending_batches(self) -> int:
        return self.client.zcard(self.pending_key)


# ---------------------------------------------------------------- folding


def fold_batches(counter: HitCounter, fold: Callable[[Batch], None]) -> int:
    """Drain the counter and fold each batch (`fold` commits it, with its batch id, in one transaction);
    a batch whose fold raised is released for a later drain. Returns the hits folded."""
    folded = 0
    for batch in counter.drain():
        try:
            fold(batch)
        except BaseException:
            counter.release(batch)
            raise
        counter.confirm(batch)
        folded += batch.total
    return folded


def fold_on_exit(counter: HitCounter, fold: Callable[[Batch], None]) -> Callable[[], int]:
    """Fold what is left when the process exits (SIGTERM in a gunicorn worker ends in SystemExit, so
    atexit runs); returns the hook, which gunicorn's worker_exit can also call."""

    def fold_remaining() -> int:
        return fold_batches(counter, fold)

    atexit.register(fold_remaining)
    return fold_remaining


class PeriodicFolder:
    """A daemon thread folding every `interval` seconds (the in-process backend needs one per worker;
    with Redis one scheduled job anywhere is enough). stop() folds once more before returning."""

    def __init__(self, counter: HitCounter, fold: Callable[[Batch], None], interval: float = 10.0) -> None:
        self.counter, self.fold, self.interval = counter, fold, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="usage-folder", daemon=True)

    def start(self) -> PeriodicFolder:
        self._thread.start()
        return self

    def _run(self) -> None:
        # A fixed cadence (deadlines, not a pause after each fold): what a SIGKILL can lose stays one
        # interval of counts however long the folds take.
        deadline = time.monotonic() + self.interval
        while not self._stop.wait(max(0.0, deadline - time.monotonic())):
            deadline = max(deadline + self.interval, time.monotonic())
            drained_at, started = time.time(), time.monotonic()
            try:
                hits = fold_batches(self.counter, self.fold)
            except Exception:  # the batch was released: the next round retries it
                log.warning("folding the pixel counts failed; the next round retries", exc_info=True)
                continue
            # What a SIGKILL of this process would lose is what it counted since `drained_at`: logged,
            # so that it can be bounded from outside (bench/pixel_bench.py reads it)
            if hits:  # an idle worker writes no line every interval
                log.info("pixel counts folded: pid %d, drained at %.3f, %d hits in %.3f s", os.getpid(), drained_at,
                         hits, time.monotonic() - started)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return fold_batches(self.counter, self.fold)
