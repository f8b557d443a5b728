"""Admins edit the rate card on a page: a form holding the current version's values, a preview of
what a new version changes (the values changed, and five typical quotes before and after), and only
then "Save as new version", through the service `flask ratecard load` uses: a version is never
edited, and each records who saved it and when."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from licensing.admin.forms import RateCardForm
from licensing.admin.queries import rate_card_versions
from licensing.admin.rules import FIELDS, Comparison, card_fingerprint, changes, compare, form_values, read_form
from licensing.core.auth import role_required
from licensing.core.bounds import parse_int
from licensing.core.db import get_session
from licensing.core.forms import EXPIRED
from licensing.pricing.models import RateCard
from licensing.pricing.rules import RateCardTerms
from licensing.pricing.services import NoRateCard, StaleRateCard, current_rate_card, save_rate_card

bp = Blueprint("rate_card_admin", __name__, url_prefix="/admin")
LABELS = {f.name: f.full_label for f in FIELDS} | {"note": "Note"}  # the error summary's


@dataclass
class Preview:
    card: dict
    fingerprint: str
    changes: list[tuple[str, str, str]]
    comparisons: list[Comparison]


def _current(session: Session) -> RateCard | None:
    try:
        return current_rate_card(session)
    except NoRateCard:
        return None


def _preview(card: dict, current: RateCard | None) -> Preview:
    before = RateCardTerms.from_dict(current.version, current.data) if current else None
    after = RateCardTerms.from_dict((current.version if current else 0) + 1, card)
    return Preview(card, card_fingerprint(card), changes(current.data, card) if current else [],
                   compare(before, after))


def _page(form: FlaskForm, current: RateCard | None, status: int = 200, preview: Preview | None = None,
          notice: str = "", general: str = ""):
    session = get_session()
    return render_template("admin/rate_card.html", form=form, current=current, preview=preview, notice=notice,
                           general=general, fields=FIELDS, labels=LABELS, versions=rate_card_versions(session),
                           based_on=current.version if current else 0), status


@bp.route("/rate-card", methods=["GET", "POST"])
@role_required("admin")
def rate_card():
    session = get_session()
    current = _current(session)
    form = RateCardForm()
    if request.method == "GET":
        if current is not None:
            form.process(data=form_values(current.data))
        return _page(form, current)
    if not form.validate():  # the CSRF token; every other field is read below
        flash(EXPIRED, "error")
        return _page(form, current, 400)
    card, errors = read_form({f.name: form[f.name].data or "" for f in FIELDS} | {"note": form.note.data or ""})
    if card is None:
        for name, message in errors.items():
            if name in form:
                form[name].errors = [message]
        return _page(form, current, 422, general=errors.get("rate_card", ""))
    based_on = parse_int(request.form.get("based_on"), lowest=0)  # the version the form was filled from
    preview = _preview(card, current)
    notice = ""
    if based_on is not None and current is not None and based_on != current.version:
        notice = f"Version {current.version} was saved meanwhile: this preview compares with it."
    if request.form.get("action") != "save":
        return _page(form, current, preview=preview, notice=notice)
    if notice or based_on is None or request.form.get("previewed") != preview.fingerprint:
        return _page(form, current, 409, preview,
                     notice or "These values differ from the preview you saw: check this one, then save.")
    if current is not None and not preview.changes:
        return _page(form, current, 422, preview, general=f"Nothing changes: version {current.version} has "
                                                          "these values already.")
    try:
        saved = save_rate_card(session, card, (form.note.data or "").strip(), current_user.id, based_on=based_on)
    except StaleRateCard as exc:
        current = _current(session)
        return _page(form, current, 409, _preview(card, current),
                     f"Version {exc.current} was saved meanwhile: this preview compares with it.")
    flash(f"Saved rate card version {saved.version}: new quotes use it from now on; requests already quoted "
          "keep their price.", "success")
    return redirect(url_for("rate_card_admin.rate_card"))
