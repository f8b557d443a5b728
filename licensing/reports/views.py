"""Revenue by medium and by territory: needs license data, so it lives in licensing, which may read
billing's invoices (the other way round is not allowed). Each license is joined to its invoice
by number; the period is the invoices' issue date; figures per currency, in SQL, each excluding
and including VAT; the page's table as CSV too."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template, request
from markupsafe import Markup
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote, Invoice
from invoices.finance.reports import MAX_MONTHS, add_months, default_period, parse_month
from licensing.core.auth import role_required
from licensing.core.charts import bar_chart
from licensing.core.clock import today
from licensing.core.csvstream import csv_safe, write_csv
from licensing.core.db import get_session
from licensing.core.money import decimal_string, format_money
from licensing.core.places import territory_label
from licensing.core.streaming import csv_download
from licensing.licenses.models import License
from licensing.pricing.rules import MEDIUM_LABELS

bp = Blueprint("finance_revenue", __name__, url_prefix="/finance/reports/revenue")
CHART_CATEGORIES = 12
CSV_AMOUNTS = ("invoiced_excl_vat", "invoiced_incl_vat", "collected_excl_vat", "collected_incl_vat", "refunded_excl_vat",
               "refunded_incl_vat", "net_excl_vat", "net_incl_vat", "outstanding_excl_vat", "outstanding_incl_vat")
DIMENSIONS = {"medium": (License.medium, "medium"), "territory": (License.territory, "territory")}


@dataclass
class RevenueRow:
    """Figures in minor units, each including VAT (as invoiced) and, beside it, `_ex_vat` excluding
    it (the stored subtotals of the invoices and of their refund credit notes)."""

    key: str
    label: str
    currency: str
    licenses: int
    invoiced: int  # every invoice but voided ones
    collected: int  # paid invoices
    refunded: int
    outstanding: int  # open invoices
    invoiced_ex_vat: int = 0
    collected_ex_vat: int = 0
    refunded_ex_vat: int = 0
    outstanding_ex_vat: int = 0

    @property
    def net(self) -> int:
        return self.collected - self.refunded

    @property
    def net_ex_vat(self) -> int:
        return self.collected_ex_vat - self.refunded_ex_vat


def _label(dimension: str, key: str) -> str:
    return MEDIUM_LABELS.get(key, key) if dimension == "medium" else territory_label(key)


def revenue_by(session: Session, dimension: str, first: date, end: date) -> list[RevenueRow]:
    """Rows per (medium or territory, currency), largest invoiced first; invoices issued in [first, end)."""
    column, _name = DIMENSIONS[dimension]
    refunded_ex_vat = (select(func.coalesce(func.sum(CreditNote.subtotal), 0))
                       .where(CreditNote.invoice_id == Invoice.id, CreditNote.kind == "refund").scalar_subquery())
    inner = (select(column.label("key"), Invoice.currency.label("currency"), Invoice.status.label("status"),
                    Invoice.total.label("total"), Invoice.subtotal.label("subtotal"),
                    Invoice.refunded_amount.label("refunded"), refunded_ex_vat.label("refunded_ex_vat"))
             .join(Invoice, Invoice.number == License.invoice_number)
             .where(Invoice.issue_date >= first, Invoice.issue_date < end).subquery())
    c = inner.c

    def sum_if(condition, amount):
        return func.sum(case((condition, amount), else_=0))

    rows = session.execute(select(
        c.key, c.currency, func.count(),
        sum_if(c.status != "void", c.total), sum_if(c.status == "paid", c.total), func.sum(c.refunded),
        sum_if(c.status == "open", c.total),
        sum_if(c.status != "void", c.subtotal), sum_if(c.status == "paid", c.subtotal), func.sum(c.refunded_ex_vat),
        sum_if(c.status == "open", c.subtotal),
    ).group_by(c.key, c.currency)).all()
    found = [RevenueRow(key, _label(dimension, key), currency, int(n), *(int(v or 0) for v in sums))
             for key, currency, n, *sums in rows]
    return sorted(found, key=lambda r: (r.currency, -r.invoiced, r.label))


def _chart(dimension: str, currency: str, rows: list[RevenueRow], first: date, last: date) -> Markup:
    top = [r for r in rows if r.currency == currency][:CHART_CATEGORIES]
    what = "medium" if dimension == "medium" else "territory"
    return Markup(bar_chart(
        f"by-{what}-{currency.lower()}", f"Revenue by {what} in {currency}",
        f"Invoiced, collected and refunded amounts including VAT per {what} for invoices issued from {first:%B %Y} to "
        f"{last:%B %Y}, in {currency}, largest first (at most {CHART_CATEGORIES}). The table lists every one.",
        [r.label[:18] for r in top],
        [("Invoiced", [r.invoiced for r in top]), ("Collected", [r.collected for r in top]),
         ("Refunded", [r.refunded for r in top])],
        lambda v: format_money(v, currency)))


def _period() -> tuple[str, str, dict[str, str], date, date]:
    """The months as typed, what is wrong with them, and the months shown (the last twelve when wrong)."""
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
    return raw_from, raw_to, errors, first, last


def _page(dimension: str):
    raw_from, raw_to, errors, first, last = _period()
    rows = revenue_by(get_session(), dimension, first, add_months(last, 1))
    currencies = sorted({r.currency for r in rows})
    charts = {c: _chart(dimension, c, rows, first, last) for c in currencies}
    return render_template("finance/revenue_by.html", dimension=dimension, rows=rows, currencies=currencies,
                           charts=charts, raw_from=raw_from, raw_to=raw_to, errors=errors, first=first,
                           last=last), 400 if errors else 200


def _csv(dimension: str):
    """The page's table as CSV: amounts as plain decimals, each excluding then including VAT."""
    _raw_from, _raw_to, errors, first, last = _period()
    if errors:
        return _page(dimension)
    rows = revenue_by(get_session(), dimension, first, add_months(last, 1))  # one a medium or territory

    def lines(_session: Session) -> Iterator[str]:
        yield from write_csv(("currency", dimension, "label", "licenses", *CSV_AMOUNTS), (
            [r.currency, csv_safe(r.key), csv_safe(r.label), str(r.licenses),
             *(decimal_string(v, r.currency) for v in (
                 r.invoiced_ex_vat, r.invoiced, r.collected_ex_vat, r.collected, r.refunded_ex_vat, r.refunded,
                 r.net_ex_vat, r.net, r.outstanding_ex_vat, r.outstanding))] for r in rows))

    return csv_download(lines, f"revenue-by-{dimension}-{first:%Y-%m}-{last:%Y-%m}.csv")


@bp.get("/by-medium")
@role_required("finance")
def by_medium():
    return _page("medium")


@bp.get("/by-medium.csv")
@role_required("finance")
def by_medium_csv():
    return _csv("medium")


@bp.get("/by-territory")
@role_required("finance")
def by_territory():
    return _page("territory")


@bp.get("/by-territory.csv")
@role_required("finance")
def by_territory_csv():
    return _csv("territory")
