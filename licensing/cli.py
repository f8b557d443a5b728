"""Flask CLI commands: db (migrations), demo, catalog, users, ratecard."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from invoices.payments.refunds import reconcile_all
from licensing.catalog.rules import FeedError
from licensing.catalog.services import article_count, import_feed
from licensing.core import documents, jobs, tokens, users
from licensing.core.db import get_db, get_session
from licensing.delivery.folding import fold_usage
from licensing.demo import loader as demo
from licensing.pricing.rules import PricingError
from licensing.pricing.services import current_rate_card, save_rate_card
from licensing.review import digest as notifications
from licensing.review import services as review
from licensing.scheduled import SCHEDULE, run_daily

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", (url or get_db().url).replace("%", "%%"))
    return config


def with_public_urls(command_func):
    """Run a command inside a request context on PUBLIC_BASE_URL, so e-mailed links are absolute."""

    @functools.wraps(command_func)
    def wrapper(*args, **kwargs):
        with jobs.public_request_context(current_app._get_current_object()):
            return command_func(*args, **kwargs)

    return wrapper


db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("create")
def db_create() -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""

    url = make_url(get_db().url)
    if url.get_backend_name() != "postgresql":
        click.echo("SQLite: the file is created on first use.")
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    click.echo(f"Database {url.database}: {'exists' if exists else 'created'}.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration, by default from the difference between models and database."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@db_cli.command("check")
def db_check() -> None:
    """Fail if the models and the migrations disagree."""
    command.check(alembic_config())


@db_cli.command("current")
def db_current() -> None:
    command.current(alembic_config(), verbose=False)


demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no articles yet.")
def demo_load(if_empty: bool) -> None:
    """Load the demo catalog, rate card and users."""
    session = get_session()
    if if_empty and article_count(session):
        click.echo("Demo data: the database has articles already; nothing loaded.")
        return
    summary = demo.load(session)
    click.echo(summary)


catalog_cli = AppGroup("catalog", help="The article catalog.")


@catalog_cli.command("import")
@click.argument("source")
@with_public_urls  # a corrected body e-mails licensees their updated package's links
def catalog_import(source: str) -> None:
    """Import or update articles from an RSS 2.0 or Atom feed (file path or http(s) URL)."""
    try:
        result = import_feed(get_session(), source)
    except (FeedError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{result.created} article(s) created, {result.updated} updated, "
               f"{result.corrected} corrected (licensees e-mailed).")


usage_cli = AppGroup("usage", help="The republication pixel's counts.")


@usage_cli.command("fold")
def usage_fold() -> None:
    """Fold the pixel counts waiting (in Redis, or this process's) into usage_daily; with Redis, batches
    a dead worker left claimed are folded once their lease has run out."""
    click.echo(f"{fold_usage(current_app._get_current_object())} hit(s) folded.")


users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--role", "roles", multiple=True, required=True, help="staff, finance or admin (repeatable).")
@click.password_option(help="At least 10 characters; prompted for when not given.")
def users_create(email: str, name: str, roles: tuple[str, ...], password: str) -> None:
    try:
        user = users.create_user(get_session(), email, name, password, list(roles))
    except users.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} with role(s) {', '.join(sorted(user.role_names))}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", help="What the token is for.")
def users_token(email: str, name: str) -> None:
    """Print a new personal API token for a user (shown once)."""
    session = get_session()
    user = users.find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no user with the e-mail {email}")
    _row, token = tokens.create_token(session, user, name)
    click.echo(token)


requests_cli = AppGroup("requests", help="Scheduled work on republishing requests.")


@requests_cli.command("expire")
@with_public_urls
def requests_expire() -> None:
    """Expire requests whose information request went unanswered too long (run daily)."""
    expired = review.expire_unanswered(get_session())
    click.echo(f"{len(expired)} request(s) expired{': ' + ', '.join(expired) if expired else '.'}")


@requests_cli.command("digest")
@with_public_urls
def requests_digest() -> None:
    """E-mail each staff member the open requests past the service target (run daily)."""
    sent, overdue = notifications.send_overdue_digest(get_session())
    click.echo(f"{overdue} overdue request(s); digest sent to {sent} staff member(s).")


documents_cli = AppGroup("documents", help="Issued PDF documents.")


@documents_cli.command("render-pending")
@with_public_urls
def documents_render_pending() -> None:
    """Render every document not yet ready (failed ones get fresh attempts)."""
    done, total = documents.render_pending(get_session())
    click.echo(f"{done} of {total} document(s) rendered.")
    if done < total:
        raise SystemExit(1)


@documents_cli.command("verify")
@with_public_urls
def documents_verify() -> None:
    """Re-render every issued document and report any whose bytes differ from the stored ones."""
    differing = documents.verify_documents(get_session())
    for number, detail in differing:
        click.echo(f"DIFFERS {number}: {detail}")
    click.echo(f"{len(differing)} document(s) differ." if differing else "Every issued document re-renders identically.")
    if differing:
        raise SystemExit(1)


jobs_cli = AppGroup("jobs", help="Background work.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def jobs_worker(burst: bool) -> None:
    """Run an RQ worker (needs REDIS_URL)."""
    if not current_app.config["SETTINGS"].redis_url:
        raise click.ClickException("REDIS_URL is not set: jobs run in the app process, no worker is needed")
    jobs.run_worker(current_app._get_current_object(), burst=burst)


@jobs_cli.command("cron")
def jobs_cron() -> None:
    """Put the scheduled tasks on the RQ queue on their schedule (needs REDIS_URL); the workers run
    them. Without Redis, run the commands themselves from cron instead."""
    if not current_app.config["SETTINGS"].redis_url:
        raise click.ClickException("REDIS_URL is not set: run the scheduled commands from cron instead")
    jobs.cron_scheduler(current_app._get_current_object(), SCHEDULE).start()


payments_cli = AppGroup("payments", help="Stripe payments and refunds.")


@payments_cli.command("reconcile")
@with_public_urls
def payments_reconcile() -> None:
    """Apply Stripe's state of every open invoice's PaymentIntent and retry pending refunds;
    safe to run as often as wanted (e.g. after a webhook was lost while the app was down)."""
    done = reconcile_all(get_session())
    for number, outcome in done.changed:
        click.echo(f"{number}: {outcome}")
    click.echo(f"{len(done.checked)} open invoice(s) checked, {len(done.changed)} changed; "
               f"{len(done.refunds)} pending refund(s) retried, "
               f"{sum(1 for _, s in done.refunds if s == 'succeeded')} done.")


ratecard_cli = AppGroup("ratecard", help="The rate card.")


@ratecard_cli.command("show")
def ratecard_show() -> None:
    card = current_rate_card(get_session())
    click.echo(f"Version {card.version} ({card.currency}), created {card.created_at:%Y-%m-%d %H:%M}")
    click.echo(json.dumps(card.data, indent=2))


@ratecard_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--note", default="")
def ratecard_load(path: str, note: str) -> None:
    """Add a new rate card version from a JSON file."""

    try:
        card = save_rate_card(get_session(), json.loads(Path(path).read_text()), note)
    except (PricingError, json.JSONDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Rate card version {card.version} saved.")


billing_cli = AppGroup("billing", help="Scheduled billing work.")


@billing_cli.command("daily")
@with_public_urls
def billing_daily() -> None:
    """Send overdue reminders (OVERDUE_REMINDER_DAYS after the due date, each once), remind
    licensees of licenses ending soon (once), and expire licenses past their end."""
    result = run_daily(get_session())
    for sent in result.overdue_reminders:
        click.echo(f"overdue reminder: {sent.number} ({sent.day} days) to {sent.to}")
    for number in result.expiry_reminders:
        click.echo(f"expiry reminder: {number}")
    for number in result.expired:
        click.echo(f"expired: {number}")
    click.echo(f"{len(result.overdue_reminders)} overdue reminder(s), {len(result.expiry_reminders)} expiry "
               f"reminder(s) sent; {len(result.expired)} license(s) expired.")


def init_app(app) -> None:
    for group in (db_cli, demo_cli, catalog_cli, users_cli, requests_cli, documents_cli, payments_cli, jobs_cli,
                  ratecard_cli, billing_cli, usage_cli):
        app.cli.add_command(group)
