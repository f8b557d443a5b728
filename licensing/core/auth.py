"""Signing in and out (Flask-Login) and the role guard every staff page carries."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import PasswordField, StringField

from licensing.core.db import get_session
from licensing.core.limits import SIGN_IN, limiter
from licensing.core.models import User
from licensing.core.users import (
    UserError,
    check_password,
    clear_failures,
    find_by_email,
    record_failure,
    set_password_with_token,
    throttle_wait,
    user_for_password_token,
)

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # roles in the same query (one round trip on every signed-in request, not two)
    user = get_session().get(User, int(user_id), options=[joinedload(User.roles)]) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def role_required(*roles: str):
    """Guard a view: signed in, and holding at least one of `roles`."""

    def decorate(view):
        @login_required
        @wraps(view)
        def guarded(*args, **kwargs):
            if not any(current_user.has_role(r) for r in roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_roles = roles  # type: ignore[attr-defined]
        return guarded

    return decorate


class LoginForm(FlaskForm):
    email = StringField("E-mail", render_kw={"autocomplete": "username", "type": "email"})
    password = PasswordField("Password", render_kw={"autocomplete": "current-password"})


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("staff.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        email = (form.email.data or "").replace("\x00", "").strip()[:320]
        wait = throttle_wait(session, email)
        if wait:
            minutes = f"{-(-wait // 60)} minute(s)" if wait > 60 else f"{wait} second(s)"
            flash(f"Too many failed sign-ins for this address. Try again in {minutes}.", "error")
            return render_template("staff/login.html", form=form), 429
        user = find_by_email(session, email)
        if check_password(user, form.password.data or "") and user is not None and user.active:
            clear_failures(session, email)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        record_failure(session, email)
        flash("That e-mail and password do not match an active account.", "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", description="At least 10 characters.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat it", render_kw={"autocomplete": "new-password"})


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    session = get_session()
    row = user_for_password_token(session, token)
    if row is None:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.confirm.data:
            form.confirm.errors = ["The two passwords differ."]
        else:
            try:
                user = set_password_with_token(session, row, form.password.data or "")
            except UserError as exc:
                form.password.errors = [str(exc).capitalize() + "."]
            else:
                login_user(user)
                flash("Your password is set. Welcome.", "success")
                return redirect(url_for("staff.home"))
        return render_template("staff/set_password.html", form=form, user=row.user), 422
    return render_template("staff/set_password.html", form=form, user=row.user)
