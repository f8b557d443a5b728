"""Finance in a real browser (issue 7): filter the overdue invoices, export them as CSV, refund a
paid invoice in part and see the credit note."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from .steps import ADMIN_LANDING, APPROVAL_TIMEOUT_MS, DESKTOP, approve_in_queue, sign_in, submit_by_api, unique

pytestmark = pytest.mark.e2e
ADMIN = ("admin@syndication-desk.org", "admin-demo-2026")  # staff and finance (licensing/demo.py)


def _approved_invoice(page: Page, base_url: str, organisation: str) -> tuple[str, str]:
    """A request submitted through the API and approved in the queue: (reference, invoice number)."""
    made = submit_by_api(base_url, organisation)
    approve_in_queue(page, made["reference"])
    number = re.search(r"INV-\d{4}-\d{5}", page.locator("#staff-documents").inner_text()).group(0)
    return made["reference"], number


def _backdate(database_url: str, number: str, days: int) -> None:
    """Make an invoice issued `days` ago (so it is overdue): test set-up only, in the database."""
    engine = create_engine(database_url)
    issued = date.today() - timedelta(days=days)
    with engine.begin() as conn:
        conn.execute(text("UPDATE invoices SET issue_date = :i, due_date = :d WHERE number = :n"),
                     {"i": issued, "d": issued + timedelta(days=14), "n": number})
    engine.dispose()


def test_finance_filters_overdue_exports_and_refunds_in_part(new_page, live_server) -> None:  # noqa: ANN001
    group = unique("Osprey")
    page = new_page(viewport=DESKTOP)
    sign_in(page, *ADMIN, lands_on=ADMIN_LANDING)
    _ref, overdue = _approved_invoice(page, live_server.url, f"{group} Gazette")
    _ref, paid = _approved_invoice(page, live_server.url, f"{group} Herald")
    _backdate(live_server.database_url, overdue, days=40)

    # The second one is paid by bank transfer: finance records it, with confirmation.
    page.goto(f"/finance/invoices/{paid}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(paid)
    mark = page.locator("form[action$='/mark-paid']")
    page.locator("details", has=mark).locator("summary").click()
    mark.get_by_label("Bank reference").fill("BACS-77")
    mark.get_by_label(re.compile("^Yes, the full amount has arrived")).check()
    mark.get_by_role("button").click()
    expect(page.locator(".flash-success")).to_be_visible(timeout=APPROVAL_TIMEOUT_MS)

    # 1. Filter the overdue invoices: only this test's overdue one matches the search.
    page.goto("/finance/invoices?tab=overdue")
    page.get_by_label("Search", exact=True).fill(group)
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]q=[^&]"))  # the filtered page, not the one it came from
    rows = page.locator("table tbody tr").filter(has_text=group)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(overdue)

    # 2. Export them as CSV: the file parses and holds exactly that invoice.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these as CSV").click()
    body = download_info.value.path().read_text()
    exported = list(csv.DictReader(io.StringIO(body)))
    numbers = [row.get("number") or row.get("invoice_number") for row in exported]
    assert numbers == [overdue]

    # 3. Refund the paid invoice in part and see the credit note.
    page.goto(f"/finance/invoices/{paid}")
    refund = page.locator("form[action$='/refund']")
    page.locator("details", has=refund).locator("summary").click()
    refund.get_by_label("Part of it").check()
    refund.get_by_label("Amount to refund (for a partial refund)").fill("10.00")
    refund.get_by_label("Why refund?").fill("Ran in one edition only")
    refund.get_by_label(re.compile("^Yes, refund")).check()
    refund.get_by_role("button", name="Refund").click()
    expect(page.locator(".flash-success")).to_be_visible(timeout=APPROVAL_TIMEOUT_MS)
    notes = page.locator("table.credit-notes tbody tr")
    expect(notes).to_have_count(1)
    expect(notes.first).to_contain_text(re.compile(r"CN-\d{4}-\d{5}"))
    expect(notes.first).to_contain_text("£10.00")
    expect(notes.first).to_contain_text("Ran in one edition only")
