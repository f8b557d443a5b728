"""Load: wrk on loopback against the app in production mode (`python -m licensing.serve
--production`: gunicorn with one worker per core, RQ workers, PostgreSQL, Redis, JSON logs),
beside a bare Flask "hello" route served by gunicorn with the same settings, in the same run.

Targets, each for --seconds (30) at 8 connections on 2 wrk threads, after a short warm-up:
the article page, POST /api/v1/quotes (JSON), POST /api/v1/requests (a new request each time),
the staff queue at 100,000 requests (signed in as staff) and the finance invoice list at 100,000
invoices (signed in as finance; skipped when the app has no /finance routes); and, for reference,
the app's floor: a JSON 404 of the API that runs no SQL (the cost of the app's own middleware:
session, security headers, request log). Hello runs first and last; the ratio is to the mean of
the two. Requests and invoices are inserted with SQLAlchemy Core
from a fixed seed into a fresh PostgreSQL database (dropped afterwards); the processes run with a
Redis logical database of their own (emptied afterwards) and RATELIMIT_ENABLED=0 (the limits
would otherwise answer 429 after 20 submissions a minute). Reported per target: requests/s,
latency p50/p95/p99/max, errors (HTTP status >= 400, an unexpected status such as a redirect to
the sign-in page, socket errors), the ratio to hello, and the CPU time the gunicorn workers spent
per request (read from /proc; it is less disturbed by other load on the machine than the rates).
Aims: each page at least half the hello rate, p99 under 200 ms, no errors.

    .venv/bin/python bench/load_bench.py [--seconds 30] [--requests 100000] [--invoices 100000] [--workers N]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from common import ROOT, make_app, postgres_database, seed_demo
from common.bulk import analyze, insert_invoices, insert_requests
from common.issued import EXAMPLE_URL, PASSWORD, add_user, quote_body, request_body
from common.servers import (
    BIN,
    Service,
    clean_env,
    cpu_seconds,
    free_port,
    gunicorn_workers,
    redis_database,
    serve_supports,
    wait_http,
)

CONNECTIONS, THREADS = 8, 2
STAFF_EMAIL = "bench-staff@desk.bench"
AIM_RATIO, AIM_P99_MS = 0.5, 200.0

LUA_COMMON = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
bad = 0
function response(status, headers, body)
  if not expected[status] then bad = bad + 1 end
end
function done(summary, latency, requests)
  local unexpected = 0
  for _, thread in ipairs(threads) do unexpected = unexpected + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "unexpected": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout, unexpected))
end
"""


def lua_script(path: Path, method: str = "GET", body: str | None = None, cookie: str | None = None,
               expected: tuple[int, ...] = (200,), numbered_body: str | None = None) -> Path:
    lines = [f"expected = {{{', '.join(f'[{s}] = true' for s in expected)}}}", f'wrk.method = "{method}"']
    if cookie:
        lines.append(f'wrk.headers["Cookie"] = [==[{cookie}]==]')
    if body is not None or numbered_body is not None:
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if body is not None:
        lines.append(f"wrk.body = [==[{body}]==]")
    if numbered_body is not None:  # a different body each time: %1$s-like slots filled per request
        lines += [f"local template = [==[{numbered_body}]==]", "local n = 0",
                  "function request()", "  n = n + 1",
                  '  local body = template:gsub("{N}", tostring(tid) .. "x" .. tostring(n))',
                  "  return wrk.format(nil, nil, nil, body)", "end"]
    path.write_text("\n".join(lines) + "\n" + LUA_COMMON)
    return path


def run_wrk(url: str, script: Path, seconds: int, expected: tuple[int, ...] = (200,)) -> dict:
    out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s",
                          "-s", str(script), url], capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"^RESULT (\{.*\})$", out.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    result = json.loads(found.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    status_errors = 0 if any(code >= 400 for code in expected) else result["status"]  # wrk counts >= 400
    result["errors"] = (status_errors + result["unexpected"] + result["connect"] + result["read"]
                        + result["write"] + result["timeout"])
    return result


def sign_in(base: str, email: str) -> str:
    """The session cookie of a real sign-in (CSRF token from the form)."""
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    response = browser.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                  "csrf_token": token.group(1) if token else ""},
                            allow_redirects=False, timeout=10)
    if response.status_code != 302 or "session" not in browser.cookies:
        raise RuntimeError(f"sign-in failed: {response.status_code} {response.text[:500]}")
    return f"session={browser.cookies['session']}"


def check(method: str, url: str, expected: int, cookie: str | None = None, body: dict | None = None) -> int:
    """One request before the load: the target answers as it should (returns the body size)."""
    headers = {"Cookie": cookie} if cookie else {}
    response = requests.request(method, url, json=body, headers=headers, allow_redirects=False, timeout=30)
    if response.status_code != expected:
        raise RuntimeError(f"{method} {url}: {response.status_code}, expected {expected}: {response.text[:300]}")
    return len(response.content)


def seed(url: str, n_requests: int, n_invoices: int) -> dict:
    application = make_app(url)
    seed_demo(application)
    add_user(application, STAFF_EMAIL, "Bench Staff", ["staff", "finance"])
    engine = application.extensions["database"].engine
    began = time.perf_counter()
    by_status = insert_requests(engine, n_requests)
    invoices = insert_invoices(engine, n_invoices) if "finance.invoices" in application.view_functions else None
    analyze(engine)
    from sqlalchemy import select

    from licensing.catalog.models import Article

    with engine.connect() as conn:
        article_id = conn.scalar(select(Article.id).where(Article.canonical_url == EXAMPLE_URL))
    application.extensions["database"].dispose()
    return {"seconds": time.perf_counter() - began, "requests": by_status, "invoices": invoices,
            "article_id": article_id}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measured run")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn workers of the app and of hello (default: one per core, as make serve)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    workers = args.workers
    results: list[tuple[str, dict, float]] = []
    began = time.perf_counter()
    with postgres_database() as db_url, redis_database() as redis_url, \
            tempfile.TemporaryDirectory(prefix="sd-load-") as tmp_name:
        if not db_url or not redis_url:
            print("load bench skipped: it needs PostgreSQL and Redis")
            return
        tmp = Path(tmp_name)
        data = seed(db_url, args.requests, args.invoices)
        print(f"inserted {args.requests:,} requests {data['requests']} and "
              + (f"{args.invoices:,} invoices {data['invoices']}" if data["invoices"] is not None else "no invoices")
              + f" in {data['seconds']:.1f} s", flush=True)

        port, hello_port = free_port(), free_port()
        env = clean_env(DATABASE_URL=db_url, REDIS_URL=redis_url, SECRET_KEY="bench-load-secret",
                        RATELIMIT_ENABLED="0", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", LOG_FORMAT="json")
        serve = [sys.executable, "-m", "licensing.serve", "--production", "--port", str(port),
                 "--workers", str(workers)]
        if serve_supports("--stripe-in-memory"):
            serve.append("--stripe-in-memory")
        else:  # no stand-in at all (it would keep its data in instance/): no page measured here calls Stripe
            env["STRIPE_SECRET_KEY"] = "sk_test_bench_unused"
        services = []
        try:
            app_service = Service("app", serve, env, tmp)
            services.append(app_service)
            hello = Service("hello", [str(BIN / "gunicorn"), "-c", str(ROOT / "licensing" / "gunicorn_conf.py"),
                                      "--workers", str(workers), "--bind", f"127.0.0.1:{hello_port}",
                                      "--chdir", str(ROOT / "bench" / "common"), "hello:app"], clean_env(), tmp)
            services.append(hello)
            base, hello_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{hello_port}/"
            wait_http(f"{base}/healthz", app_service, timeout=90)
            wait_http(hello_url, hello, timeout=60)
            cookie = sign_in(base, STAFF_EMAIL)

            targets = [("hello (bare Flask, gunicorn)", hello_url, dict(), hello)]
            floor = f"{base}/api/v1/requests/REQ-222222"
            check("GET", floor, 404)
            targets.append(("app floor: JSON 404, no SQL", floor, dict(expected=(404,)), app_service))
            article = f"{base}/articles/{data['article_id']}"
            check("GET", article, 200)
            targets.append(("article page", article, dict(), app_service))
            check("POST", f"{base}/api/v1/quotes", 200, body=quote_body())
            targets.append(("POST /api/v1/quotes", f"{base}/api/v1/quotes",
                            dict(method="POST", body=json.dumps(quote_body())), app_service))
            check("POST", f"{base}/api/v1/requests", 201, body=request_body(0))
            numbered = json.dumps(request_body(0)).replace("Leeds Evening Post 0 Ltd", "Load Test {N} Ltd") \
                .replace("editor0@", "editor{N}@")
            targets.append(("POST /api/v1/requests (submit)", f"{base}/api/v1/requests",
                            dict(method="POST", numbered_body=numbered, expected=(201,)), app_service))
            size = check("GET", f"{base}/staff/requests", 200, cookie=cookie)
            targets.append((f"staff queue, {args.requests:,} requests", f"{base}/staff/requests",
                            dict(cookie=cookie), app_service))
            if data["invoices"] is not None:
                check("GET", f"{base}/finance/invoices", 200, cookie=cookie)
                targets.append((f"finance invoice list, {args.invoices:,} invoices", f"{base}/finance/invoices",
                                dict(cookie=cookie), app_service))
            else:
                print("finance invoice list: skipped (the app has no /finance routes yet)")
            targets.append(("hello again (bare Flask, gunicorn)", hello_url, dict(), hello))
            print(f"staff queue page: {size:,} bytes; measuring {len(targets)} targets for {args.seconds} s each",
                  flush=True)

            for n, (label, url, options, service) in enumerate(targets):
                script = lua_script(tmp / f"target{n}.lua", **options)
                if args.warmup:
                    run_wrk(url, script, args.warmup)
                pids = gunicorn_workers(service.pid)
                cpu_before = sum(cpu_seconds(p) for p in pids)
                load = os.getloadavg()[0]
                result = run_wrk(url, script, args.seconds, options.get("expected", (200,)))
                result["cpu_ms"] = (sum(cpu_seconds(p) for p in pids) - cpu_before) * 1000 / max(1, result["requests"])
                results.append((label, result, load))
                print(f"  {label}: {result['rps']:.0f} requests/s", flush=True)
        finally:
            for service in reversed(services):
                service.stop()
            for service in services:
                if service.name == "app":
                    errors = [line for line in service.log_path.read_text(errors="replace").splitlines()
                              if '"level": "ERROR"' in line or "Traceback" in line]
                    if errors:
                        print(f"app log: {len(errors)} error line(s), e.g. {errors[0][:300]}")

    hello_rps = [r["rps"] for label, r, _ in results if label.startswith("hello")]
    floor = sum(hello_rps) / len(hello_rps)
    print(f"\nLoad on loopback: wrk, {CONNECTIONS} connections, {THREADS} threads, {args.seconds} s per target; "
          f"gunicorn {workers} workers x 4 threads (licensing/gunicorn_conf.py, also for hello) + 2 RQ workers, "
          "PostgreSQL, Redis; "
          f"took {time.perf_counter() - began:.0f} s")
    header = (f"  {'target':<40} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
              f"{'errors':>6} {'x hello':>7} {'cpu ms/req':>10} {'load':>5}  aims")
    print(header)
    for label, r, load in results:
        ratio = r["rps"] / floor
        if label.startswith(("hello", "app floor")):
            verdict = "(reference)" if label.startswith("app floor") else ""
        else:
            misses = []
            if ratio < AIM_RATIO:
                misses.append(f"rate < {AIM_RATIO:g}x hello")
            if r["p99"] / 1000 >= AIM_P99_MS:
                misses.append(f"p99 >= {AIM_P99_MS:g} ms")
            if r["errors"]:
                misses.append("errors")
            verdict = "ok" if not misses else "MISSES: " + ", ".join(misses)
        print(f"  {label:<40} {r['rps']:>7.0f} {r['p50'] / 1000:>7.1f} {r['p95'] / 1000:>7.1f} {r['p99'] / 1000:>7.1f} "
              f"{r['max'] / 1000:>7.0f} {r['errors']:>6} {ratio:>7.2f} {r['cpu_ms']:>10.2f} {load:>5.1f}  {verdict}")
    print("  errors: HTTP status >= 400, unexpected statuses (e.g. a redirect to sign-in) and socket errors;\n"
          "  cpu ms/req: CPU time of the gunicorn workers per request (PostgreSQL's own work not included);\n"
          "  load: the machine's 1-minute load average when the run started")
    for label, r, _ in results:
        if r["errors"]:
            print(f"  {label}: status {r['status']}, unexpected {r['unexpected']}, connect {r['connect']}, "
                  f"read {r['read']}, write {r['write']}, timeout {r['timeout']}")


if __name__ == "__main__":
    main()
