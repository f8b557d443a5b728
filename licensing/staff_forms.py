"""WTForms of the staff and admin pages. Text fields drop NUL characters (PostgreSQL text cannot
hold them)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField

from .forms import without_nul
from .models import ROLES

NUL = {"filters": [without_nul]}


class ApproveForm(FlaskForm):
    fee_override = StringField("New fee (optional)", **NUL, description="Leave empty to approve at the quoted fee.",
                               render_kw={"inputmode": "decimal"})
    override_reason = TextAreaField("Reason for the new fee", **NUL, render_kw={"rows": 2},
                                    description="Required when the fee differs from the quote.")
    extra_terms = TextAreaField("Extra terms (optional)", **NUL, render_kw={"rows": 3},
                                description="Printed on the license agreement.")


class RejectForm(FlaskForm):
    reason_template = SelectField("Reason", choices=[], validate_choice=False, coerce=str)
    reason = TextAreaField("Message to the publisher", **NUL, render_kw={"rows": 3},
                           description="Added to the chosen reason; required without one.")


class InfoForm(FlaskForm):
    message = TextAreaField("What do you need to know?", **NUL, render_kw={"rows": 4})


class NoteForm(FlaskForm):
    note = TextAreaField("Internal note (never shown to the publisher)", **NUL, render_kw={"rows": 3})


class AssignForm(FlaskForm):
    assignee = SelectField("Assign to", choices=[], validate_choice=False, coerce=str)


class BulkForm(FlaskForm):
    references = SelectMultipleField("Requests", choices=[], validate_choice=False)
    action = SelectField("Action", choices=[("approve", "Approve at the quoted fee"), ("reject", "Reject")],
                         validate_choice=False)
    reason_template = SelectField("Reason", choices=[], validate_choice=False, coerce=str)
    reason = StringField("Message (for rejections)", **NUL)


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


class PasswordForm(FlaskForm):
    password = StringField("New password", **NUL, render_kw={"type": "password", "autocomplete": "new-password"},
                           description="At least 10 characters.")
    confirm = StringField("Repeat it", **NUL, render_kw={"type": "password", "autocomplete": "new-password"})
