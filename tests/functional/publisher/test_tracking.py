"""The publisher's private tracking page: status, quote, timeline, withdraw, answer."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.intake.rules import workflow
from tests.functional.conftest import form_values, parse

INFO_QUESTION = "Which page of your site will carry the article?"


def _stored(app, request_id: int) -> tuple[str, list[tuple[str, str | None, str | None, str]]]:  # noqa: ANN001
    """(status, [(action, before, after, message), ...]) as the database has them."""
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        status = s.get(RepublishRequest, request_id).status
        events = s.scalars(select(RequestEvent).where(RequestEvent.request_id == request_id)
                           .order_by(RequestEvent.id))
        return status, [(e.action, e.before_status, e.after_status, e.message) for e in events]


def _stored_event_at(app, request_id: int, action: str) -> datetime:  # noqa: ANN001
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        return s.scalars(select(RequestEvent.at).where(RequestEvent.request_id == request_id,
                                                       RequestEvent.action == action)).one()


def _assert_refusal(flash: str, opening: str, status: str) -> None:
    """A clear refusal: what could not be done, the state that prevents it, one full stop."""
    assert flash.startswith(opening), flash
    assert status in flash[len(opening):].lower(), flash
    assert flash.endswith(".") and not flash.endswith(".."), flash


def _staff_does(app, request_id: int, action: str, message: str = "") -> None:  # noqa: ANN001
    """Move a request as staff would, through the service's own transition function."""
    from licensing.core.db import new_session
    from licensing.intake.services import _apply

    with app.app_context(), new_session() as s:
        _apply(s, s.get(RepublishRequest, request_id), action, workflow.STAFF, message)
        s.commit()


def test_tracking_page_shows_status_quote_and_timeline(seeded, client, make_request):
    token, reference, _id = make_request()

    response = client.get(f"/track/{token}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    doc = parse(response.data)
    heading = doc.find("h1")
    assert heading.text == f"{reference} Submitted"
    assert heading.find("span", cls="status").attrs["class"] == "status status-submitted"
    rows = [(tr.find("th").text, tr.find("td").text) for tr in doc.find("table", cls="quote").find("tbody").find_all("tr")]
    assert rows == [("Base fee: Website", "£150.00"), ("× 1.5 — audience 10,001 to 100,000", "£225.00"),
                    ("× 1.5 — two countries", "£337.50"), ("× 2 — 1 year", "£675.00")]
    assert doc.find("td", cls="total").text == "£675.00"
    timeline = doc.find("ol", cls="timeline").find_all("li")
    assert len(timeline) == 1
    assert timeline[0].find("strong").text == "Submitted"
    assert timeline[0].find("p", cls="message").text == "Request submitted with a quote of £675.00."
    assert timeline[0].find("time").attrs["datetime"].endswith("Z")
    assert "Photograph: AFP" in doc.find("p", cls="warning").text
    assert "France, United Kingdom" in doc.text
    # Before a decision the publisher may withdraw; there is no question to answer.
    assert doc.find("details", cls="withdraw") is not None
    assert doc.find(id="answer-h") is None


def test_a_quote_stored_before_lines_had_kinds_reads_by_its_labels_without_the_lines_that_add_nothing(
        seeded, client, make_request):
    from licensing.core.db import new_session

    token, _reference, request_id = make_request()
    with seeded.app_context(), new_session() as s:
        s.get(RepublishRequest, request_id).quote_breakdown = [
            {"label": "Base fee: Website", "amount": 15000}, {"label": "Audience 0 to 10,000 (x1)", "amount": 0},
            {"label": "Territory: Worldwide (x3)", "amount": 30000}, {"label": "Term: One-off use (x1)", "amount": 0},
            {"label": "Minimum fee adjustment", "amount": 5000}]
        s.commit()

    doc = parse(client.get(f"/track/{token}").data)

    rows = [(tr.find("th").text, tr.find("td").text) for tr in doc.find("table", cls="quote").find("tbody").find_all("tr")]
    assert rows == [("Base fee: Website", "£150.00"), ("Territory: Worldwide (x3)", "£450.00"),
                    ("Minimum fee adjustment", "£500.00")]


def test_a_wrong_token_is_404_and_never_shows_another_request(seeded, client, make_request):
    token, reference, request_id = make_request(organisation="Alpha Weekly")
    other_token, other_reference, _ = make_request(organisation="Beta Daily")

    for wrong in (secrets.token_urlsafe(32), token[:-1], token.upper() if token != token.upper() else token.lower(),
                  "x" * 300):
        for path in (f"/track/{wrong}", f"/track/{wrong}/confirmation"):
            response = client.get(path)
            assert response.status_code == 404, path
            body = response.data.decode()
            assert reference not in body and other_reference not in body
            assert "Alpha Weekly" not in body and "Beta Daily" not in body
        assert client.post(f"/track/{wrong}/withdraw", data={"reason": "x"}).status_code == 404
        assert client.post(f"/track/{wrong}/answer", data={"message": "x"}).status_code == 404

    page = client.get(f"/track/{token}").data.decode()
    assert reference in page and "Alpha Weekly" in page
    assert other_reference not in page and "Beta Daily" not in page
    assert _stored(seeded, request_id)[0] == "submitted"


def test_withdraw_before_a_decision(seeded, client, make_request):
    token, _reference, request_id = make_request()

    response = client.post(f"/track/{token}/withdraw", data={"reason": "  We found another story.  "})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/track/{token}")
    status, events = _stored(seeded, request_id)
    assert status == "withdrawn"
    assert events[-1] == ("withdraw", "submitted", "withdrawn", "We found another story.")
    doc = parse(client.get(f"/track/{token}").data)
    assert doc.find(cls="flash-success").text == "Your request has been withdrawn."
    assert doc.find("h1").find("span", cls="status").text == "Withdrawn"
    assert doc.find("details", cls="withdraw") is None
    assert [li.find("strong").text for li in doc.find("ol", cls="timeline").find_all("li")] == [
        "Submitted", "Withdrawn"]


def test_withdraw_without_a_reason_records_a_default_message(seeded, client, make_request):
    token, _reference, request_id = make_request()

    client.post(f"/track/{token}/withdraw", data={})

    assert _stored(seeded, request_id)[1][-1] == ("withdraw", "submitted", "withdrawn", "Withdrawn by the publisher.")


def test_withdraw_is_refused_after_withdrawal_with_a_clear_message(seeded, client, make_request):
    token, _reference, request_id = make_request()
    client.post(f"/track/{token}/withdraw", data={"reason": "first"})

    response = client.post(f"/track/{token}/withdraw", data={"reason": "second"}, follow_redirects=True)

    assert response.status_code == 200
    _assert_refusal(parse(response.data).find(cls="flash-error").text,
                    "This request can no longer be withdrawn: ", "withdrawn")
    status, events = _stored(seeded, request_id)
    assert status == "withdrawn"
    assert [e[0] for e in events] == ["submit", "withdraw"]


def test_withdraw_is_refused_after_a_decision(seeded, client, make_request):
    token, _reference, request_id = make_request()
    _staff_does(seeded, request_id, "approve", "Approved.")

    page = parse(client.get(f"/track/{token}").data)
    assert page.find("details", cls="withdraw") is None
    response = client.post(f"/track/{token}/withdraw", data={"reason": "too late"}, follow_redirects=True)

    _assert_refusal(parse(response.data).find(cls="flash-error").text,
                    "This request can no longer be withdrawn: ", "approved")
    status, events = _stored(seeded, request_id)
    assert status == "approved"
    assert [e[0] for e in events] == ["submit", "approve"]


def test_answering_a_request_for_information_puts_it_back_in_review(seeded, client, make_request):
    token, _reference, request_id = make_request()
    _staff_does(seeded, request_id, "request_info", INFO_QUESTION)

    page = parse(client.get(f"/track/{token}").data)
    assert page.find("h1").find("span", cls="status").text == "Needs information"
    assert page.by_id("answer-h").text == "We need more information"
    assert INFO_QUESTION in page.find("ol", cls="timeline").text
    # Bug 3: the question and its deadline are in the box, above the answer field.
    box = page.find("section", cls="attention")
    assert box.by_id("question").text == INFO_QUESTION
    asked_at = _stored_event_at(seeded, request_id, "request_info")
    assert box.by_id("answer-by").text.startswith(
        f"Please answer by {(asked_at + timedelta(days=14)).strftime('%-d %B %Y, %H:%M')} UTC")
    assert box.text.index(INFO_QUESTION) < box.text.index("Please answer by") < box.text.index("Send answer")

    response = client.post(f"/track/{token}/answer", data={"message": "  Our world news page.  "})

    assert response.status_code == 302
    status, events = _stored(seeded, request_id)
    assert status == "in_review"
    assert events[-1] == ("answer_info", "needs_info", "in_review", "Our world news page.")
    doc = parse(client.get(f"/track/{token}").data)
    assert doc.find(cls="flash-success").text == (
        "Thank you: your answer has been sent and your request is back in review.")
    assert doc.find(id="answer-h") is None
    messages = [p.text for p in doc.find("ol", cls="timeline").find_all("p", cls="message")]
    assert messages[-2:] == [INFO_QUESTION, "Our world news page."]


@pytest.mark.parametrize("answer", ["", "   \n  "])
def test_an_empty_answer_is_refused_and_the_request_keeps_waiting(seeded, client, make_request, answer):
    token, _reference, request_id = make_request()
    _staff_does(seeded, request_id, "request_info", INFO_QUESTION)

    response = client.post(f"/track/{token}/answer", data={"message": answer})

    assert response.status_code == 422
    doc = parse(response.data)
    assert doc.by_id("message-error").text == "Write your answer (at most 5,000 characters)."
    status, events = _stored(seeded, request_id)
    assert status == "needs_info"
    assert [e[0] for e in events] == ["submit", "request_info"]
    assert doc.by_id("answer-h").text == "We need more information"  # the form is still there


def test_a_too_long_answer_is_refused_and_what_was_typed_is_kept(seeded, client, make_request):
    token, _reference, request_id = make_request()
    _staff_does(seeded, request_id, "request_info", INFO_QUESTION)
    typed = "Our page. " * 501

    response = client.post(f"/track/{token}/answer", data={"message": typed})

    assert response.status_code == 422
    doc = parse(response.data)
    assert doc.by_id("message-error").text == "Write your answer (at most 5,000 characters)."
    kept = form_values(doc.find("form", action=f"/track/{token}/answer"))["message"][0]
    assert kept.replace("\r\n", "\n") == typed
    assert _stored(seeded, request_id)[0] == "needs_info"


def test_an_answer_when_none_was_asked_is_refused(seeded, client, make_request):
    token, _reference, request_id = make_request()

    response = client.post(f"/track/{token}/answer", data={"message": "Unasked"}, follow_redirects=True)

    _assert_refusal(parse(response.data).find(cls="flash-error").text, "We could not take your answer: ", "submitted")
    assert _stored(seeded, request_id) == ("submitted", [
        ("submit", None, "submitted", "Request submitted with a quote of £675.00.")])


class TestWithCsrf:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"WTF_CSRF_ENABLED": True}

    def test_an_answer_without_token_comes_back_to_be_sent_again(self, seeded, client, make_request):
        token, _reference, request_id = make_request()
        _staff_does(seeded, request_id, "request_info", INFO_QUESTION)

        response = client.post(f"/track/{token}/answer", data={"message": "Our world news page."})

        assert response.status_code == 400
        doc = parse(response.data)
        assert doc.find(cls="flash-error").text == "Your page had expired; your answer is below, send it again."
        values = form_values(doc.find("form", action=f"/track/{token}/answer"))
        assert values["message"] == ["Our world news page."]
        assert _stored(seeded, request_id)[0] == "needs_info"

        again = client.post(f"/track/{token}/answer", data=values)
        assert again.status_code == 302
        assert _stored(seeded, request_id)[0] == "in_review"

    def test_withdraw_without_token_changes_nothing(self, seeded, client, make_request):
        token, _reference, request_id = make_request()

        response = client.post(f"/track/{token}/withdraw", data={"reason": "x"}, follow_redirects=True)

        assert parse(response.data).find(cls="flash-error").text == "Your page had expired; please try again."
        assert _stored(seeded, request_id)[0] == "submitted"
        form = parse(response.data).find("form", action=f"/track/{token}/withdraw")
        client.post(f"/track/{token}/withdraw", data=form_values(form))
        assert _stored(seeded, request_id)[0] == "withdrawn"


class TestOnEveryDatabase:
    """Input that only PostgreSQL chokes on (NUL characters): these run on SQLite and PostgreSQL."""

    @pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
    def db_kind(self, request) -> str:  # noqa: ANN001
        return request.param

    def test_a_nul_in_an_answer_or_a_reason_is_dropped(self, seeded, client, make_request):
        token, _reference, request_id = make_request()
        _staff_does(seeded, request_id, "request_info", INFO_QUESTION)

        assert client.post(f"/track/{token}/answer", data={"message": "Our\x00 page"}).status_code == 302
        assert client.post(f"/track/{token}/withdraw", data={"reason": "Changed\x00 plans"}).status_code == 302

        status, events = _stored(seeded, request_id)
        assert status == "withdrawn"
        assert [(e[0], e[3]) for e in events[-2:]] == [("answer_info", "Our page"), ("withdraw", "Changed plans")]

    def test_a_wrong_token_with_a_nul_is_404(self, seeded, client, make_request):
        make_request()

        assert client.get("/track/abc%00def").status_code == 404
        assert client.post("/track/abc%00def/withdraw", data={}).status_code == 404
