"""An admin edits the rate card in a real browser: from the sign-in, through the admin navigation,
to the form; a mistake is shown at its field with what was typed kept; the preview shows five
typical quotes before and after. Nothing is saved here: the other browser tests price requests on
the demo rate card (the saving itself is tested through the test client)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .steps import ADMIN_LANDING, DESKTOP, label, sign_in

pytestmark = pytest.mark.e2e

ADMIN = ("admin@syndication-desk.org", "admin-demo-2026")  # licensing/demo.py


def test_an_admin_previews_a_new_rate_card_version(new_page) -> None:  # noqa: ANN001
    page = new_page(viewport=DESKTOP)
    sign_in(page, *ADMIN, lands_on=ADMIN_LANDING)
    expect(page.locator("#queue-summary")).to_be_visible()
    expect(page.locator("#attention")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Rate card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate card")
    expect(label(page, "Print")).to_have_value("200.00")

    label(page, "Minimum fee").fill("fifty")
    label(page, "Print").fill("220")
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator("#minimum_fee-error")).to_have_text("Enter an amount such as 350 or 350.00.")
    expect(label(page, "Minimum fee")).to_have_value("fifty")
    expect(label(page, "Print")).to_have_value("220")
    expect(page.locator("#preview")).to_have_count(0)

    label(page, "Minimum fee").fill("50.00")
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text("Preview of version 2")
    national = preview.locator("table.typical tbody tr", has_text="National print run")
    expect(national.locator("td")).to_have_text(["£500.00", "£550.00", re.compile(r"^\+£50\.00\s+\+10\.0%$")])
    expect(preview.get_by_role("button", name="Save as new version 2")).to_be_visible()
    expect(label(page, "Print")).to_have_value("220")
