"""The publisher reads the terms before ticking the box: from the request form, the link beside the
checkbox opens the version the request will record, in a new tab, and the form keeps what was typed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .steps import DESKTOP, label, open_form_from_article, type_into

pytestmark = pytest.mark.e2e


def test_the_terms_link_beside_the_checkbox_opens_the_accepted_version(page: Page, live_server) -> None:  # noqa: ANN001
    page.set_viewport_size(DESKTOP)
    open_form_from_article(page)
    type_into(page, "Organisation", "Leeds Evening Post Ltd")
    expect(page.locator("#term-meanings")).to_contain_text("One-off use: One publication")
    checkbox_label = page.locator("label[for=terms_accepted]")
    expect(checkbox_label).to_contain_text(re.compile(r"standard republishing terms \(version \d+\)"))
    version = re.search(r"version (\d+)", checkbox_label.inner_text()).group(1)
    with page.context.expect_page() as opened:
        checkbox_label.get_by_role("link", name="standard republishing terms").click()
    terms = opened.value
    terms.wait_for_load_state()
    expect(terms).to_have_url(re.compile(rf"/terms/{version}$"))
    expect(terms.get_by_role("heading", level=1)).to_have_text("Standard republishing terms")
    expect(terms.locator("#terms")).to_contain_text(f"Version {version}, published")
    expect(terms.get_by_role("heading", name="10. Governing law and jurisdiction")).to_be_visible()
    terms.close()
    expect(label(page, "Organisation")).to_have_value("Leeds Evening Post Ltd")  # the form is as it was
    expect(page.get_by_role("checkbox", name=re.compile("I accept the standard republishing terms"))).not_to_be_checked()
