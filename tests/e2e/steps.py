"""Steps the browser tests share: filling the request form as a person would, signing staff in,
submitting a request through the public JSON API (to have something to review quickly), and
waiting for work done in the background (PDFs, webhooks) by reloading a page."""
from __future__ import annotations

import json
import re
import secrets
import time
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, expect

from licensing.core.money import format_money
from licensing.pricing.rules import DEMO_RATE_CARD, RateCardTerms, RequestedUse, quote_for

EXAMPLE_TITLE = "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"
EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"
DEMO_TERMS = RateCardTerms.from_dict(1, DEMO_RATE_CARD)  # `flask demo load` saves it as version 1
DESKTOP = {"width": 1280, "height": 900}
STAFF = ("staff@syndication-desk.org", "staff-demo-2026")  # licensing/demo.py
ADMIN_LANDING = "Hello, Ada Admin"  # the demo admin (admin, staff and finance) lands on the union of their pages
MONEY = r"£[\d,]+\.\d\d"
LOWEST_PRICE = "£75.00"  # the demo card's cheapest use: social media, one reader, one country, one-off
# An approval issues the license and invoice; in development mode (jobs inline) the same request
# renders their PDFs, which takes seconds on a busy machine.
APPROVAL_TIMEOUT_MS = 30_000


def expected_total(audience: int, territory: str | tuple[str, ...], exclusive: bool = False,
                   medium: str = "website", term: str = "1_year") -> str:
    """The total the pages should show, from the pure pricing function on the demo rate card."""
    quote = quote_for(DEMO_TERMS, RequestedUse(medium=medium, audience=audience, territory=territory,
                                               term=term, exclusive=exclusive))
    return format_money(quote.amount, quote.currency)


def unique(prefix: str) -> str:
    """A name no other test uses on the shared server, e.g. for the staff search."""
    return f"{prefix} {secrets.token_hex(3).upper()}"


# ---------------------------------------------------------------- the request form

def label(page: Page, text: str) -> Locator:
    return page.get_by_label(text, exact=True)


def type_into(page: Page, text: str, value: str) -> None:
    """Click into the labelled field, clear it and type, key by key."""
    field = label(page, text)
    field.click()
    field.press("ControlOrMeta+a")
    field.press("Backspace")
    field.press_sequentially(value)


def open_form_from_article(page: Page) -> None:
    """Home page -> search by words -> the article page -> its button to the form."""
    page.goto("/")
    search = page.get_by_role("searchbox", name="Find an article")
    search.click()
    search.press_sequentially("turkey lasting defeat")
    search.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^1 result for"))).to_be_visible()
    page.get_by_role("link", name=EXAMPLE_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(EXAMPLE_TITLE)
    expect(page.locator("#licensable li")).to_have_text(["The article text (about 812 words)"])
    expect(page.locator("#not-licensable li")).to_have_text(["Photograph: AFP (third party)"])
    page.get_by_role("link", name=f"Republish this article, from {LOWEST_PRICE}").click()
    expect(page).to_have_url(re.compile(r"/republish\?article="))


def fill_who_and_where(page: Page, email: str = "editor@leeds-post.example",
                       organisation: str = "Leeds Evening Post Ltd") -> None:
    type_into(page, "Organisation", organisation)
    type_into(page, "Contact name", "Jo Editor")
    type_into(page, "E-mail", email)
    label(page, "Country of your organisation").select_option(label="United Kingdom")
    type_into(page, "Publication name", "Leeds Evening Post")
    type_into(page, "Publication web address", "https://leeds-post.example")
    label(page, "Medium").select_option(label="Website")
    type_into(page, "Audience size", "5000")


def choose_countries(page: Page, *names: str) -> None:
    """In the territory picker: type each country's name and take the match it shows first (Enter)."""
    picker = page.get_by_role("combobox", name="Countries", exact=True)
    picker.focus()
    for name in names:
        picker.press_sequentially(name)
        expect(page.locator("#territory_countries-listbox [role=option].active")).to_have_text(name)
        picker.press("Enter")
        expect(page.get_by_role("button", name=f"Remove {name}", exact=True)).to_be_visible()


def fill_use(page: Page, start: date) -> None:
    label(page, "Language of publication").select_option(label="English")
    label(page, "Term").select_option(label="1 year")
    date_field = label(page, "Start date")
    date_field.fill(start.isoformat())  # a date input takes no free typing in a stable way
    type_into(page, "Notes (optional)", "Print edition of 14 December too, if possible.")


# ---------------------------------------------------------------- requests through the public API

def submit_by_api(base_url: str, organisation: str, medium: str = "website", audience: int = 25000,
                  territory: str | list[str] = "worldwide", email: str | None = None) -> dict:
    """POST /api/v1/requests as a publisher's CMS would: returns reference, tracking_url, quote."""
    body = {
        "article_url": EXAMPLE_URL, "organisation": organisation, "contact_name": "Jo Editor",
        "email": email or f"desk+{secrets.token_hex(4)}@publisher.example", "country": "GB",
        "publication": organisation, "publication_url": "https://publisher.example", "medium": medium,
        "audience": audience, "territory": territory, "language": "en", "term": "1_year",
        "start_date": (date.today() + timedelta(days=7)).isoformat(), "exclusive": False,
        "notes": "Sent by our CMS.",
    }
    request = urllib.request.Request(base_url + "/api/v1/requests", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 201, response.status
        return json.load(response)


# ---------------------------------------------------------------- staff

def sign_in(page: Page, email: str = STAFF[0], password: str = STAFF[1], lands_on: str = "Review queue") -> None:
    """Sign in and land on the role's page: the queue for staff; someone with more roles than staff
    lands on their page of things to do ("Hello, <name>")."""
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    label(page, "E-mail").fill(email)
    label(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lands_on)
    expect(page.get_by_role("button", name=re.compile(r"^Sign out \("))).to_be_visible()


def approve_in_queue(page: Page, reference: str, fee: str = "", reason: str = "") -> None:
    """Find the request in the queue by its reference, open it and approve it."""
    page.goto("/staff/requests")
    search = page.get_by_label("Search", exact=True)
    search.fill(reference)
    search.press("Enter")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    if fee:
        label(page, "New fee (optional)").fill(fee)
        label(page, "Reason for the new fee").fill(reason)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".flash-success")).to_have_text(
        "Approved. The publisher has been e-mailed.", timeout=APPROVAL_TIMEOUT_MS)
    expect(page.locator("h1 .status")).to_have_text("Approved")


# ---------------------------------------------------------------- background work

def reload_until(page: Page, ready: Callable[[], bool], timeout: float = 30.0, what: str = "the page") -> None:
    """Reload until `ready()` holds: for what workers do after the response (PDFs, webhooks)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.5)
        page.reload()
