"""What every form shares: text fields drop NUL characters (PostgreSQL text cannot hold them), one
error class for a field to correct, and the one way a one-action page answers."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from flask.typing import ResponseReturnValue

from licensing.core.db import get_session


def without_nul(value):
    """Drop NUL characters: PostgreSQL text cannot hold them, so a query with one would fail."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class FieldError(ValueError):
    """Input a service cannot accept; `field` names what to correct, `message` says how (the staff
    review and the finance actions both answer with it, beside the field)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def clean_text(value: str | None, field: str, what: str, limit: int, required: bool = True) -> str:
    """Typed text, stripped, checked for presence and length."""
    value = (value or "").strip()
    if required and not value:
        raise FieldError(field, f"{what} is required.")
    if len(value) > limit:
        raise FieldError(field, f"{what} must be at most {limit:,} characters.")
    return value


EXPIRED = "The page had expired; your entries are below, send them again."


def form_action(form, call: Callable[[], object], render: Callable[[int], ResponseReturnValue], done_url: str,
                success: str, refused: type[Exception], refusal: Callable[[Exception], str]) -> ResponseReturnValue:
    """What every one-action page does (a staff decision, a finance action): check the form, run the
    service, and answer with the page again (400 expired, 422 a field to correct, 409 refused in the
    meantime: the service's message, the entries kept) or with a redirect and a flash on success."""
    if not form.validate():
        flash(EXPIRED, "error")
        return render(400)
    try:
        call()
    except FieldError as exc:
        get_session().rollback()
        if exc.field in form:
            form[exc.field].errors = [exc.message]
        else:
            flash(exc.message, "error")
        return render(422)
    except refused as exc:
        get_session().rollback()
        flash(refusal(exc), "error")
        return render(409)
    flash(success, "success")
    return redirect(done_url)
