"""Revenue by medium and by territory: needs license data, so it lives in licensing, which may read
billing's invoices (the other way round is not allowed). Each license is joined to its invoice
by number; the period is the invoices' issue date; figures per currency, in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template, request
from markupsafe import Markup
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from invoices.billing.models import Invoice
from invoices.finance.reports import MAX_MONTHS, add_months, default_period, parse_month
from licensing.core.auth import role_required
from licensing.core.charts import bar_chart
from licensing.core.clock import today
from licensing.core.db import get_session
from licensing.core.money import format_money
from licensing.core.places import territory_label
from licensing.licenses.models import License
from licensing.pricing.rules import MEDIUM_LABELS

bp = Blueprint("finance_revenue", __name__, url_prefix="/finance/reports/revenue")
CHART_CATEGORIES = 12
DIMENSIONS = {"medium": (License.medium, "medium"), "territory": (License.territory, "territory")}


@dataclass
class RevenueRow:
    key: str
    label: str
    currency: str
    licenses: int
    invoiced: int  # every invoice but voided ones
    collected: int  # paid invoices
    refunded: int
    outstanding: int  # open invoices

    @property
    def net(self) -> int:
        return self.collected - self.refunded


def _label(dimension: str, key: str) -> str:
    return MEDIUM_LABELS.get(key, key) if dimension == "medium" else territory_label(key)


def revenue_by(session: Session, dimension: str, first: date, end: date) -> list[RevenueRow]:
    """Rows per (medium or territory, currency), largest invoiced first; invoices issued in [first, end)."""
    column, _name = DIMENSIONS[dimension]
    inner = (select(column.label("key"), Invoice.currency.label("currency"), Invoice.status.label("status"),
                    Invoice.total.label("total"), Invoice.refunded_amount.label("refunded"))
             .join(Invoice, Invoice.number == License.invoice_number)
             .where(Invoice.issue_date >= first, Invoice.issue_date < end).subquery())
    c = inner.c
    rows = session.execute(select(
        c.key, c.currency, func.count(),
        func.sum(case((c.status != "void", c.total), else_=0)),
        func.sum(case((c.status == "paid", c.total), else_=0)),
        func.sum(c.refunded),
        func.sum(case((c.status == "open", c.total), else_=0)),
    ).group_by(c.key, c.currency)).all()
    found = [RevenueRow(key, _label(dimension, key), currency, int(n), int(inv or 0), int(col or 0), int(ref or 0),
                        int(out or 0)) for key, currency, n, inv, col, ref, out in rows]
    return sorted(found, key=lambda r: (r.currency, -r.invoiced, r.label))


def _chart(dimension: str, currency: str, rows: list[RevenueRow], first: date, last: date) -> Markup:
    top = [r for r in rows if r.currency == currency][:CHART_CATEGORIES]
    what = "medium" if dimension == "medium" else "territory"
    return Markup(bar_chart(
        f"by-{what}-{currency.lower()}", f"Revenue by {what} in {currency}",
        f"Invoiced, collected and refunded amounts per {what} for invoices issued from {first:%B %Y} to "
        f"{last:%B %Y}, in {currency}, largest first (at most {CHART_CATEGORIES}). The table lists every one.",
        [r.label[:18] for r in top],
        [("Invoiced", [r.invoiced for r in top]), ("Collected", [r.collected for r in top]),
         ("Refunded", [r.refunded for r in top])],
        lambda v: format_money(v, currency)))


def _page(dimension: str):
    default_first, default_last = default_period(today())
    raw_from = (request.args.get("from") or "").strip()[:7] or f"{default_first:%Y-%m}"
    raw_to = (request.args.get("to") or "").strip()[:7] or f"{default_last:%Y-%m}"
    errors = {name: "Enter a month as YYYY-MM, e.g. 2026-01." for name, raw in (("from", raw_from), ("to", raw_to))
              if parse_month(raw) is None}
    first, last = parse_month(raw_from) or default_first, parse_month(raw_to) or default_last
    if not errors and first > last:
        errors["to"] = "The last month is before the first."
    elif not errors and add_months(first, MAX_MONTHS) <= last:
        errors["to"] = f"Choose at most {MAX_MONTHS} months."
    if errors:
        first, last = default_first, default_last
    rows = revenue_by(get_session(), dimension, first, add_months(last, 1))
    currencies = sorted({r.currency for r in rows})
    charts = {c: _chart(dimension, c, rows, first, last) for c in currencies}
    return render_template("finance/revenue_by.html", dimension=dimension, rows=rows, currencies=currencies,
                           charts=charts, raw_from=raw_from, raw_to=raw_to, errors=errors, first=first,
                           last=last), 400 if errors else 200


@bp.get("/by-medium")
@role_required("finance")
def by_medium():
    return _page("medium")


@bp.get("/by-territory")
@role_required("finance")
def by_territory():
    return _page("territory")
