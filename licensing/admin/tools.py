"""Staff tools: audit exports, personal API tokens, rejection reason templates."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from licensing.admin import queries as audit
from licensing.admin.forms import ReasonForm, TokenForm
from licensing.core import tokens
from licensing.core.auth import role_required
from licensing.core.bounds import parse_day
from licensing.core.db import begin_write, get_session
from licensing.core.streaming import check_size, csv_download
from licensing.core.text import clean_input
from licensing.intake.models import RepublishRequest
from licensing.review.models import RejectionReason

bp = Blueprint("staff_tools", __name__, url_prefix="/staff")


def _csv_response(stmt, filename: str) -> Response:
    """Bounded (EXPORT_MAX_ROWS), and streamed from a session of its own (core.streaming); `?for=excel`
    adds the byte-order mark Excel needs."""
    check_size(stmt)
    return csv_download(lambda session: audit.events_csv(session, stmt), filename)


@bp.get("/requests/<reference>/events.csv")
@role_required("staff")
def request_events_csv(reference: str):
    req = get_session().scalars(select(RepublishRequest).where(RepublishRequest.reference == reference.upper())).first()
    if req is None:
        abort(404)
    return _csv_response(audit.events_query(request_id=req.id), f"{req.reference}-events.csv")


def _day(name: str) -> datetime | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    day = parse_day(raw)
    if day is None:
        abort(400, description=f"{name} must be a date as YYYY-MM-DD between 1900 and 2999.")
    return datetime.combine(day, datetime.min.time())


@bp.get("/events.csv")
@role_required("staff", "admin")
def events_csv():
    since, until = _day("from"), _day("to")
    if until is not None:
        until += timedelta(days=1)
    return _csv_response(audit.events_query(since=since, until=until), "audit-trail.csv")


@bp.route("/tokens", methods=["GET", "POST"])
@role_required("staff", "finance", "admin")
def api_tokens():
    form = TokenForm()
    session = get_session()
    new_token = None
    if request.method == "POST":
        if form.validate():
            try:
                _row, new_token = tokens.create_token(session, current_user, form.name.data or "")
                form = TokenForm(formdata=None)
            except tokens.TokenError as exc:
                form.name.errors = [str(exc)]
        else:
            flash("The page had expired; please try again.", "error")
    return render_template("staff/tokens.html", form=form, tokens=tokens.tokens_of(session, current_user),
                           new_token=new_token)


@bp.post("/tokens/<int:token_id>/revoke")
@role_required("staff", "finance", "admin")
def revoke_token(token_id: int):
    form = TokenForm()
    if form.validate() and tokens.revoke(get_session(), current_user, token_id):
        flash("Token revoked: it no longer works.", "success")
    else:
        flash("That token could not be revoked.", "error")
    return redirect(url_for("staff_tools.api_tokens"))


@bp.route("/reasons", methods=["GET", "POST"])
@role_required("staff")
def reasons():
    session = get_session()
    form = ReasonForm()
    status = 200
    if request.method == "POST":
        title = clean_input(form.title.data or "").strip()
        body = clean_input(form.body.data or "", multiline=True).strip()
        if not form.validate():
            flash("The page had expired; your entries are below.", "error")
            status = 400
        elif not title or len(title) > 120:
            form.title.errors = ["Give the reason a title of at most 120 characters."]
            status = 422
        elif not body or len(body) > 5000:
            form.body.errors = ["Write the text sent to the publisher (at most 5,000 characters)."]
            status = 422
        elif session.scalars(select(RejectionReason).where(RejectionReason.title == title)).first():
            form.title.errors = ["A reason with this title exists already."]
            status = 422
        else:
            begin_write(session)
            session.add(RejectionReason(title=title, body=body, active=True))
            session.commit()
            flash("Reason added.", "success")
            return redirect(url_for("staff_tools.reasons"))
    rows = session.scalars(select(RejectionReason).order_by(RejectionReason.title)).all()
    return render_template("staff/reasons.html", form=form, reasons=rows), status


@bp.post("/reasons/<int:reason_id>")
@role_required("staff")
def update_reason(reason_id: int):
    session = get_session()
    reason = session.get(RejectionReason, reason_id)
    form = ReasonForm()
    if reason is None:
        abort(404)
    body = clean_input(form.body.data or "", multiline=True).strip()
    if not form.validate() or not body or len(body) > 5000:
        flash("Not saved: the text must be 1 to 5,000 characters.", "error")
    else:
        begin_write(session)
        reason.body, reason.active = body, bool(form.active.data)
        session.commit()
        flash(f"Reason “{reason.title}” saved.", "success")
    return redirect(url_for("staff_tools.reasons"))
