"""Every page template, rendered as each role sees it, passes the Nu Html Checker with zero errors.

One test walks the app through the test client as a publisher, staff, finance and an admin would
(forms sent with mistakes included, requests in each status, invoices open, paid, refunded and
void, the pay pages in each state, error pages), keeps every HTML response, and has all of them
checked in one run of vnu.jar. A deliberately broken page rides in the same batch and must fail,
so an empty or skipped run can never pass. Which templates were rendered is recorded too: a page
template that no request rendered fails the test, so a new page cannot slip past the checker."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import stripe
from flask import template_rendered

from tests.conftest import EXAMPLE_URL, ROOT
from tests.documents_helpers import approve, no_rendering
from tests.finance_helpers import FakeGateway as ReconciliationGateway
from tests.finance_helpers import finance_client, issue, set_invoice
from tests.functional.conftest import valid_form
from tests.staff_fixtures import add_reason, insert_requests, mails, path_of, signed_in, submit, tracking_link
from tests.stripe_fixtures import NOWHERE_BASE, FakeGateway, make_intent, stripe_config
from tests.validators.html import errors_of, report, validate_documents

# Fragments, mails and PDFs are not pages a browser shows on their own.
NOT_PAGES = ("email/", "pdf/", "base.html")
BROKEN = ('<!doctype html><html lang="en"><head><title>Broken</title></head><body>'
          '<input type="email" autocomplete="username" aria-describedby="">'
          '<time datetime="2026-01-05T09:00:00.123456Z">5 January</time><div><p>unclosed</span></body></html>')


def page_templates() -> set[str]:
    folder = ROOT / "templates"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}
    return {n for n in names if not n.startswith(NOT_PAGES) and not Path(n).name.startswith("_")}


class StandInDouble(FakeGateway):
    """The local Stripe stand-in's extra calls (test cards, the 3-D Secure step), answered in memory."""

    TEST_CARDS = {"success": "pm_card_visa", "decline": "pm_card_chargeCustomerFail", "3ds": "4000002500003155"}

    def pay_with_test_card(self, intent_id: str, card: str):  # noqa: ANN201
        if card == "decline":
            self.intents[intent_id] = make_intent(intent_id, "requires_payment_method", self.intents[intent_id].amount,
                                                  error="Your card was declined.")
            raise stripe.CardError("Your card was declined.", None, "card_declined")
        status = "requires_action" if card == "3ds" else "succeeded"
        self.intents[intent_id] = make_intent(intent_id, status, self.intents[intent_id].amount)
        return self.intents[intent_id]


class Pages:
    """The HTML responses to check, by a readable name; each with the status code it must have."""

    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}

    def keep(self, name: str, response, status: int = 200) -> None:  # noqa: ANN001
        assert response.status_code == status, f"{name}: {response.status_code}, expected {status}"
        assert response.mimetype == "text/html", f"{name}: {response.mimetype}"
        assert name not in self.documents, f"two pages named {name!r}"
        self.documents[name] = response.get_data()

    def get(self, name: str, client, path: str, status: int = 200, **kwargs) -> None:  # noqa: ANN001, ANN003
        self.keep(name, client.get(path, **kwargs), status)

    def post(self, name: str, client, path: str, data: dict, status: int = 200):  # noqa: ANN001, ANN201
        response = client.post(path, data=data)
        if response.status_code == 302 and status != 302:
            response = client.get(path_of(response.headers["Location"]))
        self.keep(name, response, status)
        return response


def moved(response) -> None:  # noqa: ANN001
    """A step that sets the scene must have worked (a redirect after a successful POST)."""
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


@pytest.fixture
def app_config() -> dict:
    return stripe_config(NOWHERE_BASE)


def article_id(app) -> int:  # noqa: ANN001
    from sqlalchemy import select

    from licensing.catalog.models import Article
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        return s.scalars(select(Article.id).where(Article.canonical_url == EXAMPLE_URL)).one()


def public_pages(pages: Pages, app, anonymous) -> None:  # noqa: ANN001
    pages.get("public: index", anonymous, "/")
    pages.get("public: index, search", anonymous, "/?q=turkey+lasting+defeat")
    pages.get("public: index, no result", anonymous, "/?q=zebra+crossing+quartet")
    pages.get("public: article", anonymous, f"/articles/{article_id(app)}")
    pages.get("public: republish", anonymous, "/republish")
    pages.get("public: republish, chosen article", anonymous, f"/republish?article={EXAMPLE_URL}")
    pages.get("public: republish, search", anonymous, "/republish?q=turkey")
    pages.post("public: republish, errors", anonymous, "/republish",
               valid_form(organisation="", email="not-an-address", audience="-5000", territory_countries=[],
                          start_date="2020-01-01", terms_accepted=None), 422)
    pages.post("public: republish, preview", anonymous, "/republish", {**valid_form(), "action": "preview"})
    pages.post("public: republish, price changed", anonymous, "/republish",
               {**valid_form(), "action": "submit", "confirmed_amount": "1"})
    pages.post("public: received (honeypot)", anonymous, "/republish", {**valid_form(), "website": "spam"})
    pages.post("public: confirmation", anonymous, "/republish",
               {**valid_form(), "action": "submit", "confirmed_amount": "67500"})
    pages.get("public: verify", anonymous, "/verify")
    pages.get("public: rights vocabulary", anonymous, "/ns/rights/1.0")
    pages.get("public: verify, unknown", anonymous, "/verify?number=LIC-2026-00000", 404,
              follow_redirects=True)
    pages.get("public: not found", anonymous, "/no-such-page", 404)
    pages.get("public: article not found", anonymous, "/articles/999999", 404)
    pages.get("sign-in", anonymous, "/login")
    pages.post("sign-in, wrong password", anonymous, "/login", {"email": "nobody@desk.test", "password": "wrong"}, 401)
    pages.get("public: staff page, forbidden", anonymous, "/staff/requests", 302)


def requests_in_each_status(pages: Pages, app, staff, anonymous) -> dict[str, object]:  # noqa: ANN001
    """A request in every status, reached the way people reach it; returns them by status."""
    made = {"submitted": submit(app)}
    made["needs_info"] = submit(app, organisation="Radio Tirana")
    moved(staff.client.post(f"/staff/requests/{made['needs_info'].reference}/request-info",
                      data={"message": "Which page of your site will carry it?"}))
    made["in_review"] = submit(app, organisation="Herald of Leith")
    moved(staff.client.post(f"/staff/requests/{made['in_review'].reference}/request-info",
                            data={"message": "Which page?"}))
    moved(anonymous.post(f"/track/{made['in_review'].token}/answer", data={"message": "The world page."}))
    made["approved"] = submit(app, organisation="Baltic Times")
    moved(staff.client.post(f"/staff/requests/{made['approved'].reference}/approve", data={
        "fee_override": "950", "override_reason": "Long-standing partner.", "extra_terms": "Credit the author."}))
    made["rejected"] = submit(app, organisation="Daily Planet")
    moved(staff.client.post(f"/staff/requests/{made['rejected'].reference}/reject", data={"reason": "Not available."}))
    made["withdrawn"] = submit(app, organisation="Gazette")
    moved(anonymous.post(f"/track/{made['withdrawn'].token}/withdraw", data={"reason": "Plans changed."}))
    [made["expired"]] = insert_requests(app, [{"status": "expired"}])
    for status, request in made.items():
        pages.get(f"public: track, {status}", anonymous, f"/track/{request.token}")
        pages.get(f"staff: request, {status}", staff.client, f"/staff/requests/{request.reference}")
    pages.post("public: track, empty answer", anonymous, f"/track/{made['needs_info'].token}/answer",
               {"message": ""}, 422)
    pages.get("public: confirmation of a tracked request", anonymous, f"/track/{made['submitted'].token}/confirmation")
    return made


def staff_pages(pages: Pages, app, staff, made: dict) -> None:  # noqa: ANN001
    reference = made["submitted"].reference
    pages.get("staff: home", staff.client, "/staff/", 302)  # staff land on the queue
    pages.get("staff: index", staff.client, "/")
    pages.get("staff: queue", staff.client, "/staff/requests")
    for status in ("in_review", "needs_info", "approved", "rejected", "all"):
        pages.get(f"staff: queue, {status}", staff.client, f"/staff/requests?status={status}")
    pages.get("staff: queue, nothing found", staff.client, "/staff/requests?q=zebra-quartet&status=all")
    pages.post("staff: request, bad fee", staff.client, f"/staff/requests/{reference}/approve",
               {"fee_override": "35O", "override_reason": ""}, 422)
    pages.post("staff: request, reject without reason", staff.client, f"/staff/requests/{reference}/reject",
               {"reason": ""}, 422)
    pages.post("staff: request, approved twice", staff.client, f"/staff/requests/{made['approved'].reference}/approve",
               {}, 409)
    other = submit(app, organisation="North Star")
    pages.post("staff: bulk result", staff.client, "/staff/requests/bulk",
               {"references": [other.reference, made["rejected"].reference, "REQ-NOPE22"], "action": "approve"})
    add_reason(app, "Paywalled", "Behind a paywall.")
    pages.get("staff: reasons", staff.client, "/staff/reasons")
    pages.post("staff: reasons, errors", staff.client, "/staff/reasons", {"title": "", "body": ""}, 422)
    pages.get("staff: tokens", staff.client, "/staff/tokens")
    pages.post("staff: tokens, new token shown", staff.client, "/staff/tokens", {"name": "CMS integration"})
    pages.get("staff: outbox, for admins only", staff.client, "/staff/outbox", 403)
    keeper = signed_in(app, "oli@desk.test", "Oli Outbox", ["admin"])
    pages.get("admin: outbox", keeper.client, "/staff/outbox")
    [first] = mails(app)[:1]
    pages.get("admin: outbox message", keeper.client, f"/staff/outbox/{first.id}")
    pages.get("staff: finance page, forbidden", staff.client, "/finance/invoices", 403)


def finance_pages(pages: Pages, app, staff, made: dict) -> str:  # noqa: ANN001
    """The finance pages; returns the reference of the request whose invoice was paid (its license is active)."""
    from invoices.finance import services as finance
    from licensing.core.db import get_session
    from tests.documents_helpers import license_of

    client = finance_client(app)
    fees = submit(app, organisation="Le Monde Diplo", country="FR", vat_id="FR40303265045")
    approve(app, fees.reference, staff.user_id)
    numbers = {"open": license_of(app, made["approved"].reference).invoice_number,
               "paid": license_of(app, fees.reference).invoice_number}
    with app.test_request_context("/"):
        finance.mark_paid(get_session(), numbers["paid"], "fay@desk.test", "BACS-4471", date.today().isoformat())
    moved(client.post(f"/finance/invoices/{numbers['paid']}/refund", data={
        "refund-kind": "partial", "refund-amount": "100.00", "refund-reason": "Print only.", "refund-confirm": "y"}))
    numbers["void"] = issue(app, date.today(), 5000, "USD", buyer="Void Weekly")
    moved(client.post(f"/finance/invoices/{numbers['void']}/void",
                      data={"void-reason": "Sent twice.", "void-confirm": "y"}))
    numbers["flagged"] = issue(app, date(2026, 1, 2), 7000, "EUR", buyer="Flagged Zeitung")
    set_invoice(app, numbers["flagged"], flagged=True, flag_reason="Stripe reports 5000 EUR paid.")
    for status in ("open", "overdue", "paid", "refunded", "uncollectible", "void", "all"):
        pages.get(f"finance: invoices, {status}", client, f"/finance/invoices?tab={status}")
    pages.get("finance: home", client, "/finance/", 302)
    pages.get("finance: staff home", client, "/staff/")
    pages.get("finance: invoices, flagged", client, "/finance/invoices?tab=all&attention=flagged")
    pages.get("finance: invoices, bad filter", client, "/finance/invoices?tab=all&issued_from=2026-13-01", 400)
    for state, number in numbers.items():
        pages.get(f"finance: invoice, {state}", client, f"/finance/invoices/{number}")
    pages.post("finance: invoice, mark paid errors", client, f"/finance/invoices/{numbers['open']}/mark-paid",
               {"paid-reference": "", "paid-paid_on": "31/12/2026", "paid-confirm": "y"}, 422)
    pages.get("finance: ageing", client, "/finance/reports/ageing")
    pages.get("finance: revenue", client, "/finance/reports/revenue")
    pages.get("finance: revenue, bad period", client, "/finance/reports/revenue?from=2026-13&to=soon", 400)
    pages.get("finance: revenue by medium", client, "/finance/reports/revenue/by-medium")
    pages.get("finance: revenue by territory", client, "/finance/reports/revenue/by-territory")
    pages.get("finance: exports", client, "/finance/exports")
    pages.get("finance: exports, bad period", client, "/finance/payments.csv?from=2026-02-30&to=2026-01-01", 400)
    gateway = ReconciliationGateway()
    app.extensions["stripe_gateway"] = gateway
    set_invoice(app, numbers["open"], payment_intent_id="pi_wrong")
    gateway.add("pi_wrong", "requires_payment_method", 4500, "GBP", numbers["open"])
    gateway.add("pi_stray", "succeeded", 999, "USD")
    pages.get("finance: reconciliation", client, "/finance/reconciliation")
    pages.post("finance: reconciliation, run", client, "/finance/reconciliation", {"confirm": "y"})
    gateway.down = True
    pages.get("finance: reconciliation, Stripe down", client, "/finance/reconciliation", 503)
    set_invoice(app, numbers["open"], payment_intent_id=None)
    return fees.reference


def pay_pages(pages: Pages, app, staff, anonymous) -> None:  # noqa: ANN001
    from tests.stripe_fixtures import issue_invoice

    gateway = StandInDouble(is_standin=True)
    app.extensions["stripe_gateway"] = gateway
    issued = issue_invoice(app, staff.user_id, organisation="Pay Weekly")
    path = issued.pay_path
    pages.get("pay: test cards", anonymous, path)
    pages.post("pay: declined", anonymous, f"{path}/test-card", {"card": "decline"}, 402)
    pages.get("pay: failed return", anonymous, f"{path}/return")
    pages.post("pay: 3-D Secure step", anonymous, f"{path}/test-card", {"card": "3ds"})
    pages.get("pay: processing", anonymous, f"{path}/return", 202)
    gateway.is_standin = False
    second = issue_invoice(app, staff.user_id, organisation="Card Weekly")
    pages.get("pay: card form", anonymous, second.pay_path)
    gateway.down = True
    third = issue_invoice(app, staff.user_id, organisation="Down Weekly")
    pages.get("pay: unavailable", anonymous, third.pay_path, 503)
    gateway.down = False
    set_invoice(app, second.invoice_number, flagged=True, flag_reason="Amount differs.")
    pages.get("pay: being checked", anonymous, f"{second.pay_path}/return")
    gateway.intents = {k: make_intent(k, "succeeded", v.amount) for k, v in gateway.intents.items()}
    pages.get("pay: paid", anonymous, f"{path}/return")
    pages.get("pay: paid invoice", anonymous, path)
    token = tracking_token(app, issued.reference)
    pages.get("public: track, license active", anonymous, f"/track/{token}")
    pages.get("public: verify, license", anonymous, f"/verify/{issued.license_number}")
    pages.get("public: document being prepared", anonymous,
              f"/track/{token}/documents/{issued.license_number}.pdf", 202)


def tracking_token(app, reference: str) -> str:  # noqa: ANN001
    """A request's tracking token, from the link in the last e-mail about it."""
    sent = [m for m in mails(app) if reference in m.subject and "/track/" in m.body_text]
    assert sent, f"no e-mail about {reference}"
    return tracking_link(sent[-1].body_text).rsplit("/", 1)[1]


def admin_pages(pages: Pages, app) -> None:  # noqa: ANN001
    everything = signed_in(app, "all@desk.test", "Al Allroles", ["admin", "staff", "finance"])
    pages.get("all roles: index", everything.client, "/")
    pages.get("all roles: staff home (queue and invoices needing attention)", everything.client, "/staff/")
    admin = signed_in(app, "ada@desk.test", "Ada Admin", ["admin"])
    pages.get("admin: staff home", admin.client, "/staff/")
    pages.get("admin: users", admin.client, "/admin/users")
    pages.post("admin: users, invitation errors", admin.client, "/admin/users",
               {"email": "not-an-address", "name": "", "roles": []}, 422)
    moved(admin.client.post("/admin/users", data={"email": "nia@desk.example", "name": "Nia New", "roles": ["staff"]}))
    moved(admin.client.post("/admin/users", data={"email": "ola@desk.example", "name": "Ola Other", "roles": ["staff"]}))
    pages.get("admin: users, two invited", admin.client, "/admin/users")
    pages.get("admin: user", admin.client, f"/admin/users/{admin.user_id}")
    pages.post("admin: user, cannot lock out", admin.client, f"/admin/users/{admin.user_id}", {"roles": []}, 422)
    pages.get("admin: tax", admin.client, "/admin/tax")
    pages.post("admin: tax, errors", admin.client, "/admin/tax", {"country": "ZZ", "name": "", "rate": "x"}, 422)
    rate_card_pages(pages, admin.client)
    invitation = mails(app, to="nia@desk.example")[-1]
    link = re.search(r"http://desk\.test(/set-password/\S+)", invitation.body_text).group(1)
    invitee = app.test_client()
    pages.get("set password", invitee, link)
    pages.post("set password, too short", invitee, link, {"password": "short", "confirm": "other"}, 422)


def invoice_states_on_the_tracking_page(pages: Pages, app, staff, anonymous, paid_token: str) -> None:  # noqa: ANN001
    """The key facts of a paid and partly refunded invoice (its credit note among the documents) and of a voided one."""
    from invoices.finance import services as finance
    from licensing.core.db import get_session
    from tests.documents_helpers import license_of

    pages.get("public: track, paid and partly refunded", anonymous, f"/track/{paid_token}")
    voided = submit(app, organisation="Void Courier")
    approve(app, voided.reference, staff.user_id)
    with app.test_request_context("/"):
        finance.void(get_session(), license_of(app, voided.reference).invoice_number, "fay@desk.test", "Sent twice.")
    pages.get("public: track, invoice voided", anonymous, f"/track/{voided.token}")


def rate_card_pages(pages: Pages, client) -> None:  # noqa: ANN001
    """The rate card editor: as filled in, with mistakes, previewed, and after a version saved meanwhile."""
    from tests.functional.conftest import form_values, parse

    pages.get("admin: rate card", client, "/admin/rate-card")
    form = parse(pages.documents["admin: rate card"]).by_id("rate-card-form")
    values = {name: v[0] for name, v in form_values(form).items()}
    pages.post("admin: rate card, errors", client, "/admin/rate-card",
               values | {"minimum_fee": "fifty", "tier_1_up_to": "5", "term_one_off": "", "action": "preview"}, 422)
    pages.post("admin: rate card, preview", client, "/admin/rate-card",
               values | {"base_print": "220", "action": "preview"})
    pages.post("admin: rate card, saved meanwhile", client, "/admin/rate-card",
               values | {"base_print": "220", "action": "save", "based_on": "0"}, 409)


def terms_and_delivery_pages(pages: Pages, app, staff, anonymous, made: dict, paid_reference: str) -> None:  # noqa: ANN001
    """The standard terms (public and admin), and the republication package, usage and true-up pages."""
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.core.models import OutboxMessage
    from licensing.delivery.models import UsageDaily
    from licensing.licenses.models import License
    from tests.documents_helpers import license_of

    pages.get("public: terms", anonymous, "/terms")
    admin = signed_in(app, "tia@desk.test", "Tia Terms", ["admin"])
    pages.get("admin: terms", admin.client, "/admin/terms")
    token = tracking_token(app, paid_reference)
    invoice_states_on_the_tracking_page(pages, app, staff, anonymous, token)
    pages.get("public: package", anonymous, f"/track/{token}/package")
    pages.get("public: usage", anonymous, f"/track/{token}/usage")
    pages.get("public: package, not active", anonymous, f"/track/{made['approved'].token}/package", 410)
    number = license_of(app, paid_reference).number
    with app.app_context(), new_session() as s:
        lic = s.scalars(select(License).where(License.number == number)).one()
        s.add_all(UsageDaily(license_id=lic.id, day=lic.start_date, referrer_domain=domain, views=views, bot_views=0)
                  for domain, views in (("leeds-post.example", 900_000), ("copycat.example", 50)))
        s.commit()
    pages.get("staff: usage with flags", staff.client, f"/staff/licenses/{number}/usage")
    moved(staff.client.post(f"/staff/licenses/{number}/usage/true-up"))
    with app.app_context(), new_session() as s:
        quote = [m for m in s.scalars(select(OutboxMessage)) if (m.tag or "").startswith("true-up")][-1]
    path = "/true-up/" + quote.body_text.split("/true-up/", 1)[1].split()[0]
    pages.get("licensee: true-up", app.test_client(), path)
    moved(app.test_client().post(path))
    pages.get("public: tracking with a true-up to pay", anonymous, f"/track/{token}")
    moved(staff.client.post(f"/staff/licenses/{number}/usage/accept-domain", data={"domain": "copycat.example"}))
    pages.get("staff: usage with an accepted domain and a true-up", staff.client, f"/staff/licenses/{number}/usage")


def test_every_page_passes_the_nu_html_checker(seeded, client, monkeypatch, tmp_path):
    no_rendering(monkeypatch)  # PDFs stay "being prepared": their pages are checked, their rendering is not
    rendered: set[str] = set()

    def record(sender, template, context, **extra):  # noqa: ANN001, ANN003, ARG001
        rendered.add(template.name)

    template_rendered.connect(record, seeded)
    pages = Pages()
    staff = signed_in(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    public_pages(pages, seeded, client)
    made = requests_in_each_status(pages, seeded, staff, client)
    staff_pages(pages, seeded, staff, made)
    paid = finance_pages(pages, seeded, staff, made)
    pay_pages(pages, seeded, staff, client)
    terms_and_delivery_pages(pages, seeded, staff, client, made, paid)
    admin_pages(pages, seeded)
    template_rendered.disconnect(record, seeded)
    assert not page_templates() - rendered, f"page templates no request rendered: {page_templates() - rendered}"

    results = validate_documents({**pages.documents, "canary: broken on purpose": BROKEN}, tmp_path / "pages")

    errors = errors_of(results)
    assert errors.pop("canary: broken on purpose", None), "the checker found nothing wrong with a broken page"
    assert not errors, report(errors) + f"\n(the pages are in {tmp_path / 'pages'})"
    assert len(results) == len(pages.documents) + 1


def test_a_broken_page_fails_the_checker_with_each_known_mistake(tmp_path):
    results = validate_documents({"broken": BROKEN, "fine": '<!doctype html><html lang="en"><head><title>Fine'
                                                          '</title></head><body><p>Fine.</p></body></html>'})

    errors = errors_of(results)
    assert list(errors) == ["broken"]
    messages = " | ".join(e.message for e in errors["broken"])
    for expected in ("aria-describedby", "“username” is not allowed", "fraction of a second", "Stray end tag"):
        assert expected in messages, messages
    assert all(e.line == 1 for e in errors["broken"])
