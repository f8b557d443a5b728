"""Hit counters: concurrent counting (threads, and two processes on Redis) while others drain, and the
folded totals equal the hits sent exactly: nothing lost, nothing counted twice. Redis tests use the
real server at 127.0.0.1:6379 under a random key prefix (skipped when it does not answer)."""
from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import redis

from licensing.delivery.counters import (
    OVERFLOW_DOMAIN,
    Batch,
    HitCounter,
    InProcessCounter,
    PeriodicFolder,
    RedisCounter,
    UsageCount,
    counts_of,
    fold_batches,
)

ROOT = Path(__file__).resolve().parents[3]
DAY = date(2026, 12, 5)
LICENSES = ("LIC-2026-000001", "LIC-2026-000002", "LIC-2026-000003")
DOMAINS = ("example.com", "other.org", "")


def hit_of(n: int) -> tuple[str, date, str, bool]:
    """The n-th hit of a deterministic mix of licenses, days, domains and bots."""
    return LICENSES[n % 3], date(2026, 12, 5 + n % 2), DOMAINS[(n // 3) % 3], n % 7 == 0


def expected_totals(hits: int, workers: int = 1) -> Counter:
    totals: Counter = Counter()
    for n in range(hits):
        number, day, domain, is_bot = hit_of(n)
        totals[(number, day, domain, is_bot)] += workers
    return totals


class Ledger:
    """A stand-in for the usage table: folds batches, refusing a batch id it has seen (as the unique
    batch record in the database does), and remembers which batches it folded."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.totals: Counter = Counter()
        self.batch_ids: list[str] = []

    def fold(self, batch: Batch) -> None:
        with self.lock:
            assert batch.batch_id not in self.batch_ids, "a batch was folded twice"
            self.batch_ids.append(batch.batch_id)
            for c in batch.counts:
                if c.views:
                    self.totals[(c.license_number, c.day, c.referrer_domain, False)] += c.views
                if c.bot_views:
                    self.totals[(c.license_number, c.day, c.referrer_domain, True)] += c.bot_views


def test_counts_of_merges_human_and_bot_fields():
    fields = [("LIC-1|2026-12-05|a.org|h", 3), ("LIC-1|2026-12-05|a.org|b", 2), ("LIC-1|2026-12-05||h", 1),
              ("LIC-1|2026-12-06|a.org|b", 4), ("LIC-1|2026-12-07|a.org|h", 0)]
    assert counts_of(fields) == (
        UsageCount("LIC-1", date(2026, 12, 5), "", 1, 0),
        UsageCount("LIC-1", date(2026, 12, 5), "a.org", 3, 2),
        UsageCount("LIC-1", date(2026, 12, 6), "a.org", 0, 4),
    )


@pytest.mark.parametrize(("number", "domain"), [("LIC|1", "a.org"), ("LIC-1", "a|b.org"), ("", "a.org"),
                                                ("lic-1", "a.org")])
def test_uncountable_hits_are_refused(number, domain):
    with pytest.raises(ValueError):
        InProcessCounter().count(number, DAY, domain, False)


# ---------------------------------------------------------------- in process


def _count_many(counter: HitCounter, start: int, hits: int) -> None:
    for n in range(start, start + hits):
        counter.count(*hit_of(n))


def _drain_while(counter: HitCounter, ledger: Ledger, running: threading.Event) -> None:
    while running.is_set():
        fold_batches(counter, ledger.fold)


def _run_threads(counter: HitCounter, ledger: Ledger, threads: int, hits: int, drainers: int = 2) -> None:
    running = threading.Event()
    running.set()
    drain_threads = [threading.Thread(target=_drain_while, args=(counter, ledger, running)) for _ in range(drainers)]
    count_threads = [threading.Thread(target=_count_many, args=(counter, 0, hits)) for _ in range(threads)]
    for t in drain_threads + count_threads:
        t.start()
    for t in count_threads:
        t.join()
    running.clear()
    for t in drain_threads:
        t.join()
    fold_batches(counter, ledger.fold)


def test_in_process_threads_count_and_drain_exactly():
    counter, ledger = InProcessCounter(), Ledger()
    _run_threads(counter, ledger, threads=8, hits=5000)
    assert ledger.totals == expected_totals(5000, workers=8)
    assert sum(ledger.totals.values()) == 40_000
    assert len(ledger.batch_ids) > 1  # the drains really ran during the counting
    assert counter.drain() == []


def test_in_process_failed_fold_is_released_and_folded_later():
    counter, ledger = InProcessCounter(), Ledger()
    _count_many(counter, 0, 100)

    def failing(batch: Batch) -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        fold_batches(counter, failing)
    assert counter.pending_hits() == 100
    assert fold_batches(counter, ledger.fold) == 100
    assert ledger.totals == expected_totals(100)


def test_in_process_overflow_keeps_every_hit():
    counter = InProcessCounter(max_fields=2)
    for domain in ("a.org", "b.org", "c.org", "d.org", "a.org"):
        counter.count("LIC-1", DAY, domain, False)
    (batch,) = counter.drain()
    assert batch.counts == (UsageCount("LIC-1", DAY, "a.org", 2, 0), UsageCount("LIC-1", DAY, "b.org", 1, 0),
                            UsageCount("LIC-1", DAY, OVERFLOW_DOMAIN, 2, 0))


def test_periodic_folder_folds_during_and_at_stop():
    counter, ledger = InProcessCounter(), Ledger()
    folder = PeriodicFolder(counter, ledger.fold, interval=0.01).start()
    _count_many(counter, 0, 2000)
    time.sleep(0.05)
    _count_many(counter, 2000, 1000)
    folder.stop()
    assert ledger.totals == expected_totals(3000)


EXIT_SCRIPT = textwrap.dedent("""
    import json, signal, sys, time
    from datetime import date
    sys.path.insert(0, {root!r})
    from licensing.delivery.counters import InProcessCounter, fold_on_exit

    counter = InProcessCounter()
    def fold(batch):
        with open({out!r}, "a") as f:
            f.write(json.dumps(batch.total) + "\\n")
    fold_on_exit(counter, fold)
    # As a gunicorn worker does: SIGTERM ends the process through SystemExit, so atexit runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for _ in range(1234):
        counter.count("LIC-2026-000001", date(2026, 12, 5), "example.com", False)
    print("ready", flush=True)
    time.sleep(30)
""")


def test_in_process_counts_are_folded_on_sigterm(tmp_path):
    out = tmp_path / "folded.txt"
    script = tmp_path / "worker.py"
    script.write_text(EXIT_SCRIPT.format(root=str(ROOT), out=str(out)))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert out.read_text().split() == ["1234"]


def test_without_the_exit_hook_sigterm_loses_the_counts(tmp_path):
    """The broken counterpart: the same worker with Python's default SIGTERM folds nothing."""
    out = tmp_path / "folded.txt"
    script = tmp_path / "worker.py"
    script.write_text(EXIT_SCRIPT.format(root=str(ROOT), out=str(out)).replace(
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))", ""))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == -signal.SIGTERM
    assert not out.exists()


# ---------------------------------------------------------------- Redis


def _redis() -> redis.Redis:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    client = _redis()
    prefix = f"test:{uuid.uuid4().hex}:"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _keys(prefix: str) -> list[str]:
    return sorted(k.decode() for k in _redis().scan_iter(match=f"{prefix}*"))


def test_redis_threads_count_and_drain_exactly(redis_prefix):
    counter, ledger = RedisCounter(_redis(), prefix=redis_prefix), Ledger()
    _run_threads(counter, ledger, threads=8, hits=1500)
    assert ledger.totals == expected_totals(1500, workers=8)
    assert len(ledger.batch_ids) > 1
    assert _keys(redis_prefix) == []  # every batch confirmed: no key left behind


def _process_counts(prefix: str, start: int, hits: int) -> None:
    counter = RedisCounter(redis.Redis(host="127.0.0.1", port=6379), prefix=prefix)
    _count_many(counter, start, hits)


def test_redis_two_processes_count_while_two_threads_drain(redis_prefix):
    ledger = Ledger()
    counter = RedisCounter(_redis(), prefix=redis_prefix)
    context = multiprocessing.get_context("spawn")  # no fork of a process whose threads may hold locks
    running = threading.Event()
    running.set()
    drainers = [threading.Thread(target=_drain_while, args=(RedisCounter(_redis(), prefix=redis_prefix),
                                                            ledger, running)) for _ in range(2)]
    for t in drainers:
        t.start()
    workers = [context.Process(target=_process_counts, args=(redis_prefix, 0, 3000)) for _ in range(2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(timeout=120)
        assert p.exitcode == 0
    running.clear()
    for t in drainers:
        t.join()
    fold_batches(counter, ledger.fold)
    assert ledger.totals == expected_totals(3000, workers=2)
    assert sum(ledger.totals.values()) == 6000


def test_redis_concurrent_drains_never_claim_the_same_batch(redis_prefix):
    client = _redis()
    claimed: list[list[str]] = [[], []]
    counter = RedisCounter(client, prefix=redis_prefix)

    def drain_many(slot: int) -> None:
        mine = RedisCounter(_redis(), prefix=redis_prefix)
        for _ in range(200):
            for batch in mine.drain():
                claimed[slot].append(batch.batch_id)
                mine.confirm(batch)

    drainers = [threading.Thread(target=drain_many, args=(slot,)) for slot in (0, 1)]
    counting = threading.Thread(target=_count_many, args=(counter, 0, 3000))
    for t in [counting, *drainers]:
        t.start()
    for t in [counting, *drainers]:
        t.join()
    assert claimed[0] and claimed[1]
    assert set(claimed[0]).isdisjoint(claimed[1])


def test_redis_batch_of_a_dead_worker_is_claimed_again_after_its_lease(redis_prefix):
    client = _redis()
    dying = RedisCounter(client, prefix=redis_prefix, lease_seconds=0.3)
    _count_many(dying, 0, 500)
    (lost,) = dying.drain()  # claimed, and then the worker "dies" before its fold commits
    assert lost.total == 500
    survivor, ledger = RedisCounter(client, prefix=redis_prefix, lease_seconds=0.3), Ledger()
    _count_many(survivor, 500, 100)
    first = survivor.drain()
    assert [b.total for b in first] == [100]  # the dead worker's lease still runs
    for batch in first:
        ledger.fold(batch)
        survivor.confirm(batch)
    time.sleep(0.4)
    assert fold_batches(survivor, ledger.fold) == 500
    assert ledger.totals == expected_totals(600)
    assert _keys(redis_prefix) == []


def test_redis_released_batch_is_claimable_at_once(redis_prefix):
    counter, ledger = RedisCounter(_redis(), prefix=redis_prefix), Ledger()
    _count_many(counter, 0, 50)

    def failing(batch: Batch) -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        fold_batches(counter, failing)
    assert counter.pending_batches() == 1
    assert fold_batches(counter, ledger.fold) == 50
    assert ledger.totals == expected_totals(50)
    assert counter.pending_batches() == 0


def test_redis_overflow_keeps_every_hit_and_the_hash_bounded(redis_prefix):
    counter = RedisCounter(_redis(), prefix=redis_prefix, max_fields=3)
    for n in range(20):
        counter.count("LIC-1", DAY, f"d{n}.org", False)
    assert _redis().hlen(counter.live_key) == 4  # three domains and the overflow field
    (batch,) = counter.drain()
    assert batch.counts == (UsageCount("LIC-1", DAY, "d0.org", 1, 0), UsageCount("LIC-1", DAY, "d1.org", 1, 0),
                            UsageCount("LIC-1", DAY, "d2.org", 1, 0), UsageCount("LIC-1", DAY, OVERFLOW_DOMAIN, 17, 0))


def test_redis_keys_are_only_the_live_hash_between_drains(redis_prefix):
    counter = RedisCounter(_redis(), prefix=redis_prefix)
    _count_many(counter, 0, 300)
    assert _keys(redis_prefix) == [f"{redis_prefix}{{usage}}:live"]
    assert fold_batches(counter, Ledger().fold) == 300
    assert _keys(redis_prefix) == []


def test_a_hit_between_read_and_delete_is_kept_by_rename(redis_prefix):
    """The broken counterpart of drain: reading the hash and then deleting it loses a hit that lands in
    between; the atomic rename leaves that hit in the next live hash."""
    client = _redis()
    counter = RedisCounter(client, prefix=redis_prefix)
    _count_many(counter, 0, 10)
    read = client.hgetall(counter.live_key)            # a naive drain reads...
    counter.count(*hit_of(10))                           # ...a hit lands...
    client.delete(counter.live_key)                      # ...and the delete takes it with the rest
    assert sum(int(v) for v in read.values()) == 10
    assert counter.drain() == []                         # the 11th hit is gone

    _count_many(counter, 0, 10)
    (batch,) = counter.drain()                           # the rename takes exactly what was there
    counter.count(*hit_of(10))                           # a hit after it starts a new live hash
    ledger = Ledger()
    ledger.fold(batch)
    counter.confirm(batch)
    assert fold_batches(counter, ledger.fold) == 1
    assert ledger.totals == expected_totals(11)


def test_redis_counts_survive_a_new_counter_object(redis_prefix):
    """A restarted app (a new client and counter) drains what the old one counted."""
    _count_many(RedisCounter(_redis(), prefix=redis_prefix), 0, 250)
    ledger = Ledger()
    assert fold_batches(RedisCounter(_redis(), prefix=redis_prefix), ledger.fold) == 250
    assert ledger.totals == expected_totals(250)


# ---------------------------------------------------------------- Redis, buffered per process


def test_buffered_redis_threads_count_and_drain_exactly(redis_prefix):
    counter, ledger = RedisCounter(_redis(), prefix=redis_prefix, flush_seconds=0.01), Ledger()
    _run_threads(counter, ledger, threads=8, hits=1500)
    assert ledger.totals == expected_totals(1500, workers=8)
    assert counter.pending_hits() == 0
    assert _keys(redis_prefix) == []


def test_buffered_hits_reach_redis_by_the_flusher_alone(redis_prefix):
    counter = RedisCounter(_redis(), prefix=redis_prefix, flush_seconds=0.05)
    _count_many(counter, 0, 120)
    deadline = time.monotonic() + 5
    while counter.pending_hits() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert counter.pending_hits() == 0
    ledger = Ledger()  # another process's counter drains them: they are in Redis, not in this one
    assert fold_batches(RedisCounter(_redis(), prefix=redis_prefix), ledger.fold) == 120
    assert ledger.totals == expected_totals(120)


def test_a_drain_sends_its_own_buffer_first(redis_prefix):
    counter, ledger = RedisCounter(_redis(), prefix=redis_prefix, flush_seconds=3600), Ledger()
    _count_many(counter, 0, 75)
    assert counter.pending_hits() == 75 and _keys(redis_prefix) == []
    assert fold_batches(counter, ledger.fold) == 75
    assert ledger.totals == expected_totals(75)


def test_buffered_hits_wait_out_a_redis_failure(redis_prefix):
    counter = RedisCounter(_redis(), prefix=redis_prefix, flush_seconds=3600)
    _count_many(counter, 0, 30)
    working = counter._add

    def unreachable(**_kwargs) -> None:  # noqa: ANN003
        raise redis.ConnectionError("Redis is restarting")

    counter._add = unreachable
    with pytest.raises(redis.ConnectionError, match="restarting"):
        counter.flush()
    _count_many(counter, 30, 10)  # the pixel keeps counting meanwhile
    assert counter.pending_hits() == 40
    counter._add = working
    assert counter.flush() == 40
    ledger = Ledger()
    assert fold_batches(counter, ledger.fold) == 40
    assert ledger.totals == expected_totals(40)


def test_buffered_overflow_keeps_every_hit_and_the_hash_bounded(redis_prefix):
    counter = RedisCounter(_redis(), prefix=redis_prefix, max_fields=3, flush_seconds=3600)
    for n in range(20):
        counter.count("LIC-1", DAY, f"d{n}.org", False)
    counter.flush()
    assert _redis().hlen(counter.live_key) == 4  # three domains and the overflow field
    (batch,) = counter.drain()
    assert batch.counts == (UsageCount("LIC-1", DAY, "d0.org", 1, 0), UsageCount("LIC-1", DAY, "d1.org", 1, 0),
                            UsageCount("LIC-1", DAY, "d2.org", 1, 0), UsageCount("LIC-1", DAY, OVERFLOW_DOMAIN, 17, 0))


def test_a_flush_larger_than_one_script_call_is_sent_whole(redis_prefix):
    counter = RedisCounter(_redis(), prefix=redis_prefix, flush_seconds=3600)
    for n in range(4500):  # more than two ADD_CHUNKs of fields
        counter.count(f"LIC-{n}", DAY, "news.example", n % 2 == 0)
    assert counter.flush() == 4500
    assert _redis().hlen(counter.live_key) == 4500


def test_a_flush_that_fails_halfway_sends_the_rest_once(redis_prefix):
    counter = RedisCounter(_redis(), prefix=redis_prefix, flush_seconds=3600)
    for n in range(4500):  # three script calls: the second fails
        counter.count(f"LIC-{n}", DAY, "news.example", False)
    working, calls = counter._add, []

    def second_fails(**kwargs) -> None:  # noqa: ANN003
        calls.append(1)
        if len(calls) == 2:
            raise redis.ConnectionError("Redis is restarting")
        working(**kwargs)

    counter._add = second_fails
    with pytest.raises(redis.ConnectionError, match="restarting"):
        counter.flush()
    assert counter.pending_hits() == 2500  # the first call's 2,000 were sent; the rest wait
    counter._add = working
    assert counter.flush() == 2500
    (batch,) = counter.drain()
    assert batch.total == 4500 and {c.views for c in batch.counts} == {1}  # none counted twice
