"""Staff pages: the landing page of each role, the review queue, the request page and its decisions,
and the outbox."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from invoices.finance.queries import needing_attention
from licensing.catalog.models import Article
from licensing.core.auth import role_required
from licensing.core.bounds import parse_int
from licensing.core.clock import today
from licensing.core.db import get_session, utcnow
from licensing.core.forms import FieldError, form_action
from licensing.core.links import NOTE, mask_private_links
from licensing.core.mail import failed_count, resend
from licensing.core.models import OutboxMessage, User
from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.intake.rules import workflow
from licensing.intake.services import AlreadyDecided
from licensing.licenses.services import license_panel
from licensing.pricing.rules import MEDIA
from licensing.review import queries as queue_mod
from licensing.review import services as review
from licensing.review.forms import ApproveForm, AssignForm, BulkForm, InfoForm, NoteForm, RejectForm
from licensing.review.models import RejectionReason
from licensing.review.rules import working_days_between

bp = Blueprint("staff", __name__, url_prefix="/staff")
PAGE = 50


@bp.context_processor
def _mail_failures() -> dict:
    """Staff pages say when e-mails could not be sent (the mail server refused them)."""
    if not current_user.is_authenticated:
        return {}
    return {"mail_failures": failed_count(get_session())}


def _settings():
    return current_app.config["SETTINGS"]


def _reason_choices(session) -> list[tuple[str, str]]:
    reasons = session.scalars(select(RejectionReason).where(RejectionReason.active)
                              .order_by(RejectionReason.title)).all()
    return [("", "Choose a reason…")] + [(str(r.id), r.title) for r in reasons]


@bp.get("/")
@role_required("staff", "finance", "admin")
def home():
    """Each role lands on what it has to do: staff on the queue itself, finance on the invoices needing
    attention, admins on both as counts (the queue is staff's to open, invoices finance's); a person
    with several roles on the union of theirs."""
    reviews, bills, admin = (current_user.has_role(r) for r in ("staff", "finance", "admin"))
    if reviews and not (bills or admin):
        return redirect(url_for("staff.queue"))
    session = get_session()
    queue = queue_mod.queue_summary(session, current_user.id, utcnow(), _settings().review_target_working_days,
                                    cache=queue_mod.counts_cache(current_app)) if reviews or admin else None
    attention = needing_attention(session, today(), with_rows=bills) if bills or admin else None
    return render_template("staff/home.html", queue=queue, attention=attention, can_review=reviews, can_bill=bills,
                           target=_settings().review_target_working_days, today=today())


@bp.get("/requests")
@role_required("staff")
def queue():
    session = get_session()
    filters = queue_mod.QueueFilters.from_args(request.args)
    page = queue_mod.queue_page(session, filters, current_user.id, utcnow(), _settings().review_target_working_days,
                                cache=queue_mod.counts_cache(current_app), list_columns_only=True)
    bulk = BulkForm()
    bulk.reason_template.choices = _reason_choices(session)
    article = session.get(Article, filters.article_id) if filters.article_id else None
    return render_template("staff/queue.html", page=page, filters=filters, media=MEDIA, bulk=bulk,
                           statuses=("open", *workflow.STATUSES, "all"), sorts=queue_mod.SORT_LABELS,
                           target=_settings().review_target_working_days, article=article)


def _load(reference: str) -> RepublishRequest:
    found = get_session().scalars(
        select(RepublishRequest).where(RepublishRequest.reference == reference.upper()).options(
            selectinload(RepublishRequest.article).selectinload(Article.assets),
            selectinload(RepublishRequest.events).joinedload(RequestEvent.actor),
        )
    ).first()
    if found is None:
        abort(404)
    return found


def _page(req: RepublishRequest, status: int = 200, **forms):
    session = get_session()
    history = session.scalars(
        select(RepublishRequest).where(func.lower(RepublishRequest.email) == req.email.lower(),
                                       RepublishRequest.id != req.id)
        .options(selectinload(RepublishRequest.article)).order_by(RepublishRequest.submitted_at.desc()).limit(20)
    ).all()
    reject_form = forms.get("reject") or RejectForm()
    reject_form.reason_template.choices = _reason_choices(session)
    assign_form = forms.get("assign") or AssignForm()
    staff_users = session.scalars(select(User).where(User.active).order_by(User.name)).all()
    assign_form.assignee.choices = [("", "Nobody")] + [
        (str(u.id), u.name) for u in staff_users if u.has_role("staff")]
    assign_form.assignee.data = assign_form.assignee.data or (str(req.assigned_to_id) if req.assigned_to_id else "")
    actions = workflow.allowed_actions(req.status, workflow.STAFF)
    return render_template(
        "staff/request.html", req=req, history=history, actions=actions,
        approve_form=forms.get("approve") or ApproveForm(), reject_form=reject_form,
        info_form=forms.get("info") or InfoForm(), note_form=forms.get("note") or NoteForm(),
        assign_form=assign_form, age=working_days_between(req.submitted_at, utcnow()),
        license_panel=license_panel(session, req.id),
        target=_settings().review_target_working_days,
    ), status


@bp.get("/requests/<reference>")
@role_required("staff")
def request_page(reference: str):
    return _page(_load(reference))


def _act(reference: str, form, key: str, call, success: str):
    req = _load(reference)

    def refusal(exc: workflow.TransitionRefused) -> str:
        return f"Not done. {exc.message}" if isinstance(exc, AlreadyDecided) else f"Not done: {exc.message}."

    return form_action(form, lambda: call(req), lambda status: _page(_load(reference), status, **{key: form}),
                       url_for("staff.request_page", reference=req.reference), success,
                       workflow.TransitionRefused, refusal)


@bp.post("/requests/<reference>/approve")
@role_required("staff")
def approve(reference: str):
    form = ApproveForm()
    return _act(reference, form, "approve", lambda req: review.approve(
        get_session(), req.reference, current_user, form.fee_override.data, form.override_reason.data or "",
        form.extra_terms.data or "", form.credit_line.data or ""), "Approved. The publisher has been e-mailed.")


@bp.post("/requests/<reference>/reject")
@role_required("staff")
def reject(reference: str):
    form = RejectForm()
    template = int(form.reason_template.data) if (form.reason_template.data or "").isdigit() else None
    return _act(reference, form, "reject", lambda req: review.reject(
        get_session(), req.reference, current_user, form.reason.data or "", template),
        "Rejected. The publisher has been e-mailed.")


@bp.post("/requests/<reference>/request-info")
@role_required("staff")
def request_info(reference: str):
    form = InfoForm()
    return _act(reference, form, "info", lambda req: review.request_info(
        get_session(), req.reference, current_user, form.message.data or ""),
        "Your question has been sent; the request waits for the publisher's answer.")


@bp.post("/requests/<reference>/note")
@role_required("staff")
def note(reference: str):
    form = NoteForm()
    return _act(reference, form, "note", lambda req: review.add_note(
        get_session(), req.reference, current_user, form.note.data or ""), "Note added.")


@bp.post("/requests/<reference>/assign")
@role_required("staff")
def assign(reference: str):
    form = AssignForm()
    if request.form.get("to") == "me":
        form.assignee.data = str(current_user.id)

    def call(req: RepublishRequest) -> None:
        raw = form.assignee.data or ""
        assignee = get_session().get(User, int(raw)) if raw.isdigit() else None
        if raw and (assignee is None or not assignee.has_role("staff")):
            raise FieldError("assignee", "Choose a member of the licensing staff.")
        review.assign(get_session(), req.reference, current_user, assignee)

    return _act(reference, form, "assign", call, "Assignment saved.")


@bp.post("/requests/bulk")
@role_required("staff")
def bulk():
    form = BulkForm()
    session = get_session()
    form.reason_template.choices = _reason_choices(session)
    if not form.validate():
        flash("The page had expired; please choose again.", "error")
        return redirect(url_for("staff.queue"))
    references = [r for r in (form.references.data or []) if r][:200]
    if not references:
        flash("Select at least one request.", "error")
        return redirect(request.referrer or url_for("staff.queue"))
    if form.action.data not in ("approve", "reject"):
        flash("Choose an action for the selected requests.", "error")
        return redirect(request.referrer or url_for("staff.queue"))
    template = int(form.reason_template.data) if (form.reason_template.data or "").isdigit() else None
    results = review.bulk_decide(session, references, current_user, form.action.data, form.reason.data or "",
                                 template)
    return render_template("staff/bulk_result.html", results=results, action=form.action.data)


# The outbox is for admins: its messages hold private links (set-password, tracking, payment). Even
# admins see those masked; they may send a message again without reading its secret.
@bp.get("/outbox")
@role_required("admin")
def outbox():
    session = get_session()
    page = parse_int(request.args.get("page", "1"), 1, 1_000_000)
    if page is None:
        abort(404, description="There is no such page of the outbox.")
    total = session.scalar(select(func.count(OutboxMessage.id))) or 0
    messages = session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).offset((page - 1) * PAGE).limit(PAGE)
    ).all()
    return render_template("staff/outbox.html", messages=messages, page=page, pages=max(1, -(-total // PAGE)),
                           total=total)


@bp.get("/outbox/<int:message_id>")
@role_required("admin")
def outbox_message(message_id: int):
    message = get_session().get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    body, hidden = mask_private_links(message.body_text)
    return render_template("staff/outbox_message.html", message=message, body=body,
                           note=NOTE if hidden else "")


@bp.post("/outbox/<int:message_id>/resend")
@role_required("admin")
def outbox_resend(message_id: int):
    copy = resend(get_session(), message_id)
    if copy is None:
        abort(404)
    flash(f"A copy was queued for {copy.to_address}.", "success")
    return redirect(url_for("staff.outbox_message", message_id=copy.id))
