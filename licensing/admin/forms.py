"""WTForms of the admin and staff tool pages (users, roles, reasons, API tokens)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField

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
