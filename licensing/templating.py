"""Template filters and globals shared by every page and e-mail."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from invoices.money import format_money

from .doc_models import LICENSE_STATUS_LABELS
from .intake import countries, languages
from .pricing import MEDIUM_LABELS, TERM_LABELS
from .workflow import STATUS_LABELS


def _date(value: date | datetime | None, fmt: str = "%-d %B %Y") -> str:
    return value.strftime(fmt) if value else ""


def _docdate(value: str | date | None) -> str:
    """Dates of document contexts are ISO strings."""
    if not value:
        return ""
    return _date(date.fromisoformat(value) if isinstance(value, str) else value)


def _qr_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


def territory_label(value: str) -> str:
    """'worldwide' or 'FR,GB' -> 'Worldwide' or 'France, United Kingdom'."""
    if value == "worldwide":
        return "Worldwide"
    names = [countries().get(c, c) for c in value.split(",") if c]
    return ", ".join(names)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=lambda amount, currency: format_money(int(amount), currency),
        date=_date,
        datetime=lambda v: _date(v, "%-d %B %Y, %H:%M UTC"),
        territory=territory_label,
        country=lambda code: countries().get(code, code),
        language=lambda code: languages().get(code, code),
        medium=lambda m: MEDIUM_LABELS.get(m, m),
        term=lambda t: TERM_LABELS.get(t, t),
        status=lambda s: STATUS_LABELS.get(s, s),
        docdate=_docdate,
        license_status=lambda s: LICENSE_STATUS_LABELS.get(s, s),
        number=lambda n: f"{int(n):,}",
    )
    app.jinja_env.globals["qr_data_uri"] = _qr_data_uri
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
