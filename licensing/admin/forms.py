"""WTForms of the admin and staff tool pages (users, roles, reasons, API tokens, the rate card)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField

from licensing.admin.rules import FIELDS, NOTE_LIMIT
from licensing.core.models import ROLES
from licensing.review.forms import NUL


class ReasonForm(FlaskForm):
    title = StringField("Title", **NUL)
    body = TextAreaField("Text sent to the publisher", **NUL, render_kw={"rows": 3})
    active = BooleanField("In use", default=True)


class TokenForm(FlaskForm):
    name = StringField("Name of the token", **NUL, description="What it is for, e.g. 'CMS integration'.")


class InviteForm(FlaskForm):
    email = StringField("E-mail", **NUL, render_kw={"type": "email"})
    name = StringField("Name", **NUL)
    roles = SelectMultipleField("Roles", choices=[(r, r.capitalize()) for r in ROLES], validate_choice=False)


class RolesForm(FlaskForm):
    roles = SelectMultipleField("Roles", choices=[(r, r.capitalize()) for r in ROLES], validate_choice=False)
    active = BooleanField("Active")


# Fields shown in a fieldset named by their group ("Base fee", ...) are labelled within it.
GROUPED = ("Base fee", "Territory multiplier", "Term multiplier")


def _rate_card_form() -> type[FlaskForm]:
    """One text field per value of the card (admin.rules.FIELDS), typed as people write them."""
    fields = {f.name: StringField(f.label if f.group in GROUPED else f.full_label, **NUL,
                                  render_kw={"inputmode": "decimal", "autocomplete": "off"})
              for f in FIELDS}
    fields["currency"] = StringField("Currency", **NUL, description="Three letters, e.g. GBP.",
                                     render_kw={"maxlength": 3, "autocomplete": "off"})
    fields["note"] = TextAreaField("Note on this version (optional)", **NUL,
                                   description=f"What changed and why, at most {NOTE_LIMIT} characters.",
                                   render_kw={"rows": 2})
    return type("RateCardForm", (FlaskForm,), fields)


RateCardForm = _rate_card_form()
