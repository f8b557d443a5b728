"""WTForms of the staff and admin pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField

from .models import ROLES


class ApproveForm(FlaskForm):
    fee_override = StringField("New fee (optional)", description="Leave empty to approve at the quoted fee.",
                               render_kw={"inputmode": "decimal"})
    override_reason = TextAreaField("Reason for the new fee", render_kw={"rows": 2},
                                    description="Required when the fee differs from the quote.")
    extra_terms = TextAreaField("Extra terms (optional)", render_kw={"rows": 3},
                                description="Printed on the license agreement.")


class RejectForm(FlaskForm):
    reason_template = SelectField("Reason", choices=[], validate_choice=False, coerce=str)
    reason = TextAreaField("Message to the publisher", render_kw={"rows": 3},
                           description="Added to the chosen reason; required without one.")


class InfoForm(FlaskForm):
    message = TextAreaField("What do you need to know?", render_kw={"rows": 4})


class NoteForm(FlaskForm):
    note = TextAreaField("Internal note (never shown to the publisher)", render_kw={"rows": 3})


class AssignForm(FlaskForm):
    assignee = SelectField("Assign to", choices=[], validate_choice=False, coerce=str)


class BulkForm(FlaskForm):
    references = SelectMultipleField("Requests", choices=[], validate_choice=False)
    action = SelectField("Action", choices=[("approve", "Approve at the quoted fee"), ("reject", "Reject")],
                         validate_choice=False)
    reason_template = SelectField("Reason", choices=[], validate_choice=False, coerce=str)
    reason = StringField("Message (for rejections)")


class ReasonForm(FlaskForm):
    title = StringField("Title")
    body = TextAreaField("Text sent to the publisher", render_kw={"rows": 3})
    active = BooleanField("In use", default=True)


class TokenForm(FlaskForm):
    name = StringField("Name of the token", description="What it is for, e.g. 'CMS integration'.")


class InviteForm(FlaskForm):
    email = StringField("E-mail", render_kw={"type": "email"})
    name = StringField("Name")
    roles = SelectMultipleField("Roles", choices=[(r, r.capitalize()) for r in ROLES], validate_choice=False)


class RolesForm(FlaskForm):
    roles = SelectMultipleField("Roles", choices=[(r, r.capitalize()) for r in ROLES], validate_choice=False)
    active = BooleanField("Active")


class PasswordForm(FlaskForm):
    password = StringField("New password", render_kw={"type": "password", "autocomplete": "new-password"},
                           description="At least 10 characters.")
    confirm = StringField("Repeat it", render_kw={"type": "password", "autocomplete": "new-password"})
