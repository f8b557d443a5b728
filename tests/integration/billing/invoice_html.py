"""The HTML of a realistic invoice: the real layout-version-2 template (templates/pdf/v2) with the
context an issued invoice freezes, through a plain Jinja environment (no app, no database), and
the stylesheet beside it. Used by the Factur-X PDF tests."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "licensing" / "core" / "static"
STYLESHEET = STATIC / "pdf" / "v2" / "document.css"

CONTEXT = {
    "number": "INV-2026-00001", "issued_on": "2026-12-07", "due_date": "2026-12-21", "currency": "GBP",
    "seller": {"name": "Middle East Eye Ltd", "address": "Example House, 1 Example Street, London EC1A 1AA",
               "vat_number": "GB980780684",
               "bank_details": "Sort code 00-00-00, account 12345678, IBAN GB82 WEST 1234 5698 7654 32"},
    "buyer": {"name": "The Northern Echo", "contact": "Sam Patel", "email": "accounts@echo.example",
              "address": "12 Priestgate, Darlington DL1 1NF", "country": "United Kingdom", "vat_id": ""},
    "lines": [{"description": "License L-2026-00001: 'US, Turkey to work closely to deal IS lasting defeat', "
                              "website, 1 year", "quantity": 1, "unit_amount": 35000, "net_amount": 35000,
               "tax_label": "UK VAT 20%", "tax_amount": 7000, "tax_note": ""}],
    "notes": [], "subtotal": 35000, "tax_total": 7000, "total": 42000, "license_number": "L-2026-00001",
    "payment_terms_days": 14, "pay_url": "https://desk.example/pay/INV-2026-00001/3f2a",
}


def _money(amount: int, currency: str) -> str:
    return f"£{int(amount) / 100:,.2f}" if currency == "GBP" else f"{int(amount) / 100:,.2f} {currency}"


def invoice_html(context: dict | None = None) -> str:
    environment = Environment(loader=FileSystemLoader(ROOT / "templates"), autoescape=select_autoescape())
    environment.filters.update(money=_money, docdate=lambda value: f"{date.fromisoformat(value):%-d %B %Y}")
    environment.globals["invoice_columns"] = lambda lines, totals, currency: {"unit": 12, "net": 12, "tax": 14}
    return environment.get_template("pdf/v2/invoice.html").render(doc=context or CONTEXT)
