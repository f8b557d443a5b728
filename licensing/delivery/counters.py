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
- Redis, buffered (the app's default): each process adds its hits up in memory and sends them every
  USAGE_FLUSH_SECONDS in one script call; a drain in that process sends its own first. A SIGKILL loses
  what that process counted since its last send, as in-process counting loses what it counted since
  its last fold.
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

    def take(self) -> dict[tuple[str, date, str, bool], int]:
        """Every count since the last take, (license, day, domain, is_bot) -> hits; the dict starts again."""
        with self._lock:
            counts, self._counts = self._counts, {}
        return counts

    def put_back(self, counts: Iterable[tuple[tuple[str, date, str, bool], int]]) -> None:
        """Counts taken and not used, added back to be taken again."""
        with self._lock:
            for key, value in counts:
                self._counts[key] = self._counts.get(key, 0) + value

    def drain(self) -> list[Batch]:
        counts = self.take()
        if not counts:
            return []
        fields = ((field_of(*key), value) for key, value in counts.items())
        return [Batch(uuid.uuid4().hex, counts_of(fields))]

    def confirm(self, batch: Batch) -> None:
        """Nothing to do: the batch left the dict when it was drained."""

    def release(self, batch: Batch) -> None:
        """The fold failed: put the batch's counts back, to be drained again."""
        self.put_back(((c.license_number, c.day, c.referrer_domain, is_bot), value) for c in batch.counts
                      for is_bot, value in ((False, c.views), (True, c.bot_views)) if value)

    def pending_hits(self) -> int:
        with self._lock:
            return sum(self._counts.values())


# ---------------------------------------------------------------- Redis

# KEYS[1] live hash; ARGV[1] max fields, then (field, overflow field, count) per field. A field not yet in
# the hash goes to its overflow field (same license, day and kind, domain "~other") once the hash holds
# max fields. One round trip per flush (or per hit, unbuffered), atomic like every script.
_ADD_LUA = """
local limit = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  local field = ARGV[i]
  if redis.call('HEXISTS', KEYS[1], field) == 0 and redis.call('HLEN', KEYS[1]) >= limit then
    field = ARGV[i + 1]
  end
  redis.call('HINCRBY', KEYS[1], field, tonumber(ARGV[i + 2]))
end
return (#ARGV - 1) / 3
"""
ADD_CHUNK = 2000  # fields per script call: a long script blocks every other Redis client meanwhile

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

    With `flush_seconds` (the default in the app, USAGE_FLUSH_SECONDS) each process adds its hits up in
    memory and a thread of its own sends them every `flush_seconds` in one script call, instead of one
    round trip per hit: the pixel then costs what in-process counting costs, and a Redis outage delays
    counts instead of failing pixels. What a SIGKILL of a worker loses is what it counted since its last
    flush (bounded by the interval); a SIGTERM, an exit or any drain flushes first. flush_seconds=0
    counts each hit straight into Redis.

    Keys (all in one hash slot, for a cluster): {prefix}{usage}:live, {prefix}{usage}:pending and one
    {prefix}{usage}:batch:<id> per batch drained and not yet confirmed. Run Redis with appendonly yes
    for counts to survive a Redis restart (everysec: at most a second of hits lost).
    """

    def __init__(self, client: Redis, prefix: str = "sd:", max_fields: int = DEFAULT_MAX_FIELDS,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS, flush_seconds: float = 0.0) -> None:
        self.client = client
        self.max_fields = max_fields
        self.lease_seconds = lease_seconds
        self.flush_seconds = flush_seconds
        self.live_key = f"{prefix}{{usage}}:live"
        self.pending_key = f"{prefix}{{usage}}:pending"
        self.batch_prefix = f"{prefix}{{usage}}:batch:"
        self._add = client.register_script(_ADD_LUA)
        self._claim = client.register_script(_CLAIM_LUA)
        self._buffer = InProcessCounter(max_fields)  # the hits of this process not yet sent
        self._flusher: threading.Thread | None = None
        self._flusher_lock = threading.Lock()
        self._send_lock = threading.Lock()

    def count(self, license_number: str, day: date, referrer_domain: str, is_bot: bool) -> None:
        if not self.flush_seconds:
            _check(license_number, referrer_domain)
            self._add_chunk([(field_of(license_number, day, referrer_domain, is_bot), 1)])
            return
        self._buffer.count(license_number, day, referrer_domain, is_bot)
        if self._flusher is None:
            self._start_flusher()

    def add(self, counts: Iterable[tuple[str, int]]) -> None:
        """Add (field, count) pairs to the live hash, ADD_CHUNK fields per script call."""
        fields = list(counts)
        for start in range(0, len(fields), ADD_CHUNK):
            self._add_chunk(fields[start:start + ADD_CHUNK])

    def _add_chunk(self, fields: list[tuple[str, int]]) -> None:
        """One script call: atomic, so it adds all of `fields` or none."""
        args: list[str | int] = []
        for field, value in fields:
            number, day, _domain, kind = field.split("|")
            args += [field, f"{number}|{day}|{OVERFLOW_DOMAIN}|{kind}", value]
        self._add(keys=[self.live_key], args=[self.max_fields, *args])

    def flush(self) -> int:
        """Send this process's buffered hits to Redis, ADD_CHUNK fields per script call; what a failed call
        did not send goes back to the buffer (a script runs whole or not at all). The hits sent. One flush
        at a time: a drain's flush waits for the flusher's, so that every hit counted before it is in Redis."""
        with self._send_lock:
            return self._send_buffer()

    def _send_buffer(self) -> int:
        counts = list(self._buffer.take().items())
        sent = 0
        for start in range(0, len(counts), ADD_CHUNK):
            chunk = counts[start:start + ADD_CHUNK]
            try:
                self._add_chunk([(field_of(*key), value) for key, value in chunk])
            except BaseException:
                self._buffer.put_back(counts[start:])
                raise
            sent += sum(value for _key, value in chunk)
        return sent

    def _start_flusher(self) -> None:
        # Started by the first hit, so in the process that counts (a gunicorn worker, after the fork).
        with self._flusher_lock:
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_forever, name="usage-flusher", daemon=True)
                self._flusher.start()

    def _flush_forever(self) -> None:
        deadline = time.monotonic() + self.flush_seconds
        while True:
            time.sleep(max(0.0, deadline - time.monotonic()))
            deadline = max(deadline + self.flush_seconds, time.monotonic())
            try:
                self.flush()
            except Exception:  # Redis unreachable: the hits stay in the buffer for the next round
                log.warning("sending the pixel counts to Redis failed; the next round retries", exc_info=True)

    def pending_hits(self) -> int:
        """Hits counted in this process and not yet sent to Redis."""
        return self._buffer.pending_hits()

    def drain(self) -> list[Batch]:
        self.flush()  # this process's hits first: a fold at exit, or right after counting, sees them all
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
