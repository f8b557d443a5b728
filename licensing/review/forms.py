"""WTForms of the staff review pages. Text fields drop NUL characters (PostgreSQL text cannot hold them)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField

from licensing.core.forms import without_nul

NUL = {"filters": [without_nul]}


class ApproveForm(FlaskForm):
    fee_override = StringField("New fee (optional)", **NUL, description="Leave empty to approve at the quoted fee.",
                               render_kw={"inputmode": "decimal"})
    override_reason = TextAreaField("Reason for the new fee", **NUL, render_kw={"rows": 2},
                                    description="Required when the fee differs from the quote.")
    extra_terms = TextAreaField("Extra terms (optional)", **NUL, render_kw={"rows": 3},
                                description="Printed on the licence agreement.")
    credit_line = StringField("Credit line (optional)", **NUL, render_kw={"maxlength": 500},
                              description="Leave empty for the usual one (the byline and the licensor).")


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
    # Starts on "Choose an action", never on an action: a slip of the Enter key approves nothing.
    action = SelectField("Action", choices=[("", "Choose an action"), ("approve", "Approve at the quoted fee"),
                                            ("reject", "Reject")],
                         validate_choice=False)
    reason_template = SelectField("Reason", choices=[], validate_choice=False, coerce=str)
    reason = StringField("Message (for rejections)", **NUL)
