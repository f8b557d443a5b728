"""Admins edit the country tax table the invoice tax rules read."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select

from invoices.billing.models import TaxRate
from invoices.billing.services import tax_table
from licensing.core.auth import role_required
from licensing.core.db import begin_write, get_session
from licensing.core.places import countries

bp = Blueprint("tax_admin", __name__, url_prefix="/admin")


class TaxForm(FlaskForm):
    pass


def _parse_rate(text: str) -> int | None:
    """'20' or '20.5' (percent) -> basis points; None when it is not a rate."""
    match = re.fullmatch(r"\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*", text or "")
    if not match:
        return None
    value = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    return value if value <= 10000 else None


@bp.route("/tax", methods=["GET", "POST"])
@role_required("admin")
def tax_rates():
    session = get_session()
    form = TaxForm()
    errors: list[str] = []
    typed = {}
    if request.method == "POST" and form.validate():
        code = (request.form.get("country") or "").strip().upper()
        name = (request.form.get("name") or "").strip()
        rate = _parse_rate(request.form.get("rate", ""))
        typed = {"country": code, "name": name, "rate": request.form.get("rate", ""),
                 "eu": bool(request.form.get("eu"))}
        if code not in countries():
            errors.append("Country: choose an ISO 3166 country code, e.g. FR.")
        if not name or len(name) > 60:
            errors.append("Name: give the tax a name of at most 60 characters, e.g. French VAT.")
        if rate is None:
            errors.append("Rate: enter a percentage from 0 to 100 with at most two decimals, e.g. 20 or 5.5.")
        if not errors:
            begin_write(session)
            row = session.get(TaxRate, code) or TaxRate(country=code)
            row.name, row.rate_bp, row.eu = name, rate, typed["eu"]
            session.add(row)
            session.commit()
            flash(f"Saved the tax of {countries()[code]}: {name} {rate / 100:g}%.", "success")
            return redirect(url_for("tax_admin.tax_rates"))
    elif request.method == "POST":
        errors.append("The page had expired; please send it again.")
    stored = {row.country for row in session.scalars(select(TaxRate))}
    table = sorted(tax_table(session).values(), key=lambda t: t.country)
    return render_template("admin/tax.html", form=form, table=table, stored=stored, errors=errors, typed=typed,
                           countries=countries()), (422 if errors else 200)
