"""Where each role lands after signing in (and at /staff/): staff on the queue; finance on the
invoices needing attention (overdue, flagged for checking, a failed card payment), each with its
count and a link to exactly those invoices; admins on both, as counts; several roles on the union.
An explicit `next=` on the sign-in still wins."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.documents_helpers import no_rendering
from tests.finance_helpers import invoice, issue, set_invoice
from tests.functional.conftest import parse
from tests.staff_fixtures import PASSWORD, add_user, insert_requests, signed_in

TODAY = date(2026, 6, 30)


@pytest.fixture
def app_config() -> dict:
    return {"TODAY_FUNC": lambda: TODAY}


def sign_in(app, roles: list[str], path: str = "/login"):  # noqa: ANN001, ANN201
    """A new user with these roles signs in through the form; returns (client, the sign-in's answer)."""
    email = f"{'-'.join(roles)}@desk.test"
    add_user(app, email, " ".join(r.title() for r in roles), roles)
    client = app.test_client()
    return client, client.post(path, data={"email": email, "password": PASSWORD})


def landing(app, roles: list[str]):  # noqa: ANN001, ANN201
    """The page the sign-in leads to, redirects followed: (its path, its parsed HTML)."""
    client, answer = sign_in(app, roles)
    assert answer.status_code == 302 and urlsplit(answer.headers["Location"]).path == "/staff/"
    response = client.get("/staff/", follow_redirects=True)
    assert response.status_code == 200
    return response.request.path, parse(response.data)


def fail_a_card_payment(app, number: str) -> None:  # noqa: ANN001
    from invoices.payments.services import apply_intent
    from licensing.core.db import new_session
    from tests.stripe_fixtures import make_intent

    found = invoice(app, number)
    with app.app_context(), new_session() as s:
        apply_intent(s, found.id, make_intent(f"pi_{number[-5:]}", "requires_payment_method", found.total,
                                              error="Your card was declined."), "webhook")


@pytest.fixture
def book(app, monkeypatch):
    """Open invoices overdue, not yet due, with a failed card payment; one paid but flagged; one paid
    after a failed attempt. The clock is frozen on 30 June 2026."""
    no_rendering(monkeypatch)
    made = {
        "late": issue(app, date(2026, 5, 1), 10000, "GBP", "Late Herald"),  # due 15 May
        "later": issue(app, date(2026, 4, 1), 20000, "EUR", "Later Zeitung"),  # due 15 April
        "current": issue(app, date(2026, 6, 25), 3000, "GBP", "Current Post"),  # due 9 July
        "flagged": issue(app, date(2026, 6, 1), 4000, "USD", "Flagged Times"),
        "declined": issue(app, date(2026, 6, 20), 5000, "GBP", "Declined Daily"),  # due 4 July
        "recovered": issue(app, date(2026, 6, 10), 6000, "GBP", "Recovered Weekly"),
    }
    set_invoice(app, made["flagged"], status="paid", flagged=True, flag_reason="Stripe reports $30.00 paid.")
    fail_a_card_payment(app, made["declined"])
    fail_a_card_payment(app, made["recovered"])
    set_invoice(app, made["recovered"], status="paid")
    return made


def numbers_in(section) -> list[str]:  # noqa: ANN001
    return [row.find("a").text for row in section.find("tbody").find_all("tr")] if section.find("tbody") else []


def test_staff_land_on_the_queue(seeded):
    path, page = landing(seeded, ["staff"])
    assert path == "/staff/requests" and page.find("h1").text == "Review queue"


def test_finance_land_on_the_invoices_needing_attention_each_with_a_count_and_a_link(app, book):
    path, page = landing(app, ["finance"])
    assert path == "/staff/"
    assert page.find(id="queue-summary") is None
    attention = page.by_id("attention")
    assert attention.find("h2").text == "Invoices needing attention"
    expected = {
        "overdue": ("Overdue", "2", "/finance/invoices?tab=overdue&sort=due_soonest", [book["later"], book["late"]]),
        "flagged": ("Flagged for checking", "1", "/finance/invoices?tab=all&attention=flagged", [book["flagged"]]),
        "payment_failed": ("Card payment failed", "1", "/finance/invoices?tab=open&attention=payment_failed",
                           [book["declined"]]),
    }
    client = signed_in(app, "fay@desk.test", "Fay", ["finance"]).client
    for key, (label, count, href, numbers) in expected.items():
        item = attention.by_id(f"attention-{key}")
        heading = item.find("h3")
        assert (heading.find("a").text, heading.find("span", cls="count").text) == (label, count), key
        assert heading.find("a").attrs["href"] == href, key
        assert numbers_in(item) == numbers, key
        listed = parse(client.get(href).data).find("table", cls="invoices")
        assert sorted(r.find("a").text for r in listed.find("tbody").find_all("tr") if r.find("a")) == sorted(numbers)
    flagged_row = attention.by_id("attention-flagged").find("tbody").find("tr")
    assert [td.text for td in flagged_row.find_all("td")] == ["Flagged Times", "$40.00", "Stripe reports $30.00 paid."]
    overdue_row = attention.by_id("attention-overdue").find("tbody").find("tr")
    assert [td.text for td in overdue_row.find_all("td")] == ["Later Zeitung", "€200.00", "76 days overdue"]
    assert attention.by_id("attention-overdue").find("a", href=f"/finance/invoices/{book['later']}") is not None


def test_nothing_needing_attention_says_so(app):
    path, page = landing(app, ["finance"])
    assert path == "/staff/"
    assert [page.by_id(f"attention-{k}").find("span", cls="count").text for k in ("overdue", "flagged",
                                                                                   "payment_failed")] == ["0"] * 3
    assert "Nothing needs your attention." in page.by_id("attention").text


def test_the_attention_list_shows_five_and_links_to_the_rest(app, monkeypatch):
    no_rendering(monkeypatch)
    late = [issue(app, date(2026, 5, d), 1000 * d, "GBP", f"Buyer {d}") for d in range(1, 8)]
    _path, page = landing(app, ["finance"])
    item = page.by_id("attention-overdue")
    assert numbers_in(item) == late[:5]  # the longest overdue first
    more = item.find("a", cls="more")
    assert (more.text, more.attrs["href"]) == ("All 7 overdue invoices", "/finance/invoices?tab=overdue&sort=due_soonest")


@pytest.fixture
def queue(seeded):
    """Open requests: two new (one past the service target), one waiting for the publisher and
    assigned to Sam (who works the queue and administers); one decided."""
    sam = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff", "admin"])
    recent = datetime.utcnow() - timedelta(minutes=5)
    insert_requests(seeded, [{"status": "submitted", "submitted_at": recent},
                             {"status": "submitted", "submitted_at": datetime(2026, 1, 5, 9, 0)},
                             {"status": "needs_info", "submitted_at": recent, "assigned_to_id": sam},
                             {"status": "approved", "approved_fee": 5000}])
    return seeded


QUEUE_ITEMS = {"open": "Open requests", "submitted": "New, not yet in review", "in_review": "In review",
               "needs_info": "Waiting for the publisher", "overdue": "Past the 2-working-day target",
               "mine": "Assigned to you"}


def queue_items(page) -> dict[str, tuple[str, str, str | None]]:  # noqa: ANN001
    """{key: (label, count, link or None)} of the queue summary."""
    found = {}
    for key in QUEUE_ITEMS:
        item = page.by_id(f"queue-{key}")
        link = item.find("a")
        label = link.text if link else item.find("span", cls="label").text
        found[key] = (label, item.find("span", cls="count").text, link.attrs["href"] if link else None)
    return found


def test_admins_land_on_both_as_counts_without_links_they_cannot_open(queue, book):
    path, page = landing(queue, ["admin"])
    assert path == "/staff/"
    assert {k: v[:2] for k, v in queue_items(page).items()} == {
        "open": ("Open requests", "3"), "submitted": ("New, not yet in review", "2"), "in_review": ("In review", "0"),
        "needs_info": ("Waiting for the publisher", "1"), "overdue": ("Past the 2-working-day target", "1"),
        "mine": ("Assigned to you", "0")}
    assert all(link is None for _label, _count, link in queue_items(page).values())
    attention = page.by_id("attention")
    assert [attention.by_id(f"attention-{k}").find("span", cls="count").text
            for k in ("overdue", "flagged", "payment_failed")] == ["2", "1", "1"]
    assert attention.find("a") is None and attention.find("table") is None  # invoices are finance's to open
    assert "Opening invoices takes the finance role." in attention.text


def test_several_roles_land_on_the_union_with_their_links(queue, book):
    path, page = landing(queue, ["staff", "finance"])
    assert path == "/staff/"
    items = queue_items(page)
    assert items["open"] == ("Open requests", "3", "/staff/requests?status=open")
    assert items["submitted"] == ("New, not yet in review", "2", "/staff/requests?status=submitted")
    assert items["overdue"] == ("Past the 2-working-day target", "1", "/staff/requests?overdue=1")
    assert items["mine"] == ("Assigned to you", "0", "/staff/requests?mine=1")
    assert numbers_in(page.by_id("attention-overdue")) == [book["later"], book["late"]]


def test_the_queue_summary_counts_what_is_assigned_to_the_one_looking(queue):
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.core.models import User
    from tests.staff_fixtures import login

    with queue.app_context(), new_session() as s:
        sam = s.scalars(select(User.id).where(User.email == "sam@desk.test")).one()
    client = queue.test_client()
    login(client, sam)
    assert queue_items(parse(client.get("/staff/").data))["mine"] == ("Assigned to you", "1", "/staff/requests?mine=1")


@pytest.mark.parametrize(("roles", "target"), [
    (["staff"], "/staff/tokens"),
    (["finance"], "/finance/reports/ageing"),
    (["admin"], "/admin/rate-card"),
])
def test_an_explicit_next_on_the_sign_in_wins_over_the_landing_page(seeded, roles, target):
    _client, answer = sign_in(seeded, roles, f"/login?next={target}")
    assert answer.status_code == 302 and urlsplit(answer.headers["Location"]).path == target


def test_a_flag_checked_by_finance_leaves_the_attention_list_with_the_finding_in_the_audit_trail(app, book):
    client = signed_in(app, "fay@desk.test", "Fay", ["finance"]).client
    number = book["flagged"]
    page = parse(client.get(f"/finance/invoices/{number}").data)
    assert "Stripe reports $30.00 paid." in page.by_id("flag").text

    unexplained = client.post(f"/finance/invoices/{number}/clear-flag",
                              data={"checked-finding": "", "checked-confirm": "y"})
    assert unexplained.status_code == 422
    assert "What you found" in parse(unexplained.data).by_id("flag").text
    assert invoice(app, number).flagged is True

    unconfirmed = client.post(f"/finance/invoices/{number}/clear-flag",
                              data={"checked-finding": "Stripe's $30.00 was a test charge, refunded there."})
    assert unconfirmed.status_code == 422
    page = parse(unconfirmed.data)
    assert "Tick this box to confirm." in page.by_id("flag").text
    assert page.find("textarea", id="checked-finding").text == "Stripe's $30.00 was a test charge, refunded there."

    done = client.post(f"/finance/invoices/{number}/clear-flag", follow_redirects=True,
                       data={"checked-finding": "Stripe's $30.00 was a test charge, refunded there.",
                             "checked-confirm": "y"})
    assert "Checked: the flag is off" in done.get_data(as_text=True)
    assert invoice(app, number).flagged is False
    assert parse(done.data).find(id="flag") is None
    trail = [(e.kind, e.message, e.actor) for e in invoice(app, number).events if e.kind == "flag_cleared"]
    assert trail == [("flag_cleared", "Checked: Stripe's $30.00 was a test charge, refunded there. "
                                      "(flagged for: Stripe reports $30.00 paid.)", "fay@desk.test")]

    _path, landing_page = landing(app, ["finance"])
    assert landing_page.by_id("attention-flagged").find("span", cls="count").text == "0"
    again = client.post(f"/finance/invoices/{number}/clear-flag", follow_redirects=True,
                        data={"checked-finding": "Twice", "checked-confirm": "y"})
    assert f"Not done: {number} is not flagged for checking" in again.get_data(as_text=True)


def test_only_finance_clears_a_flag(app, book):
    staff = signed_in(app, "sam@desk.test", "Sam", ["staff"]).client
    answer = staff.post(f"/finance/invoices/{book['flagged']}/clear-flag",
                        data={"checked-finding": "Looks fine", "checked-confirm": "y"})
    assert answer.status_code == 403
    assert invoice(app, book["flagged"]).flagged is True
