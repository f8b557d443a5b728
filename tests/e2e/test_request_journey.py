"""The publisher's journey in a real browser against the real app: find the article, follow its
"Republish this article, from £…" button, fill the request form as a person would, watch the live
quote build up step by step, submit and follow the request on its private tracking page (its key
facts first, on a phone too). Also without JavaScript, and with a validation error."""
from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from .steps import (
    DESKTOP,
    EXAMPLE_TITLE,
    EXAMPLE_URL,
    choose_countries,
    expected_total,
    fill_use,
    fill_who_and_where,
    label,
    open_form_from_article,
    type_into,
)

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def test_publisher_requests_with_live_quote_and_follows_it(page: Page, live_server) -> None:  # noqa: ANN001
    page.set_viewport_size(DESKTOP)
    open_form_from_article(page)

    chosen = page.locator("#chosen-article")
    expect(chosen).to_contain_text(EXAMPLE_TITLE)
    expect(chosen).to_contain_text("Photograph: AFP – not licensable (third party)")
    expect(label(page, "Article address (URL)")).to_have_value(EXAMPLE_URL)

    quote = page.locator("#quote")
    total = quote.locator("td.total")
    fill_who_and_where(page)
    fill_use(page, date.today() + timedelta(days=7))
    label(page, "Chosen countries").check()
    choose_countries(page, "United Kingdom")
    expect(total).to_have_text(expected_total(5000, ("GB",)))
    steps = quote.locator("tbody th")
    expect(steps).to_have_text(["Base fee: Website", "× 2 — 1 year"])  # a small audience and one country: × 1 each

    type_into(page, "Audience size", "500000")
    expect(total).to_have_text(expected_total(500_000, ("GB",)))
    assert expected_total(500_000, ("GB",)) != expected_total(5000, ("GB",))

    choose_countries(page, "Ireland")
    final = expected_total(500_000, ("GB", "IE"))
    expect(total).to_have_text(final)
    expect(steps).to_have_text(["Base fee: Website", "× 2.5 — audience 100,001 to 1,000,000", "× 1.5 — two countries",
                                "× 2 — 1 year"])
    expect(quote.locator("tbody td")).to_have_text(["£150.00", "£375.00", "£562.50", final])
    expect(page.locator("#territory_countries-chosen")).to_have_text("2 countries chosen:")
    expect(page.locator("#territory_countries-chips .chip-name")).to_have_text(["Ireland", "United Kingdom"])
    expect(page.locator(".quote-summary")).to_be_hidden()  # the price panel is in sight beside the form

    label(page, "I accept the standard republishing terms (version 1)").check()
    expect(total).to_have_text(final)
    page.screenshot(path="/tmp/e2e-desktop.png", full_page=True)
    page.get_by_role("button", name="Submit request").click()

    expect(page).to_have_url(re.compile(r"/track/[^/]+/confirmation$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"REQ-[2-9A-HJKMNP-TV-Z]{6}"))
    reference = re.search(r"REQ-[A-Z0-9]{6}", heading.inner_text()).group(0)
    expect(page.locator("td.total")).to_have_text(final)
    tracking_url = page.locator("#tracking-link").get_attribute("href")
    assert tracking_url and tracking_url.startswith(live_server.url + "/track/")
    token = tracking_url.rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 random bits, URL-safe

    page.locator("#tracking-link").click()
    expect(page).to_have_url(tracking_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.locator("h1 .status")).to_have_text("Submitted")
    expect(page.locator("#key-status")).to_have_text("Submitted")
    expect(page.locator("#next-step")).to_have_text(
        "We have your request. Our licensing team will review it and e-mail you when they decide, or if they "
        "need to know more.")
    expect(page.locator("#amount-due")).to_have_text(f"Nothing yet: the quoted price is {final} before VAT.")
    expect(page.locator("td.total")).to_have_text(final)
    expect(page.get_by_text("United Kingdom, Ireland")).to_be_visible()
    expect(page.locator(".warning")).to_contain_text("Photograph: AFP")

    # On a phone the key facts are what the page opens with.
    page.set_viewport_size(PHONE["viewport"])
    page.evaluate("window.scrollTo(0, 0)")
    key_facts = page.locator("#key-facts").bounding_box()
    assert key_facts is not None and key_facts["y"] + key_facts["height"] <= PHONE["viewport"]["height"], key_facts
    page.screenshot(path="/tmp/e2e-track-submitted-phone.png")

    wrong = page.goto(tracking_url[: -len(token)] + secrets.token_urlsafe(32))
    assert wrong is not None and wrong.status == 404
    expect(page.locator("body")).not_to_contain_text(reference)


def test_form_works_without_javascript(page_without_js: Page) -> None:
    page = page_without_js
    page.goto("/republish")
    search = page.get_by_role("searchbox", name="Search the catalog")
    search.click()
    search.press_sequentially("defence secretary")
    search.press("Enter")
    page.get_by_role("link", name=EXAMPLE_TITLE).click()
    expect(label(page, "Article address (URL)")).to_have_value(EXAMPLE_URL)
    expect(page.locator("#quote")).to_contain_text("Preview price")

    fill_who_and_where(page)
    fill_use(page, date.today() + timedelta(days=1))
    label(page, "Worldwide").check()
    label(page, "I accept the standard republishing terms (version 1)").check()
    page.get_by_role("button", name="Preview price").click()

    expected = expected_total(5000, "worldwide")
    expect(page.locator("#quote td.total")).to_have_text(expected)
    expect(page.locator("#quote tbody th")).to_have_text(["Base fee: Website", "× 3 — worldwide", "× 2 — 1 year"])
    expect(label(page, "Organisation")).to_have_value("Leeds Evening Post Ltd")
    expect(label(page, "I accept the standard republishing terms (version 1)")).to_be_checked()

    page.get_by_role("button", name="Submit request").click()
    expect(page).to_have_url(re.compile(r"/track/[^/]+/confirmation$"))
    expect(page.locator("td.total")).to_have_text(expected)
    page.goto(page.locator("#tracking-link").get_attribute("href"))
    expect(page.locator("h1 .status")).to_have_text("Submitted")


def test_validation_error_keeps_what_was_typed_on_a_phone(new_page) -> None:  # noqa: ANN001
    page = new_page(**PHONE)
    page.goto("/republish?article=" + EXAMPLE_URL)
    start = date.today() + timedelta(days=3)
    fill_who_and_where(page, email="jo.editor@")
    fill_use(page, start)
    choose_countries(page, "France", "Germany")
    label(page, "Exclusive in this territory").check()
    label(page, "I accept the standard republishing terms (version 1)").check()
    total = expected_total(5000, ("DE", "FR"), exclusive=True)
    expect(page.locator("#quote td.total")).to_have_text(total)
    # On a phone the price panel is below the form: the price is repeated beside the submit button.
    expect(page.locator(".quote-summary")).to_be_visible()
    expect(page.locator(".quote-summary")).to_contain_text(f"Price: {total} before tax")
    page.screenshot(path="/tmp/e2e-phone.png", full_page=True)
    page.get_by_role("button", name="Submit request").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # the keyboard starts at the list of errors
    expect(summary).to_contain_text("E-mail")
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(page.locator("#email-error")).to_contain_text("valid e-mail")
    expect(label(page, "E-mail")).to_have_attribute("aria-invalid", "true")

    expect(label(page, "Article address (URL)")).to_have_value(EXAMPLE_URL)
    expect(label(page, "Organisation")).to_have_value("Leeds Evening Post Ltd")
    expect(label(page, "Contact name")).to_have_value("Jo Editor")
    expect(label(page, "E-mail")).to_have_value("jo.editor@")
    expect(label(page, "Country of your organisation")).to_have_value("GB")
    expect(label(page, "Publication name")).to_have_value("Leeds Evening Post")
    expect(label(page, "Publication web address")).to_have_value("https://leeds-post.example")
    expect(label(page, "Medium")).to_have_value("website")
    expect(label(page, "Audience size")).to_have_value("5000")
    expect(label(page, "Chosen countries")).to_be_checked()
    assert page.locator("select#territory_countries").evaluate("s => [...s.selectedOptions].map(o => o.value)") == [
        "FR", "DE"]
    expect(page.locator("#territory_countries-chips .chip-name")).to_have_text(["France", "Germany"])
    expect(label(page, "Language of publication")).to_have_value("en")
    expect(label(page, "Term")).to_have_value("1_year")
    expect(label(page, "Start date")).to_have_value(start.isoformat())
    expect(label(page, "Exclusive in this territory")).to_be_checked()
    expect(label(page, "Notes (optional)")).to_have_value("Print edition of 14 December too, if possible.")
    expect(label(page, "I accept the standard republishing terms (version 1)")).to_be_checked()

    summary.get_by_role("link").click()  # the summary's link takes the keyboard to the field
    expect(label(page, "E-mail")).to_be_focused()

    # Bug 9: correcting the field takes its error away at once (message, state and summary line).
    label(page, "E-mail").fill("jo.editor@leeds-post.example")
    expect(page.locator("#email-error")).to_have_count(0)
    expect(label(page, "E-mail")).to_have_attribute("aria-invalid", "false")
    expect(page.locator(".error-summary")).to_have_count(0)
