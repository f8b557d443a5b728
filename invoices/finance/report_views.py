"""Finance reports: ageing, revenue by month (SVG chart and table) and reconciliation with Stripe."""
from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from invoices.finance.forms import ReconcileForm
from invoices.finance.reports import (
    MAX_MONTHS,
    add_months,
    ageing_report,
    default_period,
    parse_month,
    revenue_by_month,
    revenue_csv,
)
from invoices.finance.rules import BUCKETS, due_range
from invoices.payments.queries import build_report
from invoices.payments.services import StripeUnreachable, run_reconcile
from licensing.core.auth import role_required
from licensing.core.charts import bar_chart
from licensing.core.clock import today
from licensing.core.db import get_session
from licensing.core.money import format_money
from licensing.core.streaming import csv_download

bp = Blueprint("finance_reports", __name__, url_prefix="/finance")
log = logging.getLogger(__name__)


@bp.record_once
def _exempt_self_checked_views(state) -> None:
    """run_reconciliation checks the CSRF token itself (ReconcileForm.validate) and says so plainly."""
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(f"{__name__}.run_reconciliation")


@bp.get("/reports/ageing")
@role_required("finance")
def ageing():
    day = today()
    links = {}
    for bucket in BUCKETS:
        earliest, latest = due_range(bucket.key, day)
        links[bucket.key] = {"due_from": earliest.isoformat() if earliest else "",
                             "due_to": latest.isoformat() if latest else ""}
    return render_template("finance/ageing.html", rows=ageing_report(get_session(), day), buckets=BUCKETS,
                           links=links, today=day)


def _period() -> tuple[str, str, dict[str, str]]:
    """The months asked for, as typed, and what is wrong with them."""
    default_first, default_last = default_period(today())
    raw_from = (request.args.get("from") or "").strip()[:7]
    raw_to = (request.args.get("to") or "").strip()[:7]
    errors = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        if raw and parse_month(raw) is None:
            errors[name] = "Enter a month as YYYY-MM, e.g. 2026-01."
    first = parse_month(raw_from) or default_first
    last = parse_month(raw_to) or default_last
    if not errors and first > last:
        errors["to"] = "The last month is before the first."
    elif not errors and add_months(first, MAX_MONTHS) <= last:
        errors["to"] = f"Choose at most {MAX_MONTHS} months."
    return raw_from or f"{first:%Y-%m}", raw_to or f"{last:%Y-%m}", errors


def _months() -> tuple[str, str, dict[str, str], date, date]:
    """The period as typed, what is wrong with it, and the months shown (the last twelve when wrong)."""
    raw_from, raw_to, errors = _period()
    if errors:
        return raw_from, raw_to, errors, *default_period(today())
    return raw_from, raw_to, errors, parse_month(raw_from), parse_month(raw_to)


@bp.get("/reports/revenue")
@role_required("finance")
def revenue():
    raw_from, raw_to, errors, first, last = _months()
    table = revenue_by_month(get_session(), first, last)
    charts = {}
    for currency, months in table.items():
        labels = [f"{m.month[5:]}/{m.month[2:4]}" for m in months]
        charts[currency] = Markup(bar_chart(
            f"revenue-{currency.lower()}", f"Revenue by month in {currency}",
            f"Invoiced, collected and refunded amounts including VAT per month from {first:%B %Y} to {last:%B %Y}, "
            f"in {currency}. The table lists the same figures, excluding and including VAT.", labels,
            [("Invoiced", [m.issued for m in months]), ("Collected", [m.collected for m in months]),
             ("Refunded", [m.refunded for m in months])],
            lambda v, c=currency: format_money(v, c)))
    return render_template("finance/revenue.html", table=table, charts=charts, raw_from=raw_from, raw_to=raw_to,
                           errors=errors, first=first, last=last), 400 if errors else 200


@bp.get("/reports/revenue.csv")
@role_required("finance")
def revenue_csv_export():
    _raw_from, _raw_to, errors, first, last = _months()
    if errors:
        return revenue()
    table = revenue_by_month(get_session(), first, last)  # at most MAX_MONTHS rows a currency
    return csv_download(lambda _session: revenue_csv(table), f"revenue-by-month-{first:%Y-%m}-{last:%Y-%m}.csv")


def _reconciliation_page(form: ReconcileForm, status: int = 200, results: list | None = None):
    report = build_report(get_session())
    if report.error and report.configured:
        status = max(status, 503)
    return render_template("finance/reconciliation.html", report=report, form=form, results=results), status


@bp.get("/reconciliation")
@role_required("finance")
def reconciliation():
    return _reconciliation_page(ReconcileForm(formdata=None))


@bp.post("/reconciliation")
@role_required("finance")
def run_reconciliation():
    form = ReconcileForm()
    if not form.validate():
        flash("The page had expired; please confirm again.", "error")
        return _reconciliation_page(form, 400)
    if not form.confirm.data:
        form.confirm.errors = ["Tick this box to confirm."]
        return _reconciliation_page(form, 422)
    try:
        results = run_reconcile(get_session())
    except StripeUnreachable as exc:
        flash(f"Not done: {exc.message}", "error")
        return _reconciliation_page(form, 503 if "not set up" not in exc.message else 409)
    log.info("reconciliation run by %s: %d open invoice(s) checked", current_user.email, len(results))
    changed = [(n, o) for n, o in results if o in ("paid", "flagged")]
    unavailable = [n for n, o in results if o.startswith("unavailable")]
    message = f"Reconciliation done: {len(results)} open invoice(s) checked, {len(changed)} changed"
    message += f"; Stripe could not be reached for {len(unavailable)}." if unavailable else "."
    flash(message, "error" if unavailable else "success")
    if changed:
        flash("Changed: " + ", ".join(f"{n} ({o})" for n, o in changed), "success")
    return redirect(url_for("finance_reports.reconciliation"))
