"""The finance invoice list: status tabs, filters, search, sorting and pagination, with the count
and the totals per currency of the filtered set from one grouped query, and the page itself from
one indexed query of plain columns (no ORM objects, no N+1): two queries whatever the page size."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session

from invoices.billing.models import CreditNote, Invoice, InvoiceEvent
from licensing.core.bounds import parse_day
from licensing.core.money import THREE_DECIMAL, ZERO_DECIMAL, minor_bound, parse_major

PAGE_SIZE = 50
TABS = ("open", "overdue", "paid", "refunded", "uncollectible", "void", "all")
TAB_LABELS = {"open": "Open", "overdue": "Overdue", "paid": "Paid", "refunded": "Refunded",
              "uncollectible": "Uncollectible", "void": "Void", "all": "All"}
SORTS = {
    "newest": (Invoice.issue_date.desc(), Invoice.id.desc()),
    "oldest": (Invoice.issue_date.asc(), Invoice.id.asc()),
    "due_soonest": (Invoice.due_date.asc(), Invoice.id.asc()),
    "due_latest": (Invoice.due_date.desc(), Invoice.id.desc()),
    "amount_high": (Invoice.total.desc(), Invoice.id.desc()),
    "amount_low": (Invoice.total.asc(), Invoice.id.asc()),
    "customer": (Invoice.buyer_name.asc(), Invoice.id.asc()),
    "number": (Invoice.number.desc(),),
}
SORT_LABELS = {"newest": "Newest first", "oldest": "Oldest first", "due_soonest": "Due date, earliest",
               "due_latest": "Due date, latest", "amount_high": "Highest amount", "amount_low": "Lowest amount",
               "customer": "Customer A–Z", "number": "Number, newest"}
DATE_FIELDS = ("issued_from", "issued_to", "due_from", "due_to")
# What finance is asked to look at (besides the overdue tab): a payment Stripe reported differently
# from the invoice (payments.services flags it: another amount, a second payment, a closed invoice),
# and an open invoice a card payment failed for.
ATTENTION = {"flagged": "Flagged for checking", "payment_failed": "Card payment failed"}
NUMBER = re.compile(r"^(INV|LIC|CN)-\d{4}-\d{5,}$")
COLUMNS = (Invoice.id, Invoice.number, Invoice.status, Invoice.issue_date, Invoice.due_date, Invoice.currency,
           Invoice.total, Invoice.refunded_amount, Invoice.buyer_name, Invoice.buyer_email, Invoice.buyer_country,
           Invoice.flagged)


# Larger amounts overflow a 64-bit integer in minor units; no invoice is anywhere near.
MAX_FILTER_AMOUNT = 10**12


@dataclass
class InvoiceFilters:
    """What the filter form sent, kept as typed (so a mistake is shown with the value), parsed on use."""

    tab: str = "open"
    issued_from: str = ""
    issued_to: str = ""
    due_from: str = ""
    due_to: str = ""
    currency: str = ""
    customer: str = ""
    country: str = ""
    amount_min: str = ""
    amount_max: str = ""
    q: str = ""
    attention: str = ""  # a key of ATTENTION
    sort: str = "newest"
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> InvoiceFilters:
        def text(name: str, limit: int = 200) -> str:
            return (args.get(name, "") or "").strip()[:limit]

        try:
            page = max(1, min(int(args.get("page", 1)), 1_000_000))
        except (TypeError, ValueError):
            page = 1
        tab, sort, attention = text("tab", 20), text("sort", 20), text("attention", 20)
        filters = cls(tab=tab if tab in TABS else "open", currency=text("currency", 10).upper(),
                      customer=text("customer"), country=text("country", 60).upper(),
                      amount_min=text("amount_min", 30), amount_max=text("amount_max", 30), q=text("q"),
                      attention=attention if attention in ATTENTION else "",
                      sort=sort if sort in SORTS else "newest", page=page,
                      **{name: text(name, 10) for name in DATE_FIELDS})
        filters.validate()
        return filters

    def validate(self) -> None:
        for name in DATE_FIELDS:
            if getattr(self, name) and self.date(name) is None:
                self.errors[name] = "Enter a date as YYYY-MM-DD, e.g. 2026-03-31."
        for name in ("amount_min", "amount_max"):
            if getattr(self, name):
                try:
                    if parse_major(getattr(self, name)) > MAX_FILTER_AMOUNT:
                        self.errors[name] = f"Enter an amount of at most {MAX_FILTER_AMOUNT:,}."
                except ValueError as exc:
                    self.errors[name] = str(exc)
        if self.currency and not re.fullmatch(r"[A-Z]{3}", self.currency):
            self.errors["currency"] = "Enter a three-letter currency code such as GBP."
        if self.country and not re.fullmatch(r"[A-Z]{2}", self.country):
            self.errors["country"] = "Enter a two-letter country code such as FR."

    def date(self, name: str) -> date | None:
        return parse_day(getattr(self, name))  # None outside 1900-2999 too: no date overflows later

    def amount(self, name: str) -> Decimal | None:
        if not getattr(self, name) or name in self.errors:
            return None
        return parse_major(getattr(self, name))

    def as_args(self, **changes) -> dict:
        values = {name: getattr(self, name) for name in (
            "tab", *DATE_FIELDS, "currency", "customer", "country", "amount_min", "amount_max", "q", "attention", "sort",
            "page")}
        values.update(changes)
        return {k: v for k, v in values.items()
                if v not in ("", None) and not (k == "page" and v == 1) and not (k == "sort" and v == "newest")}


def tab_condition(tab: str, today: date) -> ColumnElement[bool]:
    if tab == "overdue":
        return and_(Invoice.status == "open", Invoice.due_date < today)
    if tab == "refunded":
        return Invoice.refunded_amount > 0
    if tab == "all":
        return true()
    return Invoice.status == tab


def _amount_condition(value: Decimal, lower: bool, currency: str) -> ColumnElement[bool]:
    """The bound in each currency's own minor units (JPY has none, BHD three)."""
    def bound(digits: int) -> ColumnElement[bool]:
        minor = minor_bound(value, digits, lower)
        return Invoice.total >= minor if lower else Invoice.total <= minor

    if currency:
        return bound(0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2)
    return or_(and_(Invoice.currency.in_(sorted(ZERO_DECIMAL)), bound(0)),
               and_(Invoice.currency.in_(sorted(THREE_DECIMAL)), bound(3)),
               and_(Invoice.currency.not_in(sorted(ZERO_DECIMAL | THREE_DECIMAL)), bound(2)))


def _contains(column, needle: str, sqlite: bool) -> ColumnElement[bool]:
    """Case-insensitive substring match: SQLite's LIKE already ignores ASCII case (and its lower()
    folds nothing more), so it is spared a function call per row; PostgreSQL gets ILIKE."""
    return column.contains(needle, autoescape=True) if sqlite else column.icontains(needle, autoescape=True)


def exact_search(q: str) -> bool:
    """A whole document number: answered from a unique index, no scan needed."""
    return bool(NUMBER.match(q.upper()))


def _search(q: str, sqlite: bool) -> ColumnElement[bool]:
    upper = q.upper()
    if NUMBER.match(upper):
        kind = upper[:3]
        if kind == "INV":
            return Invoice.number == upper
        if kind == "LIC":
            return Invoice.reference == upper
        return exists().where(CreditNote.invoice_id == Invoice.id, CreditNote.number == upper)
    if upper.startswith("INV-"):
        return Invoice.number.startswith(upper, autoescape=True)
    if "@" in q:
        return func.lower(Invoice.buyer_email) == q.lower()
    if re.fullmatch(r"[\d-]+", q):  # part of a number, e.g. 00123 or 2026-001
        return Invoice.number.contains(q, autoescape=True)
    return _contains(Invoice.buyer_name, q, sqlite)


def conditions(filters: InvoiceFilters, sqlite: bool = False) -> list[ColumnElement[bool]]:
    """Every filter but the tab (the tabs count within the filtered set)."""
    found: list[ColumnElement[bool]] = []
    column = {"issued": Invoice.issue_date, "due": Invoice.due_date}
    for name in DATE_FIELDS:
        value = filters.date(name) if getattr(filters, name) else None
        if value is not None:
            col = column[name.split("_")[0]]
            found.append(col >= value if name.endswith("_from") else col <= value)
    if filters.currency and "currency" not in filters.errors:
        found.append(Invoice.currency == filters.currency)
    if filters.country and "country" not in filters.errors:
        found.append(Invoice.buyer_country == filters.country)
    if filters.customer:
        found.append(or_(_contains(Invoice.buyer_name, filters.customer, sqlite),
                         _contains(Invoice.buyer_email, filters.customer, sqlite)))
    for name, lower in (("amount_min", True), ("amount_max", False)):
        value = filters.amount(name)
        if value is not None:
            found.append(_amount_condition(value, lower, filters.currency))
    if filters.q:
        found.append(_search(filters.q, sqlite))
    if filters.attention:
        found.append(attention_condition(filters.attention))
    return found


def attention_condition(key: str) -> ColumnElement[bool]:
    """Invoices flagged for checking (whatever their status), or open ones a card payment failed for."""
    if key == "flagged":
        return Invoice.flagged.is_(True)
    return and_(Invoice.status == "open", exists().where(InvoiceEvent.invoice_id == Invoice.id,
                                                         InvoiceEvent.kind == "payment_failed"))


def needs_scan(filters: InvoiceFilters) -> bool:
    """Filters on columns no index orders (customer, country, free text): the rows must be read."""
    return bool(filters.customer or (filters.country and "country" not in filters.errors)
                or (filters.q and not exact_search(filters.q)) or filters.attention)


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@dataclass
class CurrencyTotals:
    currency: str
    count: int
    total: int
    refunded: int
    outstanding: int  # of open invoices

    @property
    def net(self) -> int:
        return self.total - self.refunded


@dataclass
class InvoicePage:
    rows: list  # Row(id, number, status, issue_date, due_date, currency, total, refunded_amount, ...)
    total: int
    page: int
    pages: int
    totals: list[CurrencyTotals]


def _grouped(session: Session, where: list[ColumnElement[bool]], scan: bool) -> list[tuple[str, str, int, int, int]]:
    """(status, currency, count, total, refunded) of the matching invoices. With filters an index
    answers, grouped in the order of the covering summary index (the wide rows are never read).
    With filters that must read the rows anyway, grouped on `status || ''` so SQLite does one table
    scan instead of walking that index and fetching every row from it (several times slower)."""
    status, currency = Invoice.status, Invoice.currency
    if scan:
        status, currency = status.concat(""), currency.concat("")
    inner = select(status.label("status"), currency.label("currency"), Invoice.total.label("total"),
                   Invoice.refunded_amount.label("refunded")).where(*where).subquery()
    rows = session.execute(select(inner.c.status, inner.c.currency, func.count(), func.sum(inner.c.total),
                                  func.sum(inner.c.refunded)).group_by(inner.c.status, inner.c.currency)).all()
    return [(st, cur, int(n), int(total or 0), int(refunded or 0)) for st, cur, n, total, refunded in rows]


def summary(session: Session, filters: InvoiceFilters, today: date) -> list[CurrencyTotals]:
    """The selected tab's count and totals per currency over every page of the filtered set."""
    where = [*conditions(filters, is_sqlite(session)), tab_condition(filters.tab, today)]
    found: dict[str, CurrencyTotals] = {}
    for status, currency, n, total, refunded in _grouped(session, where, needs_scan(filters)):
        row = found.setdefault(currency, CurrencyTotals(currency, 0, 0, 0, 0))
        row.count, row.total, row.refunded = row.count + n, row.total + total, row.refunded + refunded
        if status == "open":
            row.outstanding += total
    return [found[c] for c in sorted(found)]


def invoice_page(session: Session, filters: InvoiceFilters, today: date, page_size: int = PAGE_SIZE) -> InvoicePage:
    totals = summary(session, filters, today)
    total = sum(t.count for t in totals)
    pages = max(1, -(-total // page_size))
    page = min(filters.page, pages)
    # The page's ids first (from an index alone, however deep the page), then only their rows.
    ids = (select(Invoice.id).where(*conditions(filters, is_sqlite(session)), tab_condition(filters.tab, today))
           .order_by(*SORTS[filters.sort]).offset((page - 1) * page_size).limit(page_size).subquery())
    rows = session.execute(select(*COLUMNS).join(ids, ids.c.id == Invoice.id).order_by(*SORTS[filters.sort])).all()
    return InvoicePage(rows, total, page, pages, totals)


# ------------------------------------------------------------------------ what needs attention

ATTENTION_SHOWN = 5


@dataclass
class Attention:
    key: str  # "overdue" or a key of ATTENTION
    label: str
    count: int
    rows: list  # the first ATTENTION_SHOWN: Row(number, buyer_name, currency, total, due_date, flag_reason)
    args: dict[str, str]  # the invoice list's arguments that show every one


def needing_attention(session: Session, today: date, with_rows: bool = True) -> list[Attention]:
    """Overdue invoices (longest overdue first), those flagged for checking and those a card payment
    failed for (newest first): each counted, with its first few (none when `with_rows` is false)."""
    kinds = [("overdue", "Overdue", tab_condition("overdue", today), {"tab": "overdue", "sort": "due_soonest"},
              SORTS["due_soonest"])]
    kinds += [(key, label, attention_condition(key), {"tab": "all" if key == "flagged" else "open", "attention": key},
               SORTS["newest"]) for key, label in ATTENTION.items()]
    found = []
    for key, label, where, args, order in kinds:
        count = session.scalar(select(func.count()).select_from(Invoice).where(where)) or 0
        rows = session.execute(select(Invoice.number, Invoice.buyer_name, Invoice.currency, Invoice.total,
                                      Invoice.due_date, Invoice.flag_reason).where(where).order_by(*order)
                               .limit(ATTENTION_SHOWN)).all() if with_rows and count else []
        found.append(Attention(key, label, count, rows, args))
    return found
