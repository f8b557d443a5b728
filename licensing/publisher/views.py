"""Public pages: find an article, ask to republish it with an instant quote, follow the request."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from licensing.catalog.models import Article
from licensing.catalog.queries import find_by_url, search_articles
from licensing.catalog.rules import credit_name, normalise_url
from licensing.core.clock import today
from licensing.core.db import get_session
from licensing.core.forms import without_nul
from licensing.core.limits import FORM, limiter
from licensing.core.pagecache import cached_public_page
from licensing.core.security import csrf_checked_by_the_views, external_url
from licensing.delivery.services import true_ups_of_request
from licensing.intake.rules import workflow
from licensing.intake.rules.validation import validate_request
from licensing.intake.services import (
    answer_info,
    find_by_token,
    lowest_price,
    open_question,
    publisher_timeline,
    quotable,
    quote,
    submit_request,
    tracking_url,
)
from licensing.intake.services import (
    withdraw as withdraw_request,
)
from licensing.licenses.rules.schema_org import ArticlePage, Media, Organization, article_markup, script_tag
from licensing.licenses.services import license_panel
from licensing.publisher.forms import ArticleSearchForm, MessageForm, RequestForm, WithdrawForm
from licensing.publisher.rules import next_step, payable_online
from licensing.terms.rules import TERM_MEANINGS
from licensing.terms.services import current as current_terms

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)
# These views check the CSRF token themselves (FlaskForm.validate), so that an expired or missing
# token gives back the page with what was typed instead of the global check's bare 400 page.
MAX_WITHDRAW_REASON = 1000
csrf_checked_by_the_views(bp, __name__, ("republish", "withdraw", "answer"))


@bp.get("/")
@cached_public_page
def index():
    form = ArticleSearchForm(request.args)
    session = get_session()
    query = (form.q.data or "").strip()
    articles = search_articles(session, query, limit=20)
    return render_template("public/index.html", form=form, query=query, articles=articles)


@bp.get("/articles/<int:article_id>")
@cached_public_page
def article(article_id: int):
    found = get_session().scalars(
        select(Article).where(Article.id == article_id).options(selectinload(Article.assets))
    ).first()
    if found is None:
        abort(404)
    # schema.org JSON-LD: a data block the browser never runs, so the CSP (script-src 'self') holds
    return render_template("public/article.html", article=found, lowest=lowest_price(get_session()),
                           markup=Markup(script_tag(article_markup(_article_page(found)))))  # noqa: S704


def _article_page(found: Article) -> ArticlePage:
    """What the article page's markup says: licensable (terms, request form), who holds which rights."""
    seller = current_app.config["SETTINGS"].seller_name
    return ArticlePage(
        url=found.canonical_url, headline=found.title, description=found.standfirst, published=found.published_at,
        byline=found.byline, language=found.language, publisher=Organization(seller),
        terms_url=external_url("terms.current"),
        acquire_url=external_url("public.republish", article=found.canonical_url),
        credit_text=f"{found.byline}, {seller}" if found.byline else seller,
        media=tuple(Media(kind=a.kind, credit=credit_name(a.credit),
                          owner=seller if a.licensable else credit_name(a.credit), licensable=a.licensable,
                          content_url=a.url, caption=a.description) for a in found.assets))


def _render_form(form: RequestForm, status: int = 200, quote=None, preview: bool = False):
    session = get_session()
    typed = without_nul(form.article_url.data or "")  # what was typed stays in the field as it was
    article = find_by_url(session, typed) if typed else None
    search = ArticleSearchForm(request.args)
    query = (search.q.data or "").strip()
    results = search_articles(session, query, limit=10) if query else []
    terms = current_terms(session)
    return render_template("public/republish.html", form=form, article=article, quote=quote, preview=preview,
                           search=search, query=query, results=results, terms=terms,
                           term_meanings=TERM_MEANINGS), status


@bp.route("/republish", methods=["GET", "POST"])
@limiter.limit(FORM, methods=["POST"])
def republish():
    form = RequestForm()
    if request.method == "GET":
        if request.args.get("article"):
            form.article_url.data = normalise_url(without_nul(request.args["article"]))[:2000]
        chosen = find_by_url(get_session(), form.article_url.data) if form.article_url.data else None
        form.language.data = (chosen.language if chosen else None) or \
            current_app.config["SETTINGS"].default_article_language
        form.start_date.data = form.start_date.data or today().isoformat()
        return _render_form(form)

    if form.website.data:  # the honeypot: a bot filled the hidden field
        log.info("honeypot: dropped a request from %s", request.remote_addr)
        return render_template("public/received.html")
    if not form.validate():
        flash("Your form had expired. Nothing you typed is lost: check it and send it again.", "error")
        return _render_form(form, 400)
    session = get_session()
    given, errors = validate_request(form.intake_data(), today(), quotable(session))
    if errors:
        form.attach_errors(errors)
        return _render_form(form, 422)
    priced = quote(session, given)
    if request.form.get("action") != "submit" or form.confirmed_amount.data != str(priced.amount):
        if request.form.get("action") == "submit":
            flash("Please check the price below, then submit your request.", "info")
        form.confirmed_amount.data = str(priced.amount)
        return _render_form(form, quote=priced, preview=True)
    submitted = submit_request(session, given)
    return redirect(url_for("public.confirmation", token=submitted.token))


def _sentence(message: str) -> str:
    """A refusal's message ending in exactly one full stop, whether or not it had one."""
    return message.rstrip(". ") + "."


def _tracked(token: str):
    found = find_by_token(get_session(), token)
    if found is None:
        abort(404)
    return found


@bp.get("/track/<token>/confirmation")
def confirmation(token: str):
    tracked = _tracked(token)
    return render_template("public/confirmation.html", req=tracked, tracking_url=tracking_url(token))


def _track_page(tracked, token: str, answer_form: MessageForm | None = None, status: int = 200):
    allowed = workflow.allowed_actions(tracked.status, workflow.PUBLISHER)
    panel = license_panel(get_session(), tracked.id)
    license_status = panel["license"].status if panel else None
    invoice_status = panel["invoice"].status if panel and panel["invoice"] else None
    return render_template(
        "public/track.html", req=tracked, token=token, timeline=publisher_timeline(tracked),
        can_withdraw="withdraw" in allowed, can_answer="answer_info" in allowed,
        answer_form=answer_form or MessageForm(), withdraw_form=WithdrawForm(), labels=workflow.STATUS_LABELS,
        license_panel=panel, true_ups=true_ups_of_request(get_session(), tracked.id),
        question=open_question(tracked, current_app.config["SETTINGS"].needs_info_expiry_days),
        next_step=next_step(tracked.status, license_status, invoice_status),
        payable=payable_online(license_status, invoice_status),
    ), status


@bp.get("/track/<token>")
def track(token: str):
    return _track_page(_tracked(token), token)


@bp.post("/track/<token>/withdraw")
def withdraw(token: str):
    tracked = _tracked(token)
    form = WithdrawForm()
    reason = (form.reason.data or "").strip()
    if not form.validate():  # the page again (with what was typed), as the other forms do
        flash("Your page had expired; please try again.", "error")
        return _track_page(tracked, token, status=400)
    if len(reason) > MAX_WITHDRAW_REASON:
        flash(f"Your reason is too long: write at most {MAX_WITHDRAW_REASON:,} characters.", "error")
        return _track_page(tracked, token, status=422)
    try:
        withdraw_request(get_session(), tracked, reason)
        flash("Your request has been withdrawn.", "success")
    except workflow.TransitionRefused as refused:
        flash(f"This request can no longer be withdrawn: {_sentence(refused.message)}", "error")
    return redirect(url_for("public.track", token=token))


@bp.post("/track/<token>/answer")
def answer(token: str):
    tracked = _tracked(token)
    form = MessageForm()
    message = (form.message.data or "").strip()
    if not form.validate() or not message or len(message) > 5000:
        if "csrf_token" in form.errors:  # the field does not exist when CSRF is off
            flash("Your page had expired; your answer is below, send it again.", "error")
            return _track_page(tracked, token, answer_form=form, status=400)
        form.message.errors = ["Write your answer (at most 5,000 characters)."]
        return _track_page(tracked, token, answer_form=form, status=422)
    try:
        answer_info(get_session(), tracked, message)
        flash("Thank you: your answer has been sent and your request is back in review.", "success")
    except workflow.TransitionRefused as refused:
        flash(f"We could not take your answer: {_sentence(refused.message)}", "error")
    return redirect(url_for("public.track", token=token))
