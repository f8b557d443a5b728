"""After the license (issue 17), in a real browser against the real app: a licensee whose license is
paid goes from the tracking page to the republication package, pastes its HTML into a page of their
own site (here a page served by this test on localhost), a reader loads that page, and the view is
counted on the licensee's usage page, under the referring site's domain."""
from __future__ import annotations

import http.server
import re
import socket
import threading

import pytest
from playwright.sync_api import Page, expect

from .steps import (
    DESKTOP,
    approve_in_queue,
    reload_until,
    sign_in,
    submit_by_api,
    unique,
)

pytestmark = pytest.mark.e2e

# A reader's ordinary browser: headless Chromium names itself "HeadlessChrome", which the pixel
# rightly counts as a bot.
READER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def choose_card(page: Page, name: str) -> None:
    page.get_by_role("radio", name=re.compile(name)).check()
    page.get_by_role("button", name=re.compile(r"^Pay £")).click()


class _Site(http.server.BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *_args) -> None:  # quiet
        return


def serve_page(html: str) -> tuple[http.server.HTTPServer, str]:
    """The licensee's own page, on localhost (a host name, so the referrer has a domain to count)."""
    handler = type("Site", (_Site,), {"page": html.encode()})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = http.server.HTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://localhost:{port}/world/republished-story"


def test_from_the_tracking_page_to_a_counted_view(new_page, live_server) -> None:  # noqa: ANN001
    organisation = unique("Ripon Gazette")
    made = submit_by_api(live_server.url, organisation)
    staff = new_page(viewport=DESKTOP)
    sign_in(staff)
    approve_in_queue(staff, made["reference"])

    # The licensee pays on the tracking page, as in the payment journey.
    licensee = new_page(viewport=DESKTOP)
    licensee.goto(made["tracking_url"])
    licensee.get_by_role("link", name=re.compile(r"^Pay invoice INV-")).click()
    choose_card(licensee, "succeeds")
    expect(licensee.locator("#payment-status")).to_have_attribute("data-status", "paid", timeout=20_000)

    # From the tracking page to the package.
    licensee.goto(made["tracking_url"])
    expect(licensee.locator("#license-status")).to_have_text("Active")
    licensee.get_by_role("link", name="Get the republication package").click()
    expect(licensee.get_by_role("heading", level=1)).to_have_text("Republication package")
    number = licensee.locator("#package-license").inner_text()
    assert re.fullmatch(r"LIC-\d{4}-\d{5}", number), number
    code = licensee.locator("#package-code").input_value()
    assert "Originally published by" in code and f"Republished under license {number}" in code
    assert "<script" not in code.lower()
    pixel = re.search(r'<img src="([^"]+/p/[^"]+\.gif)"', code).group(1)
    assert pixel.startswith(live_server.url), pixel
    licensee.screenshot(path="/tmp/e2e-package.png", full_page=True)

    # The licensee's page, with the package pasted in, loaded by a reader.
    site, page_url = serve_page(f"<!doctype html><html lang='en'><head><title>Republished</title></head>"
                                f"<body><h1>World</h1>{code}</body></html>")
    try:
        reader = new_page(viewport=DESKTOP, user_agent=READER_UA)
        with reader.expect_response(lambda r: "/p/" in r.url) as hit:
            reader.goto(page_url)
        assert hit.value.status == 200 and hit.value.headers["content-type"] == "image/gif"
        expect(reader.get_by_text(f"Republished under license {number}")).to_be_visible()
    finally:
        site.shutdown()

    # The view is counted (folded into the database within seconds) on the usage page.
    licensee.goto(made["tracking_url"])
    licensee.get_by_role("link", name="Views of your copy").click()
    reload_until(licensee, lambda: licensee.locator("#total-views").inner_text() == "1", timeout=40,
                 what="counting the view")
    expect(licensee.locator("#views-by-domain")).to_contain_text("localhost")
    expect(licensee.locator("#bot-views")).to_have_text("0")
    expect(licensee.locator("figure.chart svg")).to_be_visible()
    licensee.screenshot(path="/tmp/e2e-usage.png", full_page=True)
