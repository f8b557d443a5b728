"""Signing in and out (Flask-Login) and the role guard every staff page carries."""
from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import PasswordField, StringField

from licensing.core.db import begin_write, get_session
from licensing.core.limits import SIGN_IN, limiter
from licensing.core.mail import queue_mail
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


# The signed cookie carries the user's session version and when it was last used. A version older
# than the user's (sign-out, password change, deactivation, role change) or a session idle longer
# than SESSION_IDLE_HOURS is no session: a copied cookie stops working when its owner's ends.
VERSION, SEEN = "_sv", "_seen"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # roles in the same query (one round trip on every signed-in request, not two)
    user = get_session().get(User, int(user_id), options=[joinedload(User.roles)]) \
        if user_id.isdigit() and len(user_id) < 10 else None
    if user is None or not user.active or session.get(VERSION, 0) != user.session_version:
        return None
    now = time.time()
    idle = current_app.config["SETTINGS"].session_idle_hours * 3600
    if now - session.get(SEEN, now) > idle:
        session.clear()
        return None
    session[SEEN] = now
    return user


def start_session(user: User) -> None:
    login_user(user)
    session[VERSION], session[SEEN] = user.session_version, time.time()


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
        db = get_session()
        email = (form.email.data or "").replace("\x00", "").strip()[:320]
        address = request.remote_addr or "unknown"
        wait = throttle_wait(db, email, address)
        if wait:
            minutes = f"{-(-wait // 60)} minute(s)" if wait > 60 else f"{wait} second(s)"
            flash(f"Too many failed sign-ins from your address. Try again in {minutes}.", "error")
            return render_template("staff/login.html", form=form), 429
        user = find_by_email(db, email)
        if check_password(user, form.password.data or "") and user is not None and user.active:
            clear_failures(db, email, address)
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        owner = record_failure(db, email, address)
        if owner is not None:  # once a burst: the owner hears of it, never the passwords tried
            begin_write(db)
            queue_mail(db, owner.email, "Failed sign-ins to your Syndication Desk account", "sign_in_alert",
                       tag=f"sign-in-alert:{owner.id}", user=owner)
            db.commit()
        flash("That e-mail and password do not match an active account.", "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:  # ends this session and every copy of its cookie
        db = get_session()
        begin_write(db)
        user = db.get(User, current_user.id, populate_existing=True)
        if user is not None:
            user.session_version += 1
        db.commit()
    logout_user()
    session.clear()
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
                start_session(user)
                flash("Your password is set. Welcome.", "success")
                return redirect(url_for("staff.home"))
        return render_template("staff/set_password.html", form=form, user=row.user), 422
    return render_template("staff/set_password.html", form=form, user=row.user)
