"""The scheduled tasks on RQ (production mode): RQ's cron scheduler puts them on a real Redis queue
and a real RQ worker runs them against the database; and each task alone, as the worker runs it."""
from __future__ import annotations

import os
import re
from datetime import datetime, timedelta

import pytest

from tests.documents_helpers import approve, document_of, license_of, no_rendering
from tests.staff_fixtures import add_user, execute, insert_requests, state, submit

REDIS = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379"
CLAIM = "syndication-desk:test-claim"


@pytest.fixture
def redis_url():
    """An empty Redis database (7 down to 1; the browser tests claim 8 to 15) of this test's own,
    claimed with a key holding our pid and emptied afterwards; skipped when no Redis answers."""
    from redis import Redis

    base = re.sub(r"/\d*$", "", REDIS.rstrip("/"))
    try:
        for number in range(7, 0, -1):
            client = Redis.from_url(f"{base}/{number}", socket_connect_timeout=3)
            if client.dbsize() == 0 and client.set(CLAIM, str(os.getpid()), nx=True, ex=600):
                break
            client.close()
        else:
            pytest.skip("no empty Redis database among 1 to 7")
    except Exception as exc:  # noqa: BLE001 - any failure means no usable server
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {base}: {exc}")
        pytest.skip(f"Redis not reachable: {exc}")
    yield f"{base}/{number}"
    client.flushdb()
    client.close()


@pytest.fixture
def app_config(redis_url) -> dict:
    return {"REDIS_URL": redis_url, "JOBS_MODE": "inline"}


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "reviewer@desk.test", "Rae Reviewer", ["staff"])


def _pending_documents(app, staff: int, monkeypatch, created_minutes_ago: int) -> list[str]:  # noqa: ANN001
    """A license and an invoice whose render job never ran, created that long ago."""
    with monkeypatch.context() as m:
        no_rendering(m)
        made = submit(app)
        approve(app, made.reference, staff)
    lic = license_of(app, made.reference)
    numbers = [lic.number, lic.invoice_number]
    execute(app, "UPDATE documents SET created_at = :t WHERE number IN (:a, :b)",
            t=datetime.utcnow() - timedelta(minutes=created_minutes_ago), a=numbers[0], b=numbers[1])
    return numbers


def test_the_scheduler_queues_every_task_and_a_worker_runs_them(seeded, staff, redis_url, monkeypatch):
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry

    from licensing.core import jobs
    from licensing.scheduled import SCHEDULE

    app = seeded
    stale = _pending_documents(app, staff, monkeypatch, created_minutes_ago=30)  # a worker died
    fresh = _pending_documents(app, staff, monkeypatch, created_minutes_ago=1)  # its job is still queued
    [unanswered] = insert_requests(app, [{"status": "needs_info",
                                          "info_requested_at": datetime.utcnow() - timedelta(days=30)}])

    scheduler = jobs.cron_scheduler(app, SCHEDULE)
    assert [job.name for job in scheduler.get_jobs()] == [task.name for task in SCHEDULE]
    enqueued = scheduler.enqueue_jobs()  # what a starting scheduler does first
    # every task on an interval runs at once; the digest waits for its hour
    assert sorted(job.name for job in enqueued) == sorted(t.name for t in SCHEDULE if t.interval)
    connection = Redis.from_url(redis_url)
    queue = Queue(jobs.QUEUE, connection=connection)
    assert queue.count == len(enqueued)

    monkeypatch.setattr(jobs, "_worker_app", None)
    monkeypatch.setattr(jobs, "settle_heap", lambda: None)  # not the test process's heap
    jobs.run_worker(app, burst=True)  # the real worker: runs what is queued, then stops

    assert queue.count == 0 and FailedJobRegistry(queue=queue).count == 0
    results = {job.args[0]: job.return_value() for job in
               (queue.fetch_job(i) for i in queue.finished_job_registry.get_job_ids())}
    assert results == {
        "licensing.scheduled:recover_documents": "2 of 2 stale document(s) rendered.",
        # no invoice has a PaymentIntent yet: nothing to ask Stripe about
        "licensing.scheduled:reconcile_payments": "0 open invoice(s) checked, 0 changed; 0 pending refund(s) retried.",
        "licensing.scheduled:expire_requests": "1 request(s) expired.",
        "licensing.scheduled:billing_daily": "0 overdue reminder(s), 0 expiry reminder(s) sent; 0 license(s) expired.",
        "licensing.scheduled:fold_pixel_counts": "0 pixel hit(s) folded.",  # nobody has viewed a package yet
        "licensing.scheduled:sweep_jobs": "0 message(s) queued again.",  # no MAIL_URL: mail is kept
    }
    assert [document_of(app, n).status for n in stale] == ["ready", "ready"]
    assert [document_of(app, n).status for n in fresh] == ["pending", "pending"]  # left to its own job
    assert state(app, unanswered.reference).status == "expired"


def test_recovering_documents_leaves_failed_ones_to_a_person(seeded, staff, monkeypatch):
    from licensing.scheduled import recover_documents

    app = seeded
    numbers = _pending_documents(app, staff, monkeypatch, created_minutes_ago=30)
    execute(app, "UPDATE documents SET status = 'failed', attempts = 3 WHERE number = :n", n=numbers[0])
    with app.test_request_context("/"):
        assert recover_documents() == "1 of 1 stale document(s) rendered."
    assert [document_of(app, n).status for n in numbers] == ["failed", "ready"]
