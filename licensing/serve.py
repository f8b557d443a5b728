"""The run commands.

`python -m licensing.serve` (make run): the app on 127.0.0.1:PORT with Flask's server, jobs in
a thread pool. `python -m licensing.serve --production` (make serve): gunicorn with one worker
per core (licensing/gunicorn_conf.py), RQ workers for background jobs and the scheduler of the
scheduled tasks (REDIS_URL), JSON logs. Either way, unless a real Stripe test key is configured
(STRIPE_SECRET_KEY set and STRIPE_API_BASE unset), the local Stripe stand-in runs on a free
loopback port with the app's webhook endpoint registered with it."""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time

from invoices.payments.gateway import StripeGateway
from invoices.payments.standin import StandIn
from licensing import gunicorn_conf
from licensing.core.settings import INSTANCE, ROOT

STANDIN_SECRET_KEY = "sk_test_local_standin"
STANDIN_PUBLISHABLE_KEY = "pk_test_local_standin"


def uses_real_stripe(env: dict) -> bool:
    return bool(env.get("STRIPE_SECRET_KEY")) and not env.get("STRIPE_API_BASE")


def start_standin(app_port: int, env: dict, persist: bool = True) -> StandIn:
    """Start the stand-in and point the Stripe settings in `env` at it."""
    standin = StandIn.start(persist=INSTANCE / "localstripe.pickle" if persist else None)
    env.update(STRIPE_API_BASE=standin.base_url, STRIPE_SECRET_KEY=STANDIN_SECRET_KEY,
               STRIPE_PUBLISHABLE_KEY=STANDIN_PUBLISHABLE_KEY,
               STRIPE_WEBHOOK_SECRET=env.get("STRIPE_WEBHOOK_SECRET") or f"whsec_local_{secrets.token_hex(16)}")

    StripeGateway(env["STRIPE_SECRET_KEY"], standin.base_url).register_standin_webhook(
        f"http://127.0.0.1:{app_port}/stripe/webhook", env["STRIPE_WEBHOOK_SECRET"])
    return standin


def _stripe(port: int, env: dict, persist: bool = True) -> StandIn | None:
    if uses_real_stripe(env):
        print("  Stripe: the real Stripe API (test mode key from STRIPE_SECRET_KEY).", flush=True)
        return None
    standin = start_standin(port, env, persist=persist)
    print(f"  Stripe: local stand-in at {standin.base_url} (test cards on the pay page).", flush=True)
    return standin


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt  # Flask's server stops on it, and the `finally` below stops the stand-in


def run_development(port: int, persist: bool = True) -> None:
    standin = _stripe(port, os.environ, persist)
    from app import create_app  # noqa: PLC0415 - built after the stand-in's address is in the environment

    app = create_app()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` must not leave the stand-in behind
    try:
        app.run(host="127.0.0.1", port=port, use_reloader=False, threaded=True)
    finally:
        if standin:
            standin.stop()


def run_production(port: int, workers: int, job_workers: int, persist: bool = True) -> None:
    """gunicorn + RQ workers, all stopped together on Ctrl-C or SIGTERM."""
    env = dict(os.environ)
    env.setdefault("LOG_FORMAT", "json")
    if not env.get("REDIS_URL"):
        raise SystemExit("make serve needs REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    standin = _stripe(port, env, persist)
    bin_dir = os.path.dirname(sys.executable)
    children = [subprocess.Popen([os.path.join(bin_dir, "flask"), "--app", "app", "jobs", "worker"], cwd=ROOT,
                                 env=env) for _ in range(job_workers)]
    children.append(subprocess.Popen([os.path.join(bin_dir, "flask"), "--app", "app", "jobs", "cron"], cwd=ROOT,
                                     env=env))  # the scheduled tasks, run by the workers
    children.append(subprocess.Popen([
        os.path.join(bin_dir, "gunicorn"), "-c", os.path.join(ROOT, "licensing", "gunicorn_conf.py"),
        "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "app:create_app()",
    ], cwd=ROOT, env=env))
    print(f"  gunicorn: {workers} worker(s) on http://127.0.0.1:{port}/; RQ: {job_workers} worker(s) and the "
          "scheduler of the scheduled tasks", flush=True)

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        if standin:
            standin.stop()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            # A job worker or the scheduler that died (killed, out of memory) is started again;
            # its interrupted job is recovered from the database by the sweeper. Only gunicorn
            # (which restarts its own workers) stopping ends everything.
            for index, child in enumerate(children):
                if child.poll() is None:
                    continue
                if child.args[-1] in ("worker", "cron"):
                    print(f"  {child.args[-1]} (pid {child.pid}) exited with {child.returncode}: starting it again",
                          flush=True)
                    children[index] = subprocess.Popen(child.args, cwd=ROOT, env=env)
                else:
                    print("  gunicorn stopped: stopping the others", flush=True)
                    stop()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--production", action="store_true", help="gunicorn and RQ workers")
    parser.add_argument("--workers", type=int, default=gunicorn_conf.workers,
                        help="gunicorn workers (default: WEB_CONCURRENCY, else one per core)")
    parser.add_argument("--job-workers", type=int, default=2, help="RQ workers")
    parser.add_argument("--stripe-in-memory", action="store_true",
                        help="the Stripe stand-in keeps its data in memory only (tests), not in instance/")
    args = parser.parse_args()
    persist = not args.stripe_in_memory
    if args.production:
        run_production(args.port, args.workers, args.job_workers, persist)
    else:
        run_development(args.port, persist)


if __name__ == "__main__":
    main()
