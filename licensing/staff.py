"""Staff pages. The review queue arrives with its own issue; for now the home and the outbox."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import func, select

from .auth import role_required
from .db import get_session
from .models import OutboxMessage

bp = Blueprint("staff", __name__, url_prefix="/staff")
PAGE = 50


@bp.get("/")
@role_required("staff", "finance", "admin")
def home():
    return render_template("staff/home.html")


@bp.get("/outbox")
@role_required("staff", "finance", "admin")
def outbox():
    session = get_session()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    total = session.scalar(select(func.count(OutboxMessage.id))) or 0
    messages = session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).offset((page - 1) * PAGE).limit(PAGE)
    ).all()
    return render_template("staff/outbox.html", messages=messages, page=page, pages=max(1, -(-total // PAGE)),
                           total=total)


@bp.get("/outbox/<int:message_id>")
@role_required("staff", "finance", "admin")
def outbox_message(message_id: int):
    message = get_session().get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("staff/outbox_message.html", message=message)
