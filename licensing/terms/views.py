"""The standard terms' pages: the current version and every earlier one (public), and the admin
page that previews and publishes a new version."""
from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import TextAreaField

from licensing.core.auth import role_required
from licensing.core.db import get_session, utcnow
from licensing.terms import services
from licensing.terms.rules import respell, to_html

bp = Blueprint("terms", __name__)


# Pages and e-mails are written in British English, where "licence" is always the noun (the verb is
# "license"), so an American seller's copy is a mechanical respelling of the finished text: no
# template has to choose a word, and none can forget to.
@bp.record_once
def _spell_mail_in_the_sellers_english(state) -> None:  # noqa: ANN001 - Flask's BlueprintSetupState
    state.app.extensions["spelling"] = partial(respell, english=state.app.config["SETTINGS"].seller_english)


@bp.after_app_request
def _spell_pages_in_the_sellers_english(response: Response) -> Response:
    english = current_app.config["SETTINGS"].seller_english
    if english != "en-GB" and response.mimetype == "text/html" and not response.direct_passthrough \
            and not response.is_streamed:
        response.set_data(respell(response.get_data(as_text=True), english))
    return response


class PublishForm(FlaskForm):
    text = TextAreaField("Text of the new version")


@bp.route("/terms")
def current():
    terms = services.current(get_session())
    return _page(terms, latest=terms.version)


@bp.route("/terms/<int:number>")
def version(number: int):
    session = get_session()
    terms = services.version(session, number)
    if terms is None:
        abort(404)
    return _page(terms, latest=services.latest_version(session))


def _page(terms, latest: int):
    # to_html escapes everything the text holds before adding its few tags
    return render_template("public/terms.html", terms=terms, body=Markup(to_html(terms.text)),  # noqa: S704
                           latest=latest, versions=range(latest, 0, -1))


@bp.route("/admin/terms", methods=["GET", "POST"])
@role_required("admin")
def publish():
    session = get_session()
    form = PublishForm()
    current = services.current(session)
    preview, status = None, 200
    if request.method == "GET":
        form.text.data = current.text if current.published_by_id is not None else services.demo_text()
    elif not form.validate():
        flash("The page had expired; your text is below.", "error")
        status = 400
    elif not (form.text.data or "").strip():
        form.text.errors = ["Write the text of the new version."]
        status = 422
    else:
        try:
            if request.form.get("action") == "publish":
                terms = services.publish(session, form.text.data or "", current_user.id)
                flash(f"Version {terms.version} of the standard terms is published.", "success")
                return redirect(url_for("terms.version", number=terms.version))
            # the preview shows the text as licensees would read it, placeholders filled
            preview = Markup(to_html(services.prepare(form.text.data or "", current.version + 1, utcnow())))  # noqa: S704
        except ValueError as exc:
            form.text.errors = [f"{str(exc)[0].upper()}{str(exc)[1:]}."]
            status = 422
    return render_template("admin/terms.html", form=form, current=current, preview=preview), status
