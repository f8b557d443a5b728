"""The territory picker on the request form (licensing/core/static/js/territory.js): a search box
that filters countries and regions, a list of matches, the chosen countries as chips. Used here by
the keyboard alone, read as a screen reader reads it (ARIA combobox pattern, a polite live region),
and checked by axe and the Nu Html Checker while it is open. Without JavaScript the plain multiple
select it enhances still submits."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.validators.html import errors_of, report, validate_documents

from .axe import assert_accessible
from .steps import DESKTOP, EXAMPLE_URL, expected_total, fill_use, fill_who_and_where, label

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SELECTED = "s => [...s.selectedOptions].map(o => o.value)"


def chosen_codes(page: Page) -> list[str]:
    """What the form will send: the options chosen in the (hidden) select."""
    return page.locator("select#territory_countries").evaluate(SELECTED)


def test_keyboard_alone_searches_adds_countries_and_a_region_and_removes_a_chip(page: Page) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/republish?article=" + EXAMPLE_URL)
    fill_who_and_where(page)
    fill_use(page, date.today() + timedelta(days=7))

    combobox = page.get_by_role("combobox", name="Countries", exact=True)
    listbox = page.locator("#territory_countries-listbox")
    status = page.locator("#territory_countries-status")
    expect(page.locator("select#territory_countries")).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(combobox).to_have_attribute("aria-controls", "territory_countries-listbox")
    expect(combobox).to_have_attribute("aria-autocomplete", "list")
    expect(combobox).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    expect(combobox).not_to_have_attribute("name", re.compile(".*"))  # the select carries the value
    expect(listbox).to_have_attribute("role", "listbox")
    expect(listbox).to_have_attribute("aria-multiselectable", "true")
    expect(listbox).to_be_hidden()
    expect(status).to_have_attribute("aria-live", "polite")
    expect(page.locator("#territory_countries-help")).to_contain_text("arrow keys")

    # From the audience field: Tab to the territory radios (the chosen one), Tab to the picker.
    label(page, "Audience size").focus()
    page.keyboard.press("Tab")
    expect(label(page, "Chosen countries")).to_be_focused()
    page.keyboard.press("Tab")
    expect(combobox).to_be_focused()

    # Accents and case do not matter; codes match too.
    page.keyboard.type("cote")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_text(["Côte d'Ivoire"])
    page.keyboard.press("Escape")  # closes the list, keeps the text
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("cote")
    page.keyboard.press("Escape")  # then empties it
    expect(combobox).to_have_value("")
    page.keyboard.type("TURK")
    expect(listbox.get_by_role("option", name="Türkiye", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    for typed, first in (("uk", "United Kingdom"), ("USA", "United States"), ("turkey", "Türkiye")):
        page.keyboard.type(typed)  # the names people type for a country listed under another
        expect(listbox.get_by_role("option").first).to_have_text(first)
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")

    page.keyboard.type("united")
    options = listbox.get_by_role("option")
    expect(options).to_have_text([
        "United Arab Emirates", "United Kingdom", "United States", "United States Minor Outlying Islands",
        "United Kingdom and Ireland (2 countries)",
    ])
    expect(listbox.get_by_role("group")).to_have_count(2)
    expect(listbox.get_by_role("group", name="Regions")).to_be_visible()
    expect(options.first).to_have_attribute("aria-selected", "false")
    first_id = options.first.get_attribute("id")
    expect(combobox).to_have_attribute("aria-activedescendant", first_id)
    assert_accessible(page, "republish: the territory picker open")
    nu = errors_of(validate_documents({"republish, territory picker open": page.content()}))
    assert not nu, report(nu)

    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # from the first option round to the last
    expect(combobox).to_have_attribute("aria-activedescendant", options.last.get_attribute("id"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Remove United Kingdom", exact=True)).to_be_visible()
    expect(status).to_have_text("United Kingdom added. 1 country chosen.")
    expect(combobox).to_have_value("")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(combobox).to_be_focused()
    assert chosen_codes(page) == ["GB"]
    total = page.locator("#quote td.total")
    expect(total).to_have_text(expected_total(5000, ("GB",)))

    page.keyboard.type("fr")  # the code first, then the names
    expect(options.first).to_have_text("France")
    page.keyboard.press("Enter")
    expect(status).to_have_text("France added. 2 countries chosen.")

    page.keyboard.type("gulf")
    expect(options).to_have_text(["Gulf states (6 countries)"])
    page.keyboard.press("Enter")
    expect(status).to_have_text("Gulf states added: 6 countries. 8 countries chosen.")
    assert chosen_codes(page) == ["BH", "FR", "KW", "OM", "QA", "SA", "AE", "GB"]
    expect(page.locator("#territory_countries-chosen")).to_have_text("8 countries chosen:")

    # Open the whole list: the regions first; what is chosen is marked selected.
    combobox.evaluate("box => box.scrollIntoView({block: 'center'})")  # for the screenshot: the list below in sight
    page.keyboard.press("ArrowDown")
    expect(listbox).to_be_visible()
    expect(options.first).to_have_text("European Union (27 countries)")
    expect(combobox).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    expect(listbox.get_by_role("option", name="Gulf states (6 countries)")).to_have_attribute("aria-selected", "true")
    expect(listbox.get_by_role("option", name="France", exact=True)).to_have_attribute("aria-selected", "true")
    expect(listbox.get_by_role("option", name="Germany", exact=True)).to_have_attribute("aria-selected", "false")
    page.screenshot(path="/tmp/e2e-territory-picker-desktop.png")
    page.keyboard.press("Escape")
    page.screenshot(path="/tmp/e2e-territory-picker-chips.png")

    # Tab to the chips (in the order of the list), arrow along them, Delete one.
    expect(page.locator("#territory_countries-chips .chip-name")).to_have_text([
        "Bahrain", "France", "Kuwait", "Oman", "Qatar", "Saudi Arabia", "United Arab Emirates", "United Kingdom"])
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove Bahrain", exact=True)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Remove France", exact=True)).to_be_focused()
    page.keyboard.press("Delete")
    expect(page.get_by_role("button", name="Remove France")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove Kuwait", exact=True)).to_be_focused()  # the next one
    expect(status).to_have_text("France removed. 7 countries chosen.")
    seven = ("AE", "BH", "GB", "KW", "OM", "QA", "SA")
    assert chosen_codes(page) == ["BH", "KW", "OM", "QA", "SA", "AE", "GB"]
    expect(total).to_have_text(expected_total(5000, seven))
    expect(page.locator("#quote")).to_contain_text("× 2 — 7 countries")

    # Backspace in the empty search box goes to the last chip (it removes nothing by itself).
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(combobox).to_be_focused()
    page.keyboard.press("Backspace")
    expect(page.get_by_role("button", name="Remove United Kingdom", exact=True)).to_be_focused()
    assert len(chosen_codes(page)) == 7

    label(page, "I accept the standard republishing terms (version 1)").check()
    page.get_by_role("button", name="Submit request").click()
    expect(page).to_have_url(re.compile(r"/track/[^/]+/confirmation$"))
    expect(page.locator("td.total")).to_have_text(expected_total(5000, seven))
    page.goto(page.locator("#tracking-link").get_attribute("href"))
    expect(page.locator("dt:text-is('Territory') + dd")).to_have_text(
        "United Arab Emirates, Bahrain, United Kingdom, Kuwait, Oman, Qatar, Saudi Arabia")  # stored AE,BH,GB,...


def test_on_a_phone_the_picker_opens_and_chips_come_back_with_the_errors(new_page) -> None:  # noqa: ANN001
    page = new_page(**PHONE)
    page.goto("/republish?article=" + EXAMPLE_URL)
    fill_who_and_where(page, email="jo.editor@")
    fill_use(page, date.today() + timedelta(days=3))
    label(page, "I accept the standard republishing terms (version 1)").check()
    page.get_by_role("button", name="Submit request").click()
    territory_error = page.locator("#territory_kind-error")
    expect(territory_error).to_have_text('Choose "worldwide", a region, or at least one country.')
    expect(page.locator("#territory_countries-chosen")).to_have_text("No country chosen yet.")

    combobox = page.get_by_role("combobox", name="Countries", exact=True)
    combobox.click()  # a tap opens the whole list
    expect(combobox).to_have_attribute("aria-expanded", "true")
    page.keyboard.type("ger")
    expect(territory_error).to_be_visible()  # a search is not a choice: the error stays
    page.keyboard.press("Enter")
    expect(territory_error).to_have_count(0)  # a country chosen: the error goes at once (bug 9)
    expect(page.locator("#email-error")).to_be_visible()
    combobox.evaluate("box => { box.scrollIntoView({block: 'start'}); window.scrollBy(0, -120); }")
    page.keyboard.type("ireland")
    expect(page.locator("#territory_countries-listbox").get_by_role("option")).to_have_text(
        ["Ireland", "United Kingdom and Ireland (2 countries)"])
    page.screenshot(path="/tmp/e2e-territory-picker-phone.png")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Submit request").click()

    expect(page.locator("#email-error")).to_contain_text("valid e-mail")
    expect(page.locator("#territory_kind-error")).to_have_count(0)
    expect(page.locator("#territory_countries-chips .chip-name")).to_have_text(["Germany", "Ireland"])
    expect(page.locator("#territory_countries-chips button").first).to_have_accessible_name("Remove Germany")
    assert chosen_codes(page) == ["DE", "IE"]
    expect(page.locator("#territory_countries-status")).to_have_text("")  # nothing was added on this page


def test_without_javascript_the_plain_select_still_chooses_countries(page_without_js: Page) -> None:
    page = page_without_js
    page.goto("/republish?article=" + EXAMPLE_URL)
    expect(page.get_by_role("combobox", name="Countries", exact=True)).to_have_count(0)
    expect(page.locator("#territory_countries-help")).to_contain_text("hold Ctrl or Cmd")
    fill_who_and_where(page)
    fill_use(page, date.today() + timedelta(days=1))
    label(page, "Countries").select_option(label=["France", "Germany"])
    label(page, "I accept the standard republishing terms (version 1)").check()
    page.get_by_role("button", name="Preview price").click()

    expected = expected_total(5000, ("DE", "FR"))
    expect(page.locator("#quote td.total")).to_have_text(expected)
    expect(page.locator("#quote")).to_contain_text("× 1.5 — two countries")
    assert label(page, "Countries").evaluate(SELECTED) == ["FR", "DE"]
    page.get_by_role("button", name="Submit request").click()
    expect(page).to_have_url(re.compile(r"/track/[^/]+/confirmation$"))
    expect(page.locator("td.total")).to_have_text(expected)
    expect(page.locator("dt:text-is('Territory') + dd")).to_have_text("Germany, France")
