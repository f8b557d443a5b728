"""Staff work the review queue in a real browser (issue 4): sign in with the demo log-in, filter
the queue by search and medium, approve one request with a fee override and a reason, reject
another with a reason template; the publisher's tracking page then shows each decision."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .steps import APPROVAL_TIMEOUT_MS, DESKTOP, expected_total, label, sign_in, submit_by_api, unique

pytestmark = pytest.mark.e2e

TEMPLATE = "Exclusive elsewhere"  # a reason template of the demo data
TEMPLATE_TEXT = "This article is licensed exclusively to another publisher in your territory."


def apply_filters(page: Page, search: str, medium: str) -> None:
    page.get_by_label("Search", exact=True).fill(search)
    page.get_by_label("Medium", exact=True).select_option(label=medium)
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]medium={medium.lower()}(&|$)"))  # the filtered page has loaded
    expect(page.get_by_label("Search", exact=True)).to_have_value(search)  # the filters stay as chosen


def test_staff_filter_approve_with_new_fee_and_reject_with_a_template(new_page, live_server) -> None:  # noqa: ANN001
    group = unique("Kestrel")  # e.g. "Kestrel 3F9A1C": only this test's requests match it
    weekly = submit_by_api(live_server.url, f"{group} Weekly", medium="print", audience=20000)
    daily = submit_by_api(live_server.url, f"{group} Daily", medium="website", audience=20000)
    radio = submit_by_api(live_server.url, f"{group} Radio", medium="broadcast", audience=20000)
    quoted = expected_total(20000, "worldwide", medium="print")

    staff = new_page(viewport=DESKTOP)
    sign_in(staff)

    # Filter: the search finds the three, the medium narrows them down to the print one.
    staff.get_by_label("Search", exact=True).fill(group)
    staff.get_by_role("button", name="Apply", exact=True).click()
    expect(staff).to_have_url(re.compile(r"[?&]q=[^&]"))
    rows = staff.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    expect(staff.get_by_text("3 requests.", exact=False)).to_be_visible()
    apply_filters(staff, group, "Print")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(weekly["reference"])
    expect(rows.first).to_contain_text(f"{group} Weekly")
    expect(rows.first).to_contain_text("Print")
    expect(rows.first.locator("td.num")).to_have_text(quoted)
    expect(staff.locator("table.queue")).not_to_contain_text(daily["reference"])
    expect(staff).to_have_url(re.compile(r"medium=print"))

    # Approve the print request with a fee of its own: the reason is required, then it goes through.
    rows.first.get_by_role("link", name=weekly["reference"]).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(weekly["reference"])
    expect(staff.locator("h1 .status")).to_have_text("Submitted")
    label(staff, "New fee (optional)").fill("95.50")
    staff.get_by_role("button", name="Approve", exact=True).click()
    expect(label(staff, "Reason for the new fee")).to_have_attribute("aria-invalid", "true")
    expect(staff.locator("#override_reason-error")).to_be_visible()
    expect(staff.locator("h1 .status")).to_have_text("Submitted")  # nothing was decided
    expect(label(staff, "New fee (optional)")).to_have_value("95.50")  # what was typed is kept
    label(staff, "Reason for the new fee").fill("Charity rate agreed by phone with the editor.")
    staff.get_by_role("button", name="Approve", exact=True).click()
    expect(staff.locator(".flash-success")).to_have_text(
        "Approved. The publisher has been e-mailed.", timeout=APPROVAL_TIMEOUT_MS)
    expect(staff.locator("h1 .status")).to_have_text("Approved")
    expect(staff.get_by_text("Approved fee: £95.50")).to_be_visible()
    expect(staff.get_by_text("Override reason: Charity rate agreed by phone with the editor.")).to_be_visible()
    expect(staff.get_by_role("link", name=re.compile(r"^LIC-\d{4}-\d{5}$"))).to_be_visible()
    approval = staff.locator("ol.timeline li", has_text="Approve by Sam Staff")
    expect(approval).to_contain_text("(Submitted → Approved)")
    expect(approval).to_contain_text(f"Approved at £95.50 (quoted {quoted}).")
    expect(staff.get_by_role("button", name="Approve", exact=True)).to_have_count(0)  # decided: no second go
    staff.screenshot(path="/tmp/e2e-staff-request.png", full_page=True)

    # Reject the website one with a reason template and a line of its own.
    staff.get_by_role("link", name="Back to the queue").click()
    apply_filters(staff, group, "Website")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=daily["reference"]).click()
    staff.locator("summary", has_text="Reject").click()
    label(staff, "Reason").select_option(label=TEMPLATE)
    label(staff, "Message to the publisher").fill("We can offer the print edition instead.")
    staff.get_by_role("button", name="Reject", exact=True).click()
    expect(staff.locator(".flash-success")).to_have_text("Rejected. The publisher has been e-mailed.")
    expect(staff.locator("h1 .status")).to_have_text("Rejected")
    rejection = staff.locator("ol.timeline li", has_text="Reject by Sam Staff")
    expect(rejection).to_contain_text(TEMPLATE_TEXT)
    expect(rejection).to_contain_text("We can offer the print edition instead.")

    # The queue: the third request is still open; the tabs count the decisions.
    staff.goto(f"/staff/requests?q={group.replace(' ', '+')}")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(radio["reference"])
    tabs = staff.get_by_role("navigation", name="Status")
    expect(tabs.get_by_role("link", name=re.compile(r"^Approved\s+1$"))).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile(r"^Rejected\s+1$"))).to_be_visible()
    expect(tabs.get_by_role("link", name=re.compile(r"^All\s+3$"))).to_be_visible()
    staff.goto(f"/staff/requests?status=all&q={group.replace(' ', '+')}")
    expect(rows).to_have_count(3)
    for i in range(3):  # a reference is never broken over two lines (at its hyphen)
        assert rows.nth(i).locator("td").nth(1).get_by_role("link").evaluate("a => a.getClientRects().length") == 1
    staff.screenshot(path="/tmp/e2e-staff-queue.png", full_page=True)

    # The publisher (no staff session) sees each decision on the private tracking page.
    publisher = new_page(viewport=DESKTOP)
    publisher.goto(weekly["tracking_url"])
    expect(publisher.locator("h1 .status")).to_have_text("Approved")
    expect(publisher.locator("ol.timeline")).to_contain_text(f"Approved at £95.50 (quoted {quoted}).")
    expect(publisher.locator("#agreed-fee")).to_contain_text("Agreed fee: £95.50")
    expect(publisher.locator("main")).not_to_contain_text("Charity rate agreed by phone")  # staff only
    expect(publisher.locator("#license-panel")).to_contain_text(re.compile(r"Your licence LIC-\d{4}-\d{5}"))
    expect(publisher.get_by_role("link", name=re.compile(r"^Pay invoice INV-"))).to_be_visible()
    publisher.screenshot(path="/tmp/e2e-track-approved.png", full_page=True)
    expect(publisher.locator("body")).not_to_contain_text("Sam Staff")  # staff names stay inside

    publisher.goto(daily["tracking_url"])
    expect(publisher.locator("h1 .status")).to_have_text("Rejected")
    expect(publisher.locator("ol.timeline")).to_contain_text(TEMPLATE_TEXT)
    expect(publisher.locator("ol.timeline")).to_contain_text("We can offer the print edition instead.")
    expect(publisher.locator("#license-panel")).to_have_count(0)
    expect(publisher.get_by_role("link", name=re.compile(r"^Pay invoice"))).to_have_count(0)
