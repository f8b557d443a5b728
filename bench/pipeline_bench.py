"""The whole pipeline, driven over HTTP like real clients, twice on fresh PostgreSQL databases:

- in-process: `python -m licensing.serve` (Flask's threaded server, JOBS_MODE=thread: the PDFs are
  rendered by the app process's own pool of two threads);
- production: `python -m licensing.serve --production` (gunicorn, one worker per core, and two RQ
  workers: `flask jobs worker`, REDIS_URL on a Redis logical database of its own, JOBS_MODE=rq).

Both with the Stripe stand-in in memory (`--stripe-in-memory`), its webhooks sent to the app.
Stages, one after the other, each timed:
1. submit: N requests, POST /api/v1/requests from 4 client threads;
2. approve: signed in as staff, the queue's bulk form (POST /staff/requests/bulk, 200 a post);
3. render: wait until the 2N documents (a license and an invoice each) are ready;
4. pay: for each invoice the pay page (GET: PaymentIntent created) and its test-card form (POST:
   Visa 4242, confirmed at the stand-in), 4 client threads; the return page is not followed, so
   nothing but the webhook can mark the invoice paid;
5. webhooks: wait until every invoice is paid (the stand-in's signed webhooks, about 1 s after
   each payment, processed by the app).
Then the resident size (VmRSS) of the server processes: the gunicorn workers, the RQ workers
(SimpleWorkers: they run each job in their own process, so their size is the jobs' footprint),
the in-process server.

The default N is 1,000 (2,000 PDFs): about ten minutes for the two runs on a 2-core machine. A
smaller `--count` (say 100, for a quick look) also prints its figures extrapolated linearly to
1,000 (marked as such).

    .venv/bin/python bench/pipeline_bench.py [--count 1000] [--modes thread,rq]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from common import make_app, postgres_database, seed_demo
from common.issued import PASSWORD, add_user, request_body
from common.servers import (
    Service,
    children_of,
    clean_env,
    cmdline,
    free_port,
    gunicorn_workers,
    redis_database,
    rq_workers,
    rss_mib,
    serve_supports,
    wait_http,
)
from sqlalchemy import create_engine, func, select

CLIENTS = 4
BULK = 200
SECRET = "bench-pipeline-secret"
STAFF_EMAIL = "bench-staff@desk.bench"
STAGES = ("submit", "approve", "render", "pay", "webhooks")


class Client:
    """One requests.Session per client thread."""

    _local = threading.local()

    @classmethod
    def session(cls) -> requests.Session:
        if not hasattr(cls._local, "session"):
            cls._local.session = requests.Session()
        return cls._local.session


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)


def submit_all(base: str, count: int) -> tuple[list[str], int]:
    def one(n: int) -> str | None:
        response = Client.session().post(f"{base}/api/v1/requests", json=request_body(n), timeout=60)
        return response.json()["reference"] if response.status_code == 201 else None

    with ThreadPoolExecutor(CLIENTS) as pool:
        found = list(pool.map(one, range(count)))
    return [r for r in found if r], sum(1 for r in found if r is None)


def approve_all(base: str, references: list[str]) -> int:
    browser = requests.Session()
    login = browser.get(f"{base}/login", timeout=30)
    browser.post(f"{base}/login", data={"email": STAFF_EMAIL, "password": PASSWORD, "csrf_token": csrf_of(login.text)},
                 timeout=30)
    token = csrf_of(browser.get(f"{base}/staff/requests", timeout=60).text)
    failed = 0
    for start in range(0, len(references), BULK):
        chunk = references[start:start + BULK]
        response = browser.post(f"{base}/staff/requests/bulk", timeout=600, data={
            "csrf_token": token, "action": "approve", "references": chunk, "reason_template": "", "reason": ""})
        done = re.search(r"(\d+) of (\d+) done", response.text)
        failed += len(chunk) - (int(done.group(1)) if done and response.status_code == 200 else 0)
    return failed


def pay_all(base: str, numbers: list[str]) -> int:
    from invoices.billing.services import payment_token

    def one(number: str) -> bool:
        browser = Client.session()
        url = f"{base}/pay/{number}/{payment_token(SECRET, number)}"
        page = browser.get(url, timeout=60)
        if page.status_code != 200:
            return False
        response = browser.post(f"{url}/test-card", data={"csrf_token": csrf_of(page.text), "card": "success"},
                                allow_redirects=False, timeout=60)
        return response.status_code == 302 and "/return" in response.headers.get("Location", "")

    with ThreadPoolExecutor(CLIENTS) as pool:
        return sum(1 for ok in pool.map(one, numbers) if not ok)


def wait_until(check, timeout: float, sample=None) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sample:
            sample()
        if check():
            return True
        time.sleep(0.25)
    return False


def run_mode(mode: str, count: int, db_url: str, redis_url: str | None, tmp: Path) -> dict:
    from invoices.billing.models import Invoice
    from licensing.core.models import Document

    application = make_app(db_url)
    seed_demo(application)
    add_user(application, STAFF_EMAIL, "Bench Staff", ["staff"])
    application.extensions["database"].dispose()
    engine = create_engine(db_url)

    def scalar(stmt):  # noqa: ANN001, ANN202
        with engine.connect() as conn:
            return conn.scalar(stmt)

    port = free_port()
    env = clean_env(DATABASE_URL=db_url, SECRET_KEY=SECRET, RATELIMIT_ENABLED="0",
                    PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", JOBS_MODE=mode)
    args = [sys.executable, "-m", "licensing.serve", "--port", str(port), "--stripe-in-memory"]
    if mode == "rq":
        env.update(REDIS_URL=redis_url, LOG_FORMAT="json")
        args += ["--production", "--workers", str(os.cpu_count() or 2), "--job-workers", "2"]
    service = Service(f"app-{mode}", args, env, tmp)
    result: dict = {"mode": mode, "count": count, "times": {}, "problems": []}
    peak: dict[int, float] = {}

    def sample_workers() -> None:  # the largest size of each RQ worker while it renders
        if mode == "rq":
            for worker in rq_workers(service.pid):
                peak[worker] = max(peak.get(worker, 0.0), rss_mib(worker))

    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz", service, timeout=90)
        time.sleep(1)
        began = time.perf_counter()

        t = time.perf_counter()
        references, failed = submit_all(base, count)
        result["times"]["submit"] = time.perf_counter() - t
        if failed:
            result["problems"].append(f"{failed} submission(s) refused")

        t = time.perf_counter()
        failed = approve_all(base, references)
        result["times"]["approve"] = time.perf_counter() - t
        if failed:
            result["problems"].append(f"{failed} approval(s) failed")

        t = time.perf_counter()
        wanted = 2 * (len(references) - failed)
        ready = lambda: scalar(select(func.count()).select_from(Document).where(Document.status == "ready"))  # noqa: E731
        if not wait_until(lambda: ready() >= wanted, timeout=120 + 3 * wanted, sample=sample_workers):
            result["problems"].append(f"only {ready()} of {wanted} documents ready")
        result["times"]["render"] = time.perf_counter() - t
        with engine.connect() as conn:
            first, last = conn.execute(select(func.min(Document.created_at), func.max(Document.rendered_at))).one()
        result["render_span"] = (last - first).total_seconds() if first and last else float("nan")
        result["failed_documents"] = scalar(select(func.count()).select_from(Document)
                                            .where(Document.status != "ready"))

        with engine.connect() as conn:
            numbers = list(conn.scalars(select(Invoice.number).order_by(Invoice.id)))
        t = time.perf_counter()
        failed = pay_all(base, numbers)
        result["times"]["pay"] = time.perf_counter() - t
        if failed:
            result["problems"].append(f"{failed} payment(s) failed")

        t = time.perf_counter()
        paid = lambda: scalar(select(func.count()).select_from(Invoice).where(Invoice.status == "paid"))  # noqa: E731
        if not wait_until(lambda: paid() >= len(numbers) - failed, timeout=120 + len(numbers) * 0.5):
            result["problems"].append(f"only {paid()} of {len(numbers)} invoices paid after the wait")
        result["times"]["webhooks"] = time.perf_counter() - t
        result["total"] = time.perf_counter() - began

        if mode == "rq":
            result["memory"] = {
                "gunicorn workers": [rss_mib(p) for p in gunicorn_workers(service.pid)],
                "RQ workers (they run the jobs themselves)": [rss_mib(p) for p in rq_workers(service.pid)],
                "RQ workers, largest seen while rendering": sorted(peak.values()),
            }
        else:
            result["memory"] = {"in-process server (app + job threads)": [rss_mib(service.pid)],
                                "Stripe stand-in": [rss_mib(p) for p in children_of(service.pid)
                                                    if "stripe_standin" in cmdline(p)]}
    finally:
        service.stop()
        engine.dispose()
        errors = [line for line in service.log_path.read_text(errors="replace").splitlines()
                  if "Traceback" in line or '"level": "ERROR"' in line or " ERROR " in line]
        if errors:
            result["problems"].append(f"{len(errors)} error line(s) in the server log, e.g. {errors[0][:200]}")
    return result


def report(results: list[dict], count: int) -> None:
    print(f"\nPipeline: {count:,} requests, {2 * count:,} PDFs, {count:,} card payments and their webhooks "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    labels = {"thread": "in-process (threads)", "rq": "gunicorn + 2 RQ workers"}
    short = {"thread": "threads", "rq": "RQ"}
    extrapolate = count != 1000
    headers = []
    for r in results:
        headers.append(f"{short[r['mode']]}: {count:,}")
        if extrapolate:
            headers.append(f"{short[r['mode']]}: 1,000 EXTRAP.")
    print(f"  {'stage':<10}" + "".join(f"{h:>24}" for h in headers))
    for stage in (*STAGES, "total"):
        cells = ""
        for r in results:
            value = r["times"].get(stage) if stage != "total" else r.get("total")
            cells += f"{value:>22.1f} s" if value is not None else f"{'-':>24}"
            if extrapolate:
                cells += f"{value * 1000 / count:>22.1f} s" if value is not None else f"{'-':>24}"
        print(f"  {stage:<10}{cells}")
    for r in results:
        per_doc = r["render_span"] / (2 * count)
        print(f"  {labels[r['mode']]}: {r['render_span']:.1f} s from the first document created to the last one "
              f"rendered ({per_doc * 1000:.0f} ms a document, overlapping the approvals); "
              f"{r['failed_documents']} document(s) not ready")
        for problem in r["problems"]:
            print(f"    PROBLEM: {problem}")
    print("  (stages run one after the other; 'render' is the wait, after the last approval, for the documents")
    print("   still pending; 'webhooks' the wait, after the last payment, for the last invoice to be paid)")
    if extrapolate:
        print(f"  EXTRAP. columns are not measured: the seconds measured x 1,000 / {count:,}, assuming every stage "
              "grows linearly with the count\n  (the webhook wait does not: it is the stand-in's fixed ~1 s delay "
              "plus the processing of the last events)")
    print("\nMemory after the pipeline run (VmRSS from /proc/<pid>/status)")
    for r in results:
        for label, values in r.get("memory", {}).items():
            shown = ", ".join(f"{v:.0f} MiB" for v in values) or "-"
            print(f"  {labels[r['mode']]:<26} {label:<46} {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="requests (each gives 2 PDFs and 1 payment)")
    parser.add_argument("--modes", default="thread,rq", help="thread, rq or both (comma-separated)")
    args = parser.parse_args()
    if not serve_supports("--stripe-in-memory"):
        print("pipeline bench skipped: `python -m licensing.serve` has no --stripe-in-memory option, and the "
              "stand-in would otherwise write its data into instance/")
        return
    results = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sd-pipeline-") as tmp_name:
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            with postgres_database() as db_url:
                if not db_url:
                    return
                if mode == "rq":
                    with redis_database() as redis_url:
                        if not redis_url:
                            continue
                        results.append(run_mode(mode, args.count, db_url, redis_url, Path(tmp_name)))
                else:
                    results.append(run_mode(mode, args.count, db_url, None, Path(tmp_name)))
            print(f"  {mode}: done in {results[-1].get('total', float('nan')):.0f} s", flush=True)
    report(results, args.count)
    print(f"\n(the bench took {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
