"""The staff side through the browser's eyes: sign-in, the queue, the request page and its decisions,
the e-mails they send, reasons, API tokens, user administration and the audit export."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from tests.functional.conftest import form_values, parse
from tests.staff_fixtures import (
    PASSWORD,
    PUBLISHER_EMAIL,
    add_reason,
    add_user,
    events_of,
    insert_requests,
    mails,
    path_of,
    signed_in,
    state,
    submit,
    tracking_link,
)


def queue_refs(html: bytes) -> list[str]:
    table = parse(html).find("table", cls="queue")
    assert table is not None
    return [row.find_all("td")[1].text for row in table.find("tbody").find_all("tr")
            if len(row.find_all("td")) > 1]


def tab_counts(html: bytes) -> dict[str, int]:
    tabs = parse(html).find("nav", cls="tabs")
    counts = {}
    for link in tabs.find_all("a"):
        count = link.find("span", cls="count").text
        counts[link.text[: -len(count)].strip()] = int(count.replace(",", ""))
    return counts


def flashes(html: bytes) -> list[str]:
    return [n.text for n in parse(html).find_all("div", cls="flash")]


def page_text(html: bytes) -> str:
    return parse(html).find("main").text


# ------------------------------------------------------------------ signing in


def _sign_in(client, email: str, password: str):  # noqa: ANN001, ANN202
    return client.post("/login", data={"email": email, "password": password})


def test_sign_in_with_the_right_password_then_sign_out(seeded):
    add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    client = seeded.test_client()
    assert client.get("/staff/requests").status_code == 302

    response = _sign_in(client, "Sam@Desk.test", PASSWORD)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/"
    queue = client.get("/staff/requests")
    assert queue.status_code == 200
    assert "Sign out (Sam Staff)" in parse(queue.data).find("header").text

    response = client.post("/logout")
    assert (response.status_code, urlsplit(response.headers["Location"]).path) == (302, "/login")
    after = client.get("/staff/requests")
    assert after.status_code == 302 and urlsplit(after.headers["Location"]).path == "/login"


def test_sign_in_follows_a_local_next_but_never_another_site(seeded):
    add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    client = seeded.test_client()
    anonymous = client.get("/staff/outbox")
    assert anonymous.status_code == 302
    response = client.post(path_of(anonymous.headers["Location"]), data={"email": "sam@desk.test",
                                                                         "password": PASSWORD})
    assert urlsplit(response.headers["Location"]).path == "/staff/outbox"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/x", data={"email": "sam@desk.test",
                                                                       "password": PASSWORD})
    assert response.headers["Location"].endswith("/staff/")


def test_a_wrong_password_is_401_and_does_not_sign_in(seeded):
    add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    client = seeded.test_client()
    response = _sign_in(client, "sam@desk.test", "not the password")
    assert response.status_code == 401
    assert flashes(response.data) == ["That e-mail and password do not match an active account."]
    assert client.get("/staff/requests").status_code == 302


def test_sign_in_is_slowed_after_3_failures_with_growing_delays(seeded, monkeypatch):
    """Issue 13: failures slow this (account, address) pair with doubling delays; nothing locks."""
    from licensing.core import users

    add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    client = seeded.test_client()
    clock = SimpleNamespace(now=datetime(2026, 3, 2, 9, 0, 0))
    monkeypatch.setattr(users, "utcnow", lambda: clock.now)

    for _ in range(3):
        assert _sign_in(client, "sam@desk.test", "wrong password").status_code == 401
    # the 4th try, even with the right password, must wait
    slowed = _sign_in(client, "sam@desk.test", PASSWORD)
    assert slowed.status_code == 429
    assert flashes(slowed.data) == ["Too many failed sign-ins from your address. Try again in 1 second(s)."]
    assert client.get("/staff/requests").status_code == 302

    for _ in range(7):  # failures 4 to 10, each after the wait asked for (at most 64 s)
        clock.now += timedelta(seconds=65)
        assert _sign_in(client, "sam@desk.test", "wrong password").status_code == 401
    slowed = _sign_in(client, "sam@desk.test", PASSWORD)
    assert slowed.status_code == 429
    assert "Try again in 3 minute(s)" in flashes(slowed.data)[0]  # 2 ** 7 = 128 s
    # another account, once the address's own short wait (1 s after 10 failures) is over
    clock.now += timedelta(seconds=2)
    add_user(seeded, "kim@desk.test", "Kim Staff", ["staff"])
    assert _sign_in(seeded.test_client(), "kim@desk.test", PASSWORD).status_code == 302

    clock.now += timedelta(seconds=127)
    assert _sign_in(client, "sam@desk.test", PASSWORD).status_code == 302
    assert client.get("/staff/requests").status_code == 200


# ------------------------------------------------------------------ the queue


def test_queue_tabs_count_each_status(desk):
    insert_requests(desk.app, [{"status": s} for s in
                               ["submitted"] * 3 + ["in_review", "needs_info", "approved", "approved", "rejected"]])
    counts = tab_counts(desk.client.get("/staff/requests").data)
    assert counts == {"Open": 5, "Submitted": 3, "In review": 1, "Needs information": 1, "Approved": 2,
                      "Rejected": 1, "Withdrawn": 0, "Expired": 0, "All": 8}


def test_each_queue_row_shows_its_request_and_links_to_its_page(desk):
    made = insert_requests(desk.app, [{"status": "submitted", "organisation": f"Org {n} Ltd"} for n in range(3)])
    rows = parse(desk.client.get("/staff/requests").data).find("tbody").find_all("tr")
    assert len(rows) == 3
    for n, (req, row) in enumerate(zip(made, rows, strict=False)):
        cells = row.find_all("td")
        assert cells[1].text.strip() == req.reference and cells[2].text.startswith(f"Org {n} Ltd")
        page = desk.client.get(cells[1].find("a").attrs["href"])
        assert page.status_code == 200 and req.reference in page.get_data(as_text=True)


def test_queue_filters_by_status_medium_territory_and_article(desk):
    from sqlalchemy import select

    from licensing.catalog.models import Article
    from licensing.core.db import new_session

    with desk.app.app_context(), new_session() as s:
        other_article = s.scalars(select(Article.id).where(Article.canonical_url.contains("gaza"))).one()
    r = insert_requests(desk.app, [
        {"territory": "FR,GB"},
        {"territory": "worldwide", "medium": "print"},
        {"territory": "FI", "article_id": other_article},
        {"territory": "DE,FR", "status": "approved"},
        {"territory": "GB", "status": "in_review", "medium": "print"},
    ])
    get = lambda query: set(queue_refs(desk.client.get(f"/staff/requests?{query}").data))  # noqa: E731
    assert get("") == {r[0].reference, r[1].reference, r[2].reference, r[4].reference}  # open by default
    assert get("status=approved") == {r[3].reference}
    assert get("status=in_review") == {r[4].reference}
    assert get("status=all") == {m.reference for m in r}
    assert get("medium=print") == {r[1].reference, r[4].reference}
    assert get("territory=FR&status=all") == {r[0].reference, r[3].reference}
    assert get("territory=fr") == {r[0].reference}
    assert get("territory=F") == set()  # a whole code, not a prefix of FR or FI
    assert get("territory=F_") == set()  # nor a LIKE pattern
    assert get("territory=worldwide") == {r[1].reference}
    # a country's name works as well as its code
    assert get("territory=France&status=all") == {r[0].reference, r[3].reference}
    assert get("territory=finland") == {r[2].reference}
    assert get("territory=Franc") == set()
    # the search also matches the article's headline (its words, each as a prefix)
    assert get("q=inside+gaza&status=all") == {r[2].reference}
    assert get("q=Gaz") == {r[2].reference}
    assert get(f"article={other_article}") == {r[2].reference}
    page = desk.client.get(f"/staff/requests?article={other_article}").data
    assert "Showing requests for Inside Gaza" in page_text(page)
    # the tabs count within the other filters
    assert tab_counts(desk.client.get("/staff/requests?medium=print").data)["Open"] == 2


def test_queue_links_keep_the_article_filter(desk):
    """Tabs, sorting and pages keep every filter, including article id 1."""
    from licensing.catalog.models import Article
    from licensing.core.db import new_session

    with desk.app.app_context(), new_session() as s:
        assert s.get(Article, 1) is not None
    insert_requests(desk.app, [{"article_id": 1, "submitted_at": datetime(2026, 1, 5) + timedelta(minutes=i)}
                               for i in range(51)])
    doc = parse(desk.client.get("/staff/requests?article=1&medium=website").data)
    links = [a.attrs["href"] for a in doc.find("nav", cls="tabs").find_all("a")]
    links.append(doc.find("nav", cls="pager").find("a", rel="next").attrs["href"])
    assert len(links) == 10
    for link in links:
        assert "article=1" in link and "medium=website" in link, link


def test_queue_assigned_to_me(desk):
    other = add_user(desk.app, "kim@desk.test", "Kim Staff", ["staff"])
    mine, theirs, _nobody = insert_requests(desk.app, [{"assigned_to_id": desk.user_id},
                                                       {"assigned_to_id": other}, {}])
    page = desk.client.get("/staff/requests?mine=1").data
    assert queue_refs(page) == [mine.reference]
    row = parse(page).find("table", cls="queue").find("tbody").find("tr")
    assert row.find_all("td")[-1].text == "Sam Staff"


def test_queue_overdue_against_a_frozen_now(desk, monkeypatch):
    from licensing.review import views as staff

    # Wednesday 14 January 2026, noon; the service target is 2 working days
    monkeypatch.setattr(staff, "utcnow", lambda: datetime(2026, 1, 14, 12, 0))
    late_monday, fresh_monday, last_friday, decided, weekend = insert_requests(desk.app, [
        {"submitted_at": datetime(2026, 1, 12, 11, 0)},  # 2.04 working days
        {"submitted_at": datetime(2026, 1, 12, 13, 0)},  # 1.96 working days
        {"submitted_at": datetime(2026, 1, 9, 17, 0)},  # Friday evening: 2.79 working days
        {"submitted_at": datetime(2026, 1, 2, 9, 0), "status": "approved"},
        {"submitted_at": datetime(2026, 1, 10, 22, 0)},  # Saturday night: 2.5 working days
    ])
    page = desk.client.get("/staff/requests?overdue=1").data
    assert queue_refs(page) == [last_friday.reference, weekend.reference, late_monday.reference]
    full = parse(desk.client.get("/staff/requests").data).find("table", cls="queue")
    flagged = {row.find_all("td")[1].text: "overdue" in row.classes for row in full.find("tbody").find_all("tr")}
    assert flagged == {late_monday.reference: True, fresh_monday.reference: False,
                       last_friday.reference: True, weekend.reference: True}
    ages = {row.find_all("td")[1].text: row.find_all("td")[6].text for row in full.find("tbody").find_all("tr")}
    assert ages[fresh_monday.reference] == "2.0 d"
    assert ages[weekend.reference] == "2.5 d overdue"


def test_queue_search_by_reference_organisation_and_email(desk):
    a, b, c = insert_requests(desk.app, [
        {"organisation": "Leeds Evening Post Ltd", "email": "jo@leeds-post.example"},
        {"organisation": "Radio Tirana", "email": "news@tirana.example"},
        {"organisation": "100% Independent", "email": "Desk@Indie.example"},
    ])
    search = lambda q: queue_refs(desk.client.get("/staff/requests", query_string={"q": q}).data)  # noqa: E731
    assert search(a.reference) == [a.reference]
    assert search(a.reference.lower()) == [a.reference]
    assert search("tirana") == [b.reference]
    assert search("EVENING post") == [a.reference]
    assert search("desk@indie.EXAMPLE") == [c.reference]
    assert search("100%") == [c.reference]  # a literal percent sign, not a wildcard
    assert search("s%p") == []  # would match "leeds evening post" as a LIKE wildcard
    assert search("REQ-ZZZZZZ") == []


def test_queue_sorts_oldest_first_by_default_and_by_fee(desk):
    made = insert_requests(desk.app, [
        {"submitted_at": datetime(2026, 1, 7, 9), "quote_amount": 20000},
        {"submitted_at": datetime(2026, 1, 5, 9), "quote_amount": 5000},
        {"submitted_at": datetime(2026, 1, 6, 9), "quote_amount": 90000},
    ])
    refs = [m.reference for m in made]
    assert queue_refs(desk.client.get("/staff/requests").data) == [refs[1], refs[2], refs[0]]
    assert queue_refs(desk.client.get("/staff/requests?sort=fee_high").data) == [refs[2], refs[0], refs[1]]
    assert queue_refs(desk.client.get("/staff/requests?sort=fee_low").data) == [refs[1], refs[0], refs[2]]
    assert queue_refs(desk.client.get("/staff/requests?sort=newest").data) == [refs[0], refs[2], refs[1]]
    assert queue_refs(desk.client.get("/staff/requests?sort=bogus").data) == [refs[1], refs[2], refs[0]]
    fees = [r.find_all("td")[5].text for r in parse(desk.client.get("/staff/requests?sort=fee_high").data)
            .find("table", cls="queue").find("tbody").find_all("tr")]
    assert fees == ["£900.00", "£200.00", "£50.00"]


def test_queue_paginates_50_a_page(desk):
    made = insert_requests(desk.app, [{"submitted_at": datetime(2026, 1, 5) + timedelta(minutes=i)}
                                      for i in range(53)])
    first = desk.client.get("/staff/requests?medium=website").data
    assert queue_refs(first) == [m.reference for m in made[:50]]
    pager = parse(first).find("nav", cls="pager")
    assert "Page 1 of 2" in pager.text
    next_link = pager.find("a", rel="next").attrs["href"]
    assert "medium=website" in next_link and "page=2" in next_link  # the filters are kept
    second = desk.client.get(next_link).data
    assert queue_refs(second) == [m.reference for m in made[50:]]
    assert parse(second).find("nav", cls="pager").find("a", rel="next") is None
    assert queue_refs(desk.client.get("/staff/requests?page=999").data) == [m.reference for m in made[50:]]
    assert queue_refs(desk.client.get("/staff/requests?page=x").data) == [m.reference for m in made[:50]]
    assert "53 requests." in page_text(first)


# ------------------------------------------------------------------ the request page


def test_request_page_shows_everything_the_publisher_sent(desk):
    earlier = insert_requests(desk.app, [{"status": "approved", "submitted_at": datetime(2025, 11, 3, 10)}])[0]
    stranger = insert_requests(desk.app, [{"email": "someone@else.example"}])[0]
    made = submit(desk.app, notes="Front page on Sunday.")
    response = desk.client.get(f"/staff/requests/{made.reference.lower()}")
    assert response.status_code == 200
    doc = parse(response.data)
    sent = [n for n in doc.find_all("section") if n.attrs.get("aria-labelledby") == "sent-h"][0]
    facts = dict(zip([d.text for d in sent.find_all("dt")], [d.text for d in sent.find_all("dd")], strict=False))
    assert facts["Organisation"] == "Leeds Evening Post Ltd"
    assert facts["Contact"] == f"Jo Bloggs · {PUBLISHER_EMAIL}"
    assert facts["Country"] == "United Kingdom · VAT GB980780684"
    assert facts["Publication"] == "Leeds Evening Post https://leeds-post.example"
    assert facts["Medium"] == "Website, audience 25,000"
    assert facts["Territory"] == "France, United Kingdom"
    assert facts["Language"] == "English"
    assert facts["Term"].startswith("1 year from ")
    assert (facts["Exclusive"], facts["Media wanted"], facts["Notes"]) == ("No", "No", "Front page on Sunday.")
    assets = [li.text for li in sent.find("ul", cls="assets").find_all("li")]
    assert assets == ["Photograph: AFP third party: not licensable here"]
    quote = sent.find("table", cls="quote")
    lines = [(r.find("th").text, r.find("td").text) for r in quote.find("tbody").find_all("tr")]
    assert lines[0] == ("Base fee: Website", "£150.00")
    assert len(lines) == 4
    assert quote.find("td", cls="total").text == "£675.00"
    assert "Rate card version 1." in sent.text
    history = [[td.text for td in tr.find_all("td")] for tr in doc.find_all("table")[-1].find("tbody").find_all("tr")]
    assert [(h[0], h[3]) for h in history] == [(earlier.reference, "Approved")]
    assert stranger.reference not in page_text(response.data)
    timeline = doc.find("ol", cls="timeline").find_all("li")
    assert len(timeline) == 1
    assert "Submit by the publisher" in timeline[0].text
    assert "Request submitted with a quote of £675.00." in timeline[0].text


def test_request_page_of_an_unknown_reference_is_404(desk):
    assert desk.client.get("/staff/requests/REQ-NOPE22").status_code == 404


def test_approve_at_the_quoted_fee_emails_a_working_tracking_link(desk):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/approve", data={"fee_override": ""})
    assert response.status_code == 302
    row = state(desk.app, made.reference)
    assert (row.status, row.approved_fee, row.decided_by_id) == ("approved", 67500, desk.user_id)
    assert row.fee_override_reason == ""
    last = events_of(desk.app, made.reference)[-1]
    assert (last.action, last.before_status, last.after_status, last.actor_user_id) == (
        "approve", "submitted", "approved", desk.user_id)
    assert last.data == {"fee": {"quoted": 67500, "approved": 67500}, "override_reason": None, "extra_terms": None}
    sent = mails(desk.app, tag_contains=":request_approved")
    assert [(m.to_address, m.subject) for m in sent] == [
        (PUBLISHER_EMAIL, f"Your republishing request {made.reference} is approved")]
    assert "The fee is £675.00 (before tax)." in sent[0].body_text
    assert "Photograph: AFP" in sent[0].body_text  # the excluded third-party photo is named
    tracking = desk.app.test_client().get(path_of(tracking_link(sent[0].body_text)))
    assert tracking.status_code == 200
    assert made.reference in page_text(tracking.data) and "Approved" in page_text(tracking.data)
    page = desk.client.get(response.headers["Location"]).data
    assert flashes(page) == ["Approved. The publisher has been e-mailed."]
    assert "Approved fee: £675.00" in page_text(page)


def test_approve_with_a_fee_override_and_extra_terms(desk):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/approve", data={
        "fee_override": "350.50", "override_reason": "Charity discount", "extra_terms": "Credit MEE in the headline."})
    assert response.status_code == 302
    row = state(desk.app, made.reference)
    assert (row.status, row.approved_fee, row.fee_override_reason, row.extra_terms) == (
        "approved", 35050, "Charity discount", "Credit MEE in the headline.")
    event = events_of(desk.app, made.reference)[-1]
    assert event.message == "Approved at £350.50 (quoted £675.00)."
    assert event.data["override_reason"] == "Charity discount"
    assert event.data == {"fee": {"quoted": 67500, "approved": 35050}, "override_reason": "Charity discount",
                          "extra_terms": "Credit MEE in the headline."}
    body = mails(desk.app, tag_contains=":request_approved")[0].body_text
    assert "The fee is £350.50 (before tax)." in body
    assert "Extra terms:\nCredit MEE in the headline." in body
    text = page_text(desk.client.get(f"/staff/requests/{made.reference}").data)
    assert "Approved fee: £350.50 Override reason: Charity discount" in text


def test_a_fee_override_without_a_reason_is_422_and_keeps_what_was_typed(desk):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/approve", data={
        "fee_override": "350.50", "override_reason": "  ", "extra_terms": "No paywall."})
    assert response.status_code == 422
    doc = parse(response.data)
    form = doc.find("form", action=f"/staff/requests/{made.reference}/approve")
    values = form_values(form)
    assert values["fee_override"] == ["350.50"] and values["extra_terms"] == ["No paywall."]
    assert doc.by_id("override_reason-error").text == "A reason for the new fee is required."
    assert doc.by_id("override_reason").attrs["aria-invalid"] == "true"
    assert state(desk.app, made.reference).status == "submitted"
    assert mails(desk.app, tag_contains=":request_approved") == []
    assert [e.action for e in events_of(desk.app, made.reference)] == ["submit"]


def test_a_fee_equal_to_the_quote_needs_no_reason(desk):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/approve", data={"fee_override": "675.00"})
    assert response.status_code == 302
    row = state(desk.app, made.reference)
    assert (row.status, row.approved_fee, row.fee_override_reason) == ("approved", 67500, "")
    assert events_of(desk.app, made.reference)[-1].message == "Approved at £675.00."


@pytest.mark.parametrize("typed, message", [
    ("35O", "Enter an amount such as 350 or 350.00."),
    ("350.505", "GBP amounts have at most 2 decimal places."),
    ("-10", "Enter an amount such as 350 or 350.00."),
    ("350,50", "Enter an amount such as 350 or 350.00."),  # a decimal comma, not 35,050
])
def test_a_bad_fee_is_422_with_the_reason_next_to_the_field(desk, typed, message):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/approve", data={
        "fee_override": typed, "override_reason": "Because"})
    assert response.status_code == 422
    assert parse(response.data).by_id("fee_override-error").text == message
    assert state(desk.app, made.reference).status == "submitted"


def test_approving_twice_is_409_naming_who_decided(desk):
    made = submit(desk.app)
    assert desk.client.post(f"/staff/requests/{made.reference}/approve").status_code == 302
    again = desk.client.post(f"/staff/requests/{made.reference}/approve")
    assert again.status_code == 409
    assert re.fullmatch(r"Not done\. Already approved by Sam Staff at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.",
                        flashes(again.data)[-1])
    assert len(mails(desk.app, tag_contains=":request_approved")) == 1
    assert [e.action for e in events_of(desk.app, made.reference)] == ["submit", "approve"]


def test_reject_with_a_template_reason_and_free_text(desk):
    reason = add_reason(desk.app, "Exclusive elsewhere", "This article is licensed exclusively to another publisher.")
    add_reason(desk.app, "Retired", "Old text.", active=False)
    made = submit(desk.app)
    page = parse(desk.client.get(f"/staff/requests/{made.reference}").data)
    choices = [o.text for o in page.by_id("reason_template").find_all("option")]
    assert choices == ["Choose a reason…", "Exclusive elsewhere"]  # inactive templates are not offered

    response = desk.client.post(f"/staff/requests/{made.reference}/reject", data={
        "reason_template": str(reason), "reason": "You may ask again in 2027."})
    assert response.status_code == 302
    expected = "This article is licensed exclusively to another publisher.\n\nYou may ask again in 2027."
    row = state(desk.app, made.reference)
    assert (row.status, row.decision_reason, row.decided_by_id) == ("rejected", expected, desk.user_id)
    event = events_of(desk.app, made.reference)[-1]
    assert (event.action, event.after_status, event.message, event.public) == ("reject", "rejected", expected, True)
    sent = mails(desk.app, tag_contains=":request_rejected")
    assert [(m.to_address, m.subject) for m in sent] == [(PUBLISHER_EMAIL, f"Your republishing request {made.reference}")]
    assert f"Reason:\n{expected}" in sent[0].body_text
    tracking = desk.app.test_client().get(path_of(tracking_link(sent[0].body_text)))
    assert tracking.status_code == 200 and "You may ask again in 2027." in page_text(tracking.data)


def test_reject_needs_a_reason_and_refuses_an_inactive_template(desk):
    retired = add_reason(desk.app, "Retired", "Old text.", active=False)
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/reject", data={"reason": " "})
    assert response.status_code == 422
    assert parse(response.data).by_id("reason-error").text == "A reason is required."
    response = desk.client.post(f"/staff/requests/{made.reference}/reject", data={"reason_template": str(retired)})
    assert response.status_code == 422
    assert parse(response.data).by_id("reason_template-error").text == "Choose one of the listed reasons."
    assert state(desk.app, made.reference).status == "submitted"
    assert mails(desk.app, tag_contains=":request_rejected") == []


def test_request_info_then_the_publishers_answer_puts_it_back_in_review(desk):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/request-info",
                                data={"message": "Which page will it run on?"})
    assert response.status_code == 302
    row = state(desk.app, made.reference)
    assert row.status == "needs_info" and row.info_requested_at is not None
    sent = mails(desk.app, tag_contains=":request_needs_info")
    assert [(m.to_address, m.subject) for m in sent] == [
        (PUBLISHER_EMAIL, f"We need more information about {made.reference}")]
    assert "Which page will it run on?" in sent[0].body_text
    assert "within 14 days" in sent[0].body_text

    publisher = desk.app.test_client()
    link = path_of(tracking_link(sent[0].body_text))
    tracking = publisher.get(link)
    assert tracking.status_code == 200
    assert "Which page will it run on?" in page_text(tracking.data)
    answer_form = parse(tracking.data).find("form", action=f"{link}/answer")
    assert answer_form is not None, "the tracking page offers no answer form"
    answered = publisher.post(f"{link}/answer", data={"message": "The world news page."})
    assert answered.status_code == 302
    row = state(desk.app, made.reference)
    assert (row.status, row.info_requested_at) == ("in_review", None)
    assert [(e.action, e.before_status, e.after_status) for e in events_of(desk.app, made.reference)] == [
        ("submit", None, "submitted"), ("request_info", "submitted", "needs_info"),
        ("answer_info", "needs_info", "in_review")]
    staff_page = page_text(desk.client.get(f"/staff/requests/{made.reference}").data)
    assert "Answer info by the publisher" in staff_page and "The world news page." in staff_page
    assert made.reference in queue_refs(desk.client.get("/staff/requests?status=in_review").data)


def test_request_info_is_refused_once_decided(desk):
    made = submit(desk.app)
    desk.client.post(f"/staff/requests/{made.reference}/reject", data={"reason": "No."})
    response = desk.client.post(f"/staff/requests/{made.reference}/request-info", data={"message": "Why?"})
    assert response.status_code == 409
    assert flashes(response.data)[-1].startswith("Not done. Already rejected by Sam Staff at ")
    assert mails(desk.app, tag_contains=":request_needs_info") == []


def test_an_internal_note_is_never_shown_to_the_publisher(desk):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/note", data={"note": "Their editor is a friend."})
    assert response.status_code == 302
    staff_li = [li for li in parse(desk.client.get(f"/staff/requests/{made.reference}").data)
                .find("ol", cls="timeline").find_all("li") if "Their editor is a friend." in li.text]
    assert len(staff_li) == 1 and "internal" in staff_li[0].classes
    event = events_of(desk.app, made.reference)[-1]
    assert (event.action, event.public, event.before_status, event.after_status) == ("note", False, None, None)
    tracking = desk.app.test_client().get(f"/track/{made.token}")
    assert tracking.status_code == 200
    assert b"Their editor" not in tracking.data
    api = desk.app.test_client().get(f"/api/v1/requests/{made.reference}",
                                     headers={"Authorization": f"Bearer {made.token}"})
    assert "Their editor" not in api.get_data(as_text=True)
    assert desk.client.post(f"/staff/requests/{made.reference}/note", data={"note": ""}).status_code == 422


def test_assign_to_me_and_to_someone_else(desk):
    kim = add_user(desk.app, "kim@desk.test", "Kim Staff", ["staff"])
    fran = add_user(desk.app, "fran@desk.test", "Fran Finance", ["finance"])
    made = submit(desk.app)
    page = parse(desk.client.get(f"/staff/requests/{made.reference}").data)
    assert [o.text for o in page.by_id("assignee").find_all("option")] == ["Nobody", "Kim Staff", "Sam Staff"]

    assert desk.client.post(f"/staff/requests/{made.reference}/assign", data={"to": "me"}).status_code == 302
    row = state(desk.app, made.reference)
    assert (row.assigned_to_id, row.status) == (desk.user_id, "in_review")  # picking it up starts the review
    assert queue_refs(desk.client.get("/staff/requests?mine=1").data) == [made.reference]

    assert desk.client.post(f"/staff/requests/{made.reference}/assign", data={"assignee": str(kim)}).status_code == 302
    assert state(desk.app, made.reference).assigned_to_id == kim
    assert queue_refs(desk.client.get("/staff/requests?mine=1").data) == []

    refused = desk.client.post(f"/staff/requests/{made.reference}/assign", data={"assignee": str(fran)})
    assert refused.status_code == 422
    assert parse(refused.data).by_id("assignee-error").text == "Choose a member of the licensing staff."
    assert state(desk.app, made.reference).assigned_to_id == kim
    events = [(e.action, e.public, e.message) for e in events_of(desk.app, made.reference)]
    assert events == [("submit", True, "Request submitted with a quote of £675.00."), ("start_review", True, ""),
                      ("assign", False, "Assigned to Sam Staff."), ("assign", False, "Assigned to Kim Staff.")]


# ------------------------------------------------------------------ bulk decisions


def test_bulk_approve_gives_a_result_per_row_including_a_refused_one(desk):
    one, two = submit(desk.app), submit(desk.app, organisation="Radio Tirana", email="news@tirana.example")
    done = submit(desk.app, email="x@done.example")
    desk.client.post(f"/staff/requests/{done.reference}/reject", data={"reason": "No."})

    response = desk.client.post("/staff/requests/bulk", data={
        "references": [one.reference, done.reference, two.reference, "REQ-NOPE22"], "action": "approve"})
    assert response.status_code == 200
    doc = parse(response.data)
    assert doc.find("h1").text == "Bulk approve: 2 of 4 done"
    rows = [(tr.find_all("td")[0].text, "ok" in tr.classes, tr.find_all("td")[1].text)
            for tr in doc.find("tbody").find_all("tr")]
    assert rows[0] == (one.reference, True, "✔ Approved at £675.00.")
    assert rows[1][:2] == (done.reference, False)
    assert re.fullmatch(r"✘ Already rejected by Sam Staff at .* UTC\.", rows[1][2])
    assert rows[2] == (two.reference, True, "✔ Approved at £675.00.")
    assert rows[3] == ("REQ-NOPE22", False, "✘ No such request.")
    assert [state(desk.app, r.reference).status for r in (one, two, done)] == ["approved", "approved", "rejected"]
    approved_mail = mails(desk.app, tag_contains=":request_approved")
    assert sorted(m.to_address for m in approved_mail) == ["jo@leeds-post.example", "news@tirana.example"]
    assert all(tracking_link(m.body_text) for m in approved_mail)


def test_bulk_reject_with_a_template(desk):
    reason = add_reason(desk.app, "Not available", "This article is not available for republishing.")
    one, two = submit(desk.app), submit(desk.app)
    response = desk.client.post("/staff/requests/bulk", data={
        "references": [one.reference, two.reference], "action": "reject", "reason_template": str(reason)})
    assert response.status_code == 200
    assert parse(response.data).find("h1").text == "Bulk reject: 2 of 2 done"
    for made in (one, two):
        row = state(desk.app, made.reference)
        assert (row.status, row.decision_reason) == ("rejected", "This article is not available for republishing.")
    assert len(mails(desk.app, tag_contains=":request_rejected")) == 2


def test_bulk_reject_without_a_reason_refuses_every_row(desk):
    one = submit(desk.app)
    response = desk.client.post("/staff/requests/bulk", data={"references": [one.reference], "action": "reject"})
    doc = parse(response.data)
    assert doc.find("h1").text == "Bulk reject: 0 of 1 done"
    assert doc.find("tbody").find("tr").find_all("td")[1].text == "✘ A reason is required."
    assert state(desk.app, one.reference).status == "submitted"


# ------------------------------------------------------------------ reasons and tokens


def test_rejection_reason_templates_can_be_added_and_edited(desk):
    response = desk.client.post("/staff/reasons", data={"title": "Paywalled", "body": "Behind a paywall."})
    assert response.status_code == 302
    duplicate = desk.client.post("/staff/reasons", data={"title": "Paywalled", "body": "Again."})
    assert duplicate.status_code == 422
    assert parse(duplicate.data).by_id("title-error").text == "A reason with this title exists already."
    assert desk.client.post("/staff/reasons", data={"title": "", "body": "x"}).status_code == 422

    page = parse(desk.client.get("/staff/reasons").data)
    form = [f for f in page.find_all("form") if "Paywalled" in f.text][0]
    values = form_values(form)
    values["body"] = ["Only behind our paywall."]
    values.pop("active", None)  # untick "In use"
    assert desk.client.post(form.attrs["action"], data=values).status_code == 302

    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.review.models import RejectionReason

    with desk.app.app_context(), new_session() as s:
        rows = [(r.title, r.body, r.active) for r in s.scalars(select(RejectionReason))]
    assert rows == [("Paywalled", "Only behind our paywall.", False)]
    made = submit(desk.app)
    options = parse(desk.client.get(f"/staff/requests/{made.reference}").data).by_id("reason_template")
    assert "Paywalled" not in options.text


def test_api_tokens_page_shows_a_new_token_once_and_revoke_works(desk):
    response = desk.client.post("/staff/tokens", data={"name": "CMS integration"})
    assert response.status_code == 200
    token = parse(response.data).by_id("new-token").text
    assert token.startswith("sdk_") and len(token) > 40
    api = desk.app.test_client()
    assert api.get("/api/v1/staff/requests", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    listing = desk.client.get("/staff/tokens")
    assert token not in listing.get_data(as_text=True)  # shown once
    doc = parse(listing.data)
    row = [tr for tr in doc.find("tbody").find_all("tr") if "CMS integration" in tr.text][0]
    assert token[:10] in row.text
    assert "never" not in row.text  # it has been used

    from licensing.core.db import new_session
    from licensing.core.models import ApiToken

    with desk.app.app_context(), new_session() as s:
        stored = s.query(ApiToken).one()
        assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    revoke = row.find("form").attrs["action"]
    assert desk.client.post(revoke).status_code == 302
    assert api.get("/api/v1/staff/requests", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoked" in parse(desk.client.get("/staff/tokens").data).find("tbody").text


def test_nobody_can_revoke_someone_elses_token(desk):
    from tests.staff_fixtures import api_token

    kim = add_user(desk.app, "kim@desk.test", "Kim Staff", ["staff"])
    theirs = api_token(desk.app, kim)
    from licensing.core.db import new_session
    from licensing.core.models import ApiToken

    with desk.app.app_context(), new_session() as s:
        token_id = s.query(ApiToken).one().id
    response = desk.client.post(f"/staff/tokens/{token_id}/revoke")
    assert flashes(desk.client.get(response.headers["Location"]).data) == ["That token could not be revoked."]
    assert desk.app.test_client().get("/api/v1/staff/requests",
                                      headers={"Authorization": f"Bearer {theirs}"}).status_code == 200


# ------------------------------------------------------------------ administration


@pytest.fixture
def admin(seeded):
    return signed_in(seeded, "ada@desk.example", "Ada Admin", ["admin"])


def test_admin_invites_a_user_whose_link_sets_a_password_once(admin):
    response = admin.client.post("/admin/users", data={"email": "new@desk.example", "name": "Nia New",
                                                       "roles": ["staff", "finance"]})
    assert response.status_code == 302
    sent = mails(admin.app, to="new@desk.example")
    assert [m.subject for m in sent] == ["You are invited to Syndication Desk"]
    assert "Ada Admin has invited you" in sent[0].body_text
    link = re.search(r"http://desk\.test(/set-password/\S+)", sent[0].body_text).group(1)
    listing = page_text(admin.client.get("/admin/users").data)
    # Bug 6: invited, not "active", until the link has set a password
    assert "Nia New new@desk.example finance, staff invited Send the invitation again" in listing

    invitee = admin.app.test_client()
    assert invitee.get(link).status_code == 200
    short = invitee.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = invitee.post(link, data={"password": "a long new password", "confirm": "a long new password"})
    assert done.status_code == 302
    assert invitee.get("/staff/requests").status_code == 200  # signed in, with the staff role
    assert invitee.get(link).status_code == 404  # used once
    assert admin.app.test_client().post(link, data={"password": "another long one", "confirm": "another long one"}
                                        ).status_code == 404
    fresh = admin.app.test_client()
    assert _sign_in(fresh, "new@desk.example", "a long new password").status_code == 302
    listing = page_text(admin.client.get("/admin/users").data)
    assert "Nia New new@desk.example finance, staff active" in listing
    assert "Send the invitation again" not in listing


def test_admin_sends_an_invitation_again_and_only_the_newest_link_works(admin):
    admin.client.post("/admin/users", data={"email": "new@desk.example", "name": "Nia New", "roles": ["staff"]})
    [user_id] = [int(m.group(1)) for m in re.finditer(r'/admin/users/(\d+)/invite-again"',
                                                       admin.client.get("/admin/users").get_data(as_text=True))]
    again = admin.client.post(f"/admin/users/{user_id}/invite-again")

    assert again.status_code == 302
    assert flashes(admin.client.get("/admin/users").data) == [
        "Invitation sent again to new@desk.example; the earlier link no longer works."]
    first, second = (re.search(r"http://desk\.test(/set-password/\S+)", m.body_text).group(1)
                     for m in mails(admin.app, to="new@desk.example"))
    invitee = admin.app.test_client()
    assert invitee.get(first).status_code == 404
    assert invitee.get(second).status_code == 200
    assert invitee.post(second, data={"password": "a long new password", "confirm": "a long new password"}
                        ).status_code == 302
    refused = admin.client.post(f"/admin/users/{user_id}/invite-again")
    assert flashes(admin.client.get(refused.headers["Location"]).data) == [
        "Not sent: this person has set a password already: there is no invitation to send again."]
    assert len(mails(admin.app, to="new@desk.example")) == 2


def test_the_invitation_form_shows_the_apps_messages_and_roles_are_checkboxes(admin):
    """Bug 10: no browser validation bubbles (novalidate, like every other form); roles are
    checkboxes, so a plain click cannot drop the other roles."""
    form = parse(admin.client.get("/admin/users").data).find("form", cls="narrow")
    assert "novalidate" in form.attrs
    boxes = [i.attrs for i in form.find_all("input") if i.attrs.get("name") == "roles"]
    assert [(b["type"], b["value"]) for b in boxes] == [("checkbox", "staff"), ("checkbox", "finance"),
                                                      ("checkbox", "admin")]
    refused = admin.client.post("/admin/users", data={"email": "not-an-address", "name": "Typed", "roles": ["staff"]})
    assert refused.status_code == 422
    doc = parse(refused.data)
    assert doc.by_id("email-error").text.startswith("Not a valid e-mail address")
    assert form_values(doc.find("form", cls="narrow"))["roles"] == ["staff"]


def test_admin_refuses_a_duplicate_or_invalid_invitation(admin):
    response = admin.client.post("/admin/users", data={"email": "ADA@desk.example", "name": "Again", "roles": ["staff"]})
    assert response.status_code == 422
    assert "exists already" in parse(response.data).by_id("email-error").text
    assert admin.client.post("/admin/users", data={"email": "not-an-address", "roles": ["staff"]}).status_code == 422
    assert mails(admin.app) == []


def test_admin_sets_roles_and_deactivates_a_user(admin):
    sam = add_user(admin.app, "sam@desk.test", "Sam Staff", ["staff"])
    sam_client = admin.app.test_client()
    assert _sign_in(sam_client, "sam@desk.test", PASSWORD).status_code == 302

    edit = parse(admin.client.get(f"/admin/users/{sam}").data)
    assert form_values(edit.find("form", cls="narrow")) == {"roles": ["staff"], "active": ["y"]}
    assert admin.client.post(f"/admin/users/{sam}", data={"roles": ["finance"], "active": "y"}).status_code == 302
    # a role change ends the user's sessions (issue 13): signed in again, the new roles apply
    assert urlsplit(sam_client.get("/staff/requests").headers["Location"]).path == "/login"
    assert _sign_in(sam_client, "sam@desk.test", PASSWORD).status_code == 302
    assert sam_client.get("/staff/requests").status_code == 403  # no longer staff
    assert sam_client.get("/finance/invoices").status_code == 200

    assert admin.client.post(f"/admin/users/{sam}", data={"roles": ["finance"]}).status_code == 302  # deactivate
    assert urlsplit(sam_client.get("/finance/invoices").headers["Location"]).path == "/login"  # the session is dead
    refused = _sign_in(admin.app.test_client(), "sam@desk.test", PASSWORD)
    assert refused.status_code == 401
    assert "Sam Staff sam@desk.test finance deactivated" in page_text(admin.client.get("/admin/users").data)


def test_an_admin_cannot_lock_themself_out(admin):
    response = admin.client.post(f"/admin/users/{admin.user_id}", data={"roles": ["staff"], "active": "y"})
    assert response.status_code == 422
    assert flashes(response.data) == ["Not saved: you cannot remove your own admin role or deactivate yourself."]
    assert admin.client.get("/admin/users").status_code == 200
    assert admin.client.get("/admin/users/99999").status_code == 404


# ------------------------------------------------------------------ the audit trail


def _csv(response) -> list[dict]:  # noqa: ANN001
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_audit_csv_export_parses_back_with_the_events_in_order(desk):
    made = submit(desk.app)
    other = submit(desk.app, email="news@tirana.example")
    c = desk.client
    c.post(f"/staff/requests/{made.reference}/assign", data={"to": "me"})
    c.post(f"/staff/requests/{made.reference}/request-info", data={"message": "Which page?"})
    desk.app.test_client().post(f"/track/{made.token}/answer", data={"message": "World, page 3."})
    c.post(f"/staff/requests/{made.reference}/note", data={"note": "=HYPERLINK(\"http://evil\")"})
    c.post(f"/staff/requests/{made.reference}/approve",
           data={"fee_override": "500", "override_reason": "Bundle, 3 articles"})

    response = c.get(f"/staff/requests/{made.reference}/events.csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{made.reference}-events.csv"'
    rows = _csv(response)
    assert list(rows[0]) == ["event_id", "at", "request", "actor_kind", "actor", "action", "before_status",
                             "after_status", "public", "message", "data"]
    assert [(r["action"], r["actor_kind"], r["actor"], r["before_status"], r["after_status"], r["public"])
            for r in rows] == [
        ("submit", "publisher", "", "", "submitted", "yes"),
        ("start_review", "staff", "sam@desk.test", "submitted", "in_review", "yes"),
        ("assign", "staff", "sam@desk.test", "", "", "no"),
        ("request_info", "staff", "sam@desk.test", "in_review", "needs_info", "yes"),
        ("answer_info", "publisher", "", "needs_info", "in_review", "yes"),
        ("note", "staff", "sam@desk.test", "", "", "no"),
        ("approve", "staff", "sam@desk.test", "in_review", "approved", "yes"),
    ]
    ids = [int(r["event_id"]) for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {r["request"] for r in rows} == {made.reference}
    assert rows[4]["message"] == "World, page 3."
    assert rows[5]["message"] == "'=HYPERLINK(\"http://evil\")"  # no formula in a spreadsheet
    assert rows[6]["data"] == ('{"extra_terms": null, "fee": {"approved": 50000, "quoted": 67500}, '
                               '"override_reason": "Bundle, 3 articles"}')
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["at"]) for r in rows)

    everything = _csv(c.get("/staff/events.csv"))
    assert [r["event_id"] for r in everything] == sorted((r["event_id"] for r in everything), key=int)
    assert {r["request"] for r in everything} == {made.reference, other.reference}
    assert len(everything) == len(rows) + 1
    assert _csv(c.get("/staff/events.csv?from=2000-01-01&to=2000-12-31")) == []
    assert c.get("/staff/events.csv?from=yesterday").status_code == 400


def test_the_outbox_lists_every_message(desk):
    made = submit(desk.app)
    desk.client.post(f"/staff/requests/{made.reference}/approve")
    assert desk.client.get("/staff/outbox").status_code == 403  # admins only (issue 13)
    boss = signed_in(desk.app, "boss@desk.test", "Bo Boss", ["admin"])
    page = parse(boss.client.get("/staff/outbox").data)
    subjects = [tr.find_all("td")[2].text for tr in page.find("tbody").find_all("tr")]
    assert subjects == [f"Your republishing request {made.reference} is approved",
                        f"We received your republishing request {made.reference}"]
    link = page.find("tbody").find("a").attrs["href"]
    message = boss.client.get(link)
    assert message.status_code == 200 and "The fee is £675.00" in page_text(message.data)
    assert boss.client.get("/staff/outbox/99999").status_code == 404


@pytest.mark.parametrize("typed, outcome", [
    ("12 50", ("refused", "Enter an amount such as 350 or 350.00.")),  # a space groups thousands: not 1,250.00
    (".5", ("approved", 50)),
    ("1 250", ("approved", 125000)),
])
def test_the_fee_override_reads_amounts_as_the_refund_form_does(desk, typed, outcome):
    made = submit(desk.app)
    response = desk.client.post(f"/staff/requests/{made.reference}/approve",
                                data={"fee_override": typed, "override_reason": "Agreed by phone"})
    row = state(desk.app, made.reference)
    if outcome[0] == "refused":
        assert response.status_code == 422
        assert parse(response.data).by_id("fee_override-error").text == outcome[1]
        assert row.status == "submitted"
    else:
        assert response.status_code == 302
        assert (row.status, row.approved_fee) == outcome


def test_the_queue_shows_the_agreed_fee_and_sorts_by_it(seeded):
    """Bug 2: an approved request showed its quote (£1,125.00), not the fee agreed (£950.00)."""
    staff = signed_in(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    agreed, plain, cheap = insert_requests(seeded, [
        dict(status="approved", quote_amount=112500, approved_fee=95000, fee_override_reason="Long-standing client"),
        dict(status="approved", quote_amount=100000, approved_fee=100000),
        dict(status="approved", quote_amount=90000, approved_fee=None),
    ])
    html = staff.client.get("/staff/requests?status=approved&sort=fee_high").data
    rows = {row.find_all("td")[1].text: row.find_all("td")[5].text.split()
            for row in parse(html).find("table", cls="queue").find("tbody").find_all("tr")}

    assert rows[agreed.reference] == ["£950.00", "overridden"]
    assert rows[plain.reference] == ["£1,000.00"]
    assert rows[cheap.reference] == ["£900.00"]
    assert queue_refs(html) == [plain.reference, agreed.reference, cheap.reference]
    assert queue_refs(staff.client.get("/staff/requests?status=approved&sort=fee_low").data) == [
        cheap.reference, agreed.reference, plain.reference]


def test_bulk_actions_start_on_choose_an_action_and_do_nothing_without_one(desk):
    one = submit(desk.app)
    form = parse(desk.client.get("/staff/requests").data).find("fieldset", cls="bulk")
    action = form.find("select", name="action")
    options = [(o.attrs.get("value"), o.text, "selected" in o.attrs) for o in action.find_all("option")]
    assert options[0] == ("", "Choose an action", True) or options[0][:2] == ("", "Choose an action")
    assert not any(selected for value, _text, selected in options if value)

    response = desk.client.post("/staff/requests/bulk", data={"references": [one.reference], "action": ""})
    assert response.status_code == 302
    assert flashes(desk.client.get("/staff/requests").data) == ["Choose an action for the selected requests."]
    assert state(desk.app, one.reference).status == "submitted"


def test_verify_a_license_is_in_the_navigation(client, seeded):
    nav = parse(client.get("/").data).find("nav")  # the seller's English is en-GB: "licence"
    assert {a.text: a.attrs["href"] for a in nav.find_all("a")}["Verify a licence"] == "/verify"


def test_the_admin_navigation_links_the_tax_table(admin):
    nav = parse(admin.client.get("/admin/users").data).find("nav")
    assert {a.text: a.attrs["href"] for a in nav.find_all("a")}["Tax table"] == "/admin/tax"
