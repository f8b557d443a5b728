"""Signing in and out (Flask-Login) and the role guard every staff page carries."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from .db import get_session
from .models import User
from .users import check_password, find_by_email

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def role_required(*roles: str):  # noqa: ANN201
    """Guard a view: signed in, and holding at least one of `roles`."""

    def decorate(view):  # noqa: ANN001, ANN202
        @login_required
        @wraps(view)
        def guarded(*args, **kwargs):  # noqa: ANN202
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
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = find_by_email(get_session(), form.email.data or "")
        if check_password(user, form.password.data or "") and user is not None and user.active:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("That e-mail and password do not match an active account.", "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))
