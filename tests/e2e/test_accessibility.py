"""The main pages of each role in a real browser: axe-core finds no WCAG 2.1 A/AA violation, the
keyboard focus ring reaches 3:1, and at phone width (390 px) and desktop width (1280 px) nothing
makes the page scroll sideways (on a phone a wide table may scroll inside its own box; on a desktop
every table fits). Screenshots of every page at both widths are saved (in the test's
temporary folder; set SCREENSHOT_DIR to keep them elsewhere).

The checks themselves are shown to fail on a page made inaccessible on purpose (served by the test
with page.set_content), so a run that finds nothing means there was nothing to find."""
from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from .axe import AccessibilityViolations, AxeWatch, assert_accessible, axe_violations, weak_focus_rings
from .steps import (
    ADMIN_LANDING,
    DESKTOP,
    EXAMPLE_TITLE,
    EXAMPLE_URL,
    approve_in_queue,
    label,
    sign_in,
    submit_by_api,
    unique,
)

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WIDE = {"viewport": DESKTOP}
FINANCE = ("finance@syndication-desk.org", "finance-demo-2026")  # licensing/demo.py
ADMIN = ("admin@syndication-desk.org", "admin-demo-2026")
INACCESSIBLE = """<!doctype html><html><head><title>Broken</title>
<style>body{background:#fff} .faint{color:#bbb} a:focus-visible{outline:3px solid #f5b700}</style></head>
<body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p class="faint">Grey text too light to read.</p>
<input type="text" name="unlabelled"><a href="#x">a link</a><button></button>
<p>Requests waiting: <span class="faint">7</span></p></body></html>"""
# Tells where a page sticks out: the elements whose right edge passes the viewport's.
OVERFLOW = """() => {
  const root = document.scrollingElement, width = root.clientWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const spills = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible';
    if (box.width && (box.right > width + 1 || (spills && box.left + el.scrollWidth > width + 1))) {
      const classes = typeof el.className === 'string' && el.className.trim()
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      const id = el.id ? '#' + el.id : '';
      culprits.push(`${el.tagName.toLowerCase()}${id}${classes} (right edge ${Math.round(box.right)} px)`);
    }
  }
  const hidden = [...document.querySelectorAll('.table-scroll')]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => `${box.getAttribute('aria-label') || box.getAttribute('aria-labelledby')}: `
                + `${box.scrollWidth} px in ${box.clientWidth} px`);
  return {scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 6), hidden};
}"""


@dataclass
class Scene:
    """What the pages show: an article, requests (submitted, needing information, approved),
    the approved one's license and invoice, reached as people reach them."""

    article: str = ""
    submitted: dict = field(default_factory=dict)
    needs_info: dict = field(default_factory=dict)
    approved: dict = field(default_factory=dict)
    license: str = ""
    invoice: str = ""
    pay: str = ""

    def pages(self) -> dict[str, list[tuple[str, str]]]:
        """(name, path) of the main pages, by who sees them."""
        track = {k: re.sub(r"^https?://[^/]+", "", v["tracking_url"])
                 for k, v in (("submitted", self.submitted), ("needs_info", self.needs_info),
                              ("approved", self.approved))}
        return {
            "publisher": [
                ("index", "/"), ("search", "/?q=turkey+lasting+defeat"), ("article", self.article),
                ("republish", "/republish"), ("republish-article", f"/republish?article={EXAMPLE_URL}"),
                ("track-submitted", track["submitted"]), ("track-needs-info", track["needs_info"]),
                ("track-approved", track["approved"]), ("pay", self.pay), ("verify", "/verify"),
                ("verify-license", f"/verify/{self.license}"), ("vocabulary", "/ns/rights/1.0"), ("sign-in", "/login"),
                ("not-found", "/no-such-page"),
            ],
            "staff": [
                ("queue", "/staff/requests"), ("queue-all", "/staff/requests?status=all"),
                ("request", f"/staff/requests/{self.submitted['reference']}"),
                ("request-approved", f"/staff/requests/{self.approved['reference']}"),
                ("reasons", "/staff/reasons"), ("tokens", "/staff/tokens"), ("outbox", "/staff/outbox"),
            ],
            "finance": [
                ("invoices", "/finance/invoices?tab=all"), ("invoice", f"/finance/invoices/{self.invoice}"),
                ("ageing", "/finance/reports/ageing"), ("revenue", "/finance/reports/revenue"),
                ("revenue-medium", "/finance/reports/revenue/by-medium"),
                ("revenue-territory", "/finance/reports/revenue/by-territory"),
                ("exports", "/finance/exports"), ("reconciliation", "/finance/reconciliation"),
                ("home", "/staff/"),  # finance land on the invoices needing attention
            ],
            "admin": [("users", "/admin/users"), ("user", "/admin/users/1"), ("tax", "/admin/tax"),
                      ("rate-card", "/admin/rate-card"),
                      ("home", "/staff/")],  # the demo admin also reviews and bills: the union of their pages
        }


def sign_in_as(page: Page, role: str) -> None:
    if role == "publisher":
        return
    if role == "staff":
        sign_in(page)
        return
    email, password = FINANCE if role == "finance" else ADMIN
    page.goto("/login")
    label(page, "E-mail").fill(email)
    label(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(r"^Sign out \("))).to_be_visible()


@pytest.fixture(scope="module")
def scene(servers, browser) -> Scene:  # noqa: ANN001
    server = servers.get("development")
    group = unique("Heron")
    made = Scene(submitted=submit_by_api(server.url, f"{group} Weekly"),
                 needs_info=submit_by_api(server.url, f"{group} Daily", medium="print", audience=8000),
                 approved=submit_by_api(server.url, f"{group} Gazette", territory=["GB", "IE", "FR"]))
    context = browser.new_context(base_url=server.url, locale="en-GB", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/?q=turkey+lasting+defeat")
        made.article = page.get_by_role("link", name=EXAMPLE_TITLE).get_attribute("href")
        sign_in(page, *ADMIN, lands_on=ADMIN_LANDING)
        page.goto(f"/staff/requests/{made.needs_info['reference']}")
        page.locator("summary", has_text="Ask the publisher for information").click()
        label(page, "What do you need to know?").fill("Which page of your site will carry it?")
        page.get_by_role("button", name="Send question").click()
        expect(page.locator("h1 .status")).to_have_text("Needs information")
        approve_in_queue(page, made.approved["reference"])
        documents = page.locator("#staff-documents").inner_text()
        made.invoice = re.search(r"INV-\d{4}-\d{5}", documents).group(0)
        made.license = re.search(r"LIC-\d{4}-\d{5}", documents).group(0)
        page.goto(made.approved["tracking_url"])
        made.pay = page.get_by_role("link", name=f"Pay invoice {made.invoice}").get_attribute("href")
        made.pay = re.sub(r"^https?://[^/]+", "", made.pay)
    finally:
        context.close()
    return made


# ------------------------------------------------------------------------ the checks can fail

def test_axe_and_the_focus_check_find_what_is_wrong_on_an_inaccessible_page(browser) -> None:  # noqa: ANN001
    page = browser.new_page()
    try:
        page.set_content(INACCESSIBLE)
        found = {v["id"] for v in axe_violations(page)}
        assert {"image-alt", "label", "color-contrast", "button-name", "html-has-lang"} <= found, found
        with pytest.raises(AccessibilityViolations) as raised:
            assert_accessible(page, "the broken page")
        message = str(raised.value)
        assert "on the broken page" in message and "image-alt (critical)" in message and "input" in message
        # the count "7": axe-core itself only lists it for review
        assert "(short text)" in message and "1.91:1 (#bbbbbb on #ffffff" in message
        weak = weak_focus_rings(page, presses=2)
        assert [ring.element for ring in weak] == ['a "a link"'], weak  # the input keeps Chromium's own ring
        assert 1.7 < weak[0].ratio < 1.9, weak  # amber on white: about 1.8:1
    finally:
        page.close()


# ------------------------------------------------------------------------ the pages

def test_main_pages_of_each_role_have_no_axe_violations_and_a_visible_focus_ring(new_page, scene) -> None:  # noqa: ANN001
    problems: list[str] = []
    for role, pages in scene.pages().items():
        page = new_page(**WIDE)
        sign_in_as(page, role)
        for name, path in pages:
            page.goto(path)
            try:
                assert_accessible(page, f"{role}: {name} ({path})")
            except AccessibilityViolations as exc:
                problems.append(str(exc))
            weak = weak_focus_rings(page, presses=4)
            if weak:
                problems.append(f"weak focus rings on {role}: {name} ({path}):\n" + "\n".join(f"    {r}" for r in weak))
    # The publisher's form sent empty: the page with every error message.
    page = new_page(**WIDE)
    page.goto("/republish")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#error-summary")).to_be_visible()
    try:
        assert_accessible(page, "publisher: republish with errors")
    except AccessibilityViolations as exc:
        problems.append(str(exc))
    assert not problems, "\n\n".join(problems)


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:  # noqa: ANN001
    folder = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_no_page_scrolls_sideways_on_a_phone_or_a_desktop(new_page, scene, screenshot_dir) -> None:  # noqa: ANN001
    overflowing: list[str] = []
    taken = 0
    for width_name, options in (("phone", PHONE), ("desktop", WIDE)):
        for role, pages in scene.pages().items():
            page = new_page(**options)
            sign_in_as(page, role)
            for name, path in pages:
                page.goto(path)
                page.screenshot(path=screenshot_dir / f"{width_name}-{role}-{name}.png", full_page=True)
                taken += 1
                measured = page.evaluate(OVERFLOW)
                if width_name == "desktop" and measured["hidden"]:  # a phone may scroll a table in its box
                    overflowing.append(f"desktop {role}: {name} ({path}) hides table columns: {measured['hidden']}")
                if measured["scrollWidth"] > measured["clientWidth"]:
                    overflowing.append(f"{width_name} {role}: {name} ({path}) is {measured['scrollWidth']} px wide "
                                       f"in {measured['clientWidth']} px; sticking out: {measured['culprits']}")
    assert taken == 2 * sum(len(p) for p in scene.pages().values())
    assert not overflowing, "\n".join(overflowing) + f"\n(screenshots in {screenshot_dir})"


def test_the_watch_on_every_visited_page_fails_a_test_that_visits_an_inaccessible_page(browser) -> None:  # noqa: ANN001
    """The broken counterpart of the axe check that every browser test's pages get (AxeWatch in the
    page fixtures): a page loaded and then acted on is checked, and its violation is reported."""
    watch = AxeWatch()
    context = browser.new_context()
    try:
        page = watch.watch(context.new_page())
        page.set_content('<html lang="en"><head><title>Broken</title></head><body><main>'
                         '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                         '<button id="go">Go</button></main></body></html>')
        watch.settle(page)
        page.set_content('<html lang="en"><head><title>Fine</title></head><body><main><p>Fine.</p></main></body></html>')
        watch.settle_all()
    finally:
        context.close()
    assert watch.checked == 2
    assert len(watch.found) == 1 and "image-alt" in watch.found[0], watch.found


def test_the_watch_leaves_out_the_browsers_own_page_for_a_failed_load(browser) -> None:  # noqa: ANN001
    """A test that cuts the network on purpose (the lost 3-D Secure return) leaves Chromium on its
    error page, whose viewport forbids zooming: that page is the browser's, not the desk's."""
    watch = AxeWatch()
    context = browser.new_context()
    try:
        page = watch.watch(context.new_page())
        page.route("**/*", lambda route: route.abort("internetdisconnected"))
        with contextlib.suppress(PlaywrightError):
            page.goto("http://127.0.0.1:9/lost")
        page.wait_for_url(re.compile(r"^chrome-error://"))
        watch.settle_all()
    finally:
        context.close()
    assert watch.checked == 0 and not watch.found, watch.found
