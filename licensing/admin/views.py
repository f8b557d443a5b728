"""Admin pages: invite users, deactivate them and set their roles."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from licensing.admin.forms import InviteForm, RolesForm
from licensing.core import users
from licensing.core.auth import role_required
from licensing.core.db import begin_write, get_session
from licensing.core.mail import queue_mail
from licensing.core.models import User
from licensing.core.security import external_url

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def user_list():
    session = get_session()
    form = InviteForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            flash("The page had expired; your entries are below.", "error")
            status = 400
        else:
            try:
                user, token = users.invite_user(session, form.email.data or "", form.name.data or "",
                                                list(form.roles.data or []))
            except users.UserError as exc:
                form.email.errors = [str(exc)[0].upper() + str(exc)[1:] + "."]
                status = 422
            else:
                _send_invitation(session, user, token)
                flash(f"Invitation sent to {user.email}.", "success")
                return redirect(url_for("admin.user_list"))
    rows = session.scalars(select(User).order_by(User.name)).all()
    return render_template("admin/users.html", form=form, users=rows), status


def _send_invitation(session, user: User, token: str) -> None:  # noqa: ANN001
    """The invitation e-mail, queued in a write transaction of its own."""
    link = external_url("auth.set_password", token=token)  # PUBLIC_BASE_URL, never the Host header
    begin_write(session)
    queue_mail(session, user.email, "You are invited to Syndication Desk", "invitation",
               tag=f"invite:{user.id}:{token[:8]}", user=user, link=link, inviter=current_user)
    session.commit()


@bp.post("/users/<int:user_id>/invite-again")
@role_required("admin")
def invite_again(user_id: int):
    session = get_session()
    try:
        user, token = users.invite_again(session, user_id)
    except users.UserError as exc:
        flash(f"Not sent: {exc}.", "error")
    else:
        _send_invitation(session, user, token)
        flash(f"Invitation sent again to {user.email}; the earlier link no longer works.", "success")
    return redirect(url_for("admin.user_list"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def user_edit(user_id: int):
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    form = RolesForm()
    status = 200
    if request.method == "POST":
        if not form.validate():
            flash("The page had expired; please try again.", "error")
            status = 400
        else:
            try:
                users.set_roles(session, user, list(form.roles.data or []), bool(form.active.data), current_user)
            except users.UserError as exc:
                flash(f"Not saved: {exc}.", "error")
                status = 422
            else:
                flash(f"Saved {user.name}.", "success")
                return redirect(url_for("admin.user_list"))
    else:
        form.roles.data = sorted(user.role_names)
        form.active.data = user.active
    return render_template("admin/user.html", form=form, user=user), status
