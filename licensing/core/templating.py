"""Template filters and globals shared by every page and e-mail."""
from __future__ import annotations

import math
from datetime import date, datetime

import segno
from flask import Flask, url_for

from licensing.core.money import format_money
from licensing.core.places import countries, languages, territory_label


def _date(value: date | datetime | None, fmt: str = "%-d %B %Y") -> str:
    return value.strftime(fmt) if value else ""


def _docdate(value: str | date | None) -> str:
    """Dates of document contexts are ISO strings."""
    if not value:
        return ""
    return _date(date.fromisoformat(value) if isinstance(value, str) else value)


def _qr_data_uri(text: str) -> str:

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def _qr_png_data_uri(text: str) -> str:
    """The QR code as a PNG of one pixel per module (drawn without smoothing, so it prints sharp): a
    few hundred bytes that WeasyPrint embeds as they are, where an SVG path costs ~8 ms to draw."""

    return segno.make(text, error="m").png_data_uri(scale=1, border=2)


# Widths for the invoice's table of fixed layout, in `ch` (the width of a digit at the table's 9.5pt).
DIGIT_MM = 2.13  # a DejaVu Sans digit at 9.5pt
ITEMS_FIXED_MM = 174 - 9 - 35  # the text width of A4 less the margins, the quantity and the tax columns
MIN_DESCRIPTION_MM = 45
GRAND_SCALE = 1.15  # the grand total is bold and 10pt


def invoice_columns(lines: list[dict], totals: list[int], currency: str) -> dict | None:
    """Widths (ch) of the amount columns of the invoice: each as wide as its longest amount, the
    last one also holding the totals; None when they would leave the description less than
    MIN_DESCRIPTION_MM (then the table falls back to the automatic layout, which measures every word
    of every cell: several milliseconds more)."""
    def longest(amounts: list[int], scale: float = 1.0) -> int:
        return max([math.ceil(len(format_money(int(a), currency)) * scale) for a in amounts] + [10]) + 2

    widths = {"unit": longest([line["unit_amount"] for line in lines]),
              "net": longest([line["net_amount"] for line in lines]),
              "tax": longest([line["tax_amount"] for line in lines] + totals, GRAND_SCALE)}
    if ITEMS_FIXED_MM - sum(widths.values()) * DIGIT_MM < MIN_DESCRIPTION_MM:
        return None
    return widths


def _url_prefix(endpoint: str, argument: str) -> str:
    """The address of `endpoint` up to its last argument, for a list to append each row's value: one
    url_for per page instead of one per row. Only for values that need no escaping in a path (the
    references and numbers the app makes: REQ-…, INV-…)."""
    return url_for(endpoint, **{argument: "_"})[:-1]


def init_templating(app: Flask, labels: dict[str, dict[str, str]]) -> None:
    """The shared filters, plus one filter per label table the features give (`medium`, `status`...):
    core knows no feature's vocabulary."""
    for name, table in labels.items():
        app.jinja_env.filters[name] = lambda value, table=table: table.get(value, value)
    app.jinja_env.filters.update(
        money=lambda amount, currency: format_money(int(amount), currency),
        date=_date,
        datetime=lambda v: _date(v, "%-d %B %Y, %H:%M UTC"),
        territory=territory_label,
        country=lambda code: countries().get(code, code),
        language=lambda code: languages().get(code, code),
        docdate=_docdate,
        number=lambda n: f"{int(n):,}",
    )
    app.jinja_env.globals["qr_data_uri"] = _qr_data_uri
    app.jinja_env.globals["invoice_columns"] = invoice_columns
    app.jinja_env.globals["qr_png_data_uri"] = _qr_png_data_uri
    app.jinja_env.globals["url_prefix"] = _url_prefix
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
