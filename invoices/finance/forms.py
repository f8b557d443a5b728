"""WTForms of the finance pages. Each action form has a prefix (its fields have ids of their own
on the invoice page) and a required confirmation box."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField


class SendAgainForm(FlaskForm):
    reason = TextAreaField("Why send it again?", render_kw={"rows": 2, "maxlength": 2000},
                           description="Recorded on the invoice's audit trail.")
    confirm = BooleanField("Yes, e-mail this invoice to the customer again")


class MarkPaidForm(FlaskForm):
    reference = StringField("Bank reference", render_kw={"maxlength": 200, "autocomplete": "off"},
                            description="As it appears on the bank statement.")
    paid_on = StringField("Date the money arrived", render_kw={"type": "date"},
                          description="YYYY-MM-DD; not in the future.")
    note = TextAreaField("Note (optional)", render_kw={"rows": 2, "maxlength": 2000})
    confirm = BooleanField("Yes, the full amount has arrived: mark the invoice paid and activate the licence")


class VoidForm(FlaskForm):
    reason = TextAreaField("Why void it?", render_kw={"rows": 2, "maxlength": 2000},
                           description="Printed on the credit note and recorded on the audit trail.")
    confirm = BooleanField("Yes, void this invoice, issue a credit note and cancel the licence")


class RefundForm(FlaskForm):
    kind = RadioField("How much", choices=[("full", "The full amount left"), ("partial", "Part of it")],
                      default="full", validate_choice=False)
    amount = StringField("Amount to refund (for a partial refund)", render_kw={"inputmode": "decimal"},
                         description="In the invoice's currency, e.g. 125.50.")
    reason = TextAreaField("Why refund?", render_kw={"rows": 2, "maxlength": 2000},
                           description="Printed on the credit note and recorded on the audit trail.")
    confirm = BooleanField("Yes, refund the customer and issue a credit note (a full refund revokes the licence)")


class UncollectibleForm(FlaskForm):
    reason = TextAreaField("Why is it uncollectible?", render_kw={"rows": 2, "maxlength": 2000})
    confirm = BooleanField("Yes, write this invoice off as uncollectible")


class NoteForm(FlaskForm):
    note = TextAreaField("Note (internal)", render_kw={"rows": 3, "maxlength": 2000})
    confirm = BooleanField("Yes, add this note to the audit trail (it cannot be edited later)")


class ClearFlagForm(FlaskForm):
    finding = TextAreaField("What you found", render_kw={"rows": 3, "maxlength": 2000},
                            description="For the audit trail: what you checked and what you did about it.")
    confirm = BooleanField("Yes, I have checked it: take the flag off this invoice")


class ReconcileForm(FlaskForm):
    confirm = BooleanField("Yes, apply Stripe's state to every open invoice that has a payment")


ACTION_FORMS = {"send_again": (SendAgainForm, "send"), "mark_paid": (MarkPaidForm, "paid"),
                "void": (VoidForm, "void"), "refund": (RefundForm, "refund"),
                "uncollectible": (UncollectibleForm, "uncollectible"), "note": (NoteForm, "note"),
                "clear_flag": (ClearFlagForm, "checked")}


def action_form(action: str, **kwargs) -> FlaskForm:
    cls, prefix = ACTION_FORMS[action]
    return cls(prefix=prefix, **kwargs)
