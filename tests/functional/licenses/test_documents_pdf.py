"""The license and invoice PDFs, read back with pypdf: what they say, their form, the RightsML
attachment, determinism, and safety against untrusted text (the payloads of PDF.md)."""
from __future__ import annotations

import hashlib
import http.server
import io
import json
import socket
import threading
from datetime import date, timedelta
from pathlib import Path

import pikepdf
import pytest

from licensing.core.forms import FieldError
from tests.conftest import EXAMPLE_URL
from tests.documents_helpers import (
    approve,
    docdate,
    document_of,
    embedded_files,
    embedded_jsonld,
    license_of,
    pdf_reader,
    pdf_text,
    squashed,
)
from tests.staff_fixtures import add_user, submit
from tests.validators import odrl

TITLE = "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"
LICENSEE = "Zeitung für Çelik & Søn"
A4 = (595.28, 841.89)  # points


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "reviewer@desk.test", "Rae Reviewer", ["staff"])


def _base(app) -> str:  # noqa: ANN001
    return app.config["SETTINGS"].public_base_url.rstrip("/")


@pytest.fixture
def issued(seeded, staff):
    """A German business with a VAT id and a non-ASCII name, approved: (app, license, license PDF, invoice PDF)."""
    made = submit(seeded, organisation=LICENSEE, contact_name="Øyvind Müller-Łukasz", country="DE",
                  vat_id="DE136695976")
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    license_doc, invoice_doc = document_of(seeded, lic.number), document_of(seeded, lic.invoice_number)
    assert (license_doc.status, invoice_doc.status) == ("ready", "ready"), (license_doc.last_error,
                                                                          invoice_doc.last_error)
    return seeded, lic, license_doc.pdf, invoice_doc.pdf


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in pdf_reader(data).pages]


def test_the_license_says_what_a_license_agreement_must(issued):
    app, lic, pdf, _ = issued
    text = pdf_text(pdf)
    start = date.today() + timedelta(days=7)
    end = start.replace(year=start.year + 1) - timedelta(days=1)
    for expected in (
        f"Licence number {lic.number}",  # the seller's English (en-GB by default)
        "standard terms version 1",
        "Middle East Eye Ltd",  # licensor
        "VAT number GB123456789",
        LICENSEE, "Øyvind Müller-Łukasz", "jo@leeds-post.example", "Germany",
        TITLE,
        "Published 21 October 2016",
        "Medium Website",
        "Publication Leeds Evening Post",
        "Territory France, United Kingdom",
        "Language English",
        "Audience up to 25,000",
        f"Term 1 year, from {docdate(start)} to {docdate(end)}.",
        "the article may be displayed or re-run for one year from the start, then removed",  # what it allows
        "Exclusivity Not exclusive",
        f"Fee £675.00 plus any tax, invoice {lic.invoice_number}",
        "Excluded material",
        "Photograph: AFP – not licensable (third party)",  # said once, with its reason
        "By MEE and agencies, Middle East Eye Ltd. Republished under licence.",
        "no resale",
        f"accepts this agreement by paying invoice {lic.invoice_number}",
        "governed by the law of England and Wales",
        "the courts of England and Wales have exclusive jurisdiction",
        "The licence takes effect only once it is paid in full",
    ):
        assert expected in text, f"{expected!r} missing from the license:\n{text}"
    assert squashed(f"{_base(app)}/verify/{lic.number}") in squashed(text)
    assert squashed(f"{_base(app)}/terms/1") in squashed(text)
    assert "Photo: Photograph" not in text
    assert squashed(EXAMPLE_URL) in squashed(text)


def test_the_license_form_a4_header_footer_and_page_numbers(issued):
    _app, lic, pdf, _ = issued
    reader = pdf_reader(pdf)
    pages = len(reader.pages)
    assert pages >= 2
    assert _page_sizes(pdf) == [A4] * pages
    for i, page in enumerate(reader.pages, start=1):
        page_text = " ".join(page.extract_text().split())
        assert f"Page {i} of {pages}" in page_text
        assert f"Middle East Eye Ltd · Licence agreement {lic.number}" in page_text  # running header
        assert "Issued with Syndication Desk" in page_text  # the software only in the small print
        assert "SD Syndication" not in page_text  # not its logo
    assert not any(f"Page {pages + 1} of" in p.extract_text() for p in reader.pages)


def test_the_license_embeds_its_full_rightsml_copy_and_nothing_else(issued):
    app, lic, pdf, invoice_pdf = issued
    doc = embedded_jsonld(pdf, lic.number)
    assert odrl.problems(doc) == []  # the independent ODRL 2.2 / RightsML checks
    assert (doc["@type"], doc["profile"]) == ("Agreement", "https://iptc.org/std/RightsML/odrl-profile/")
    assert doc["uid"] == f"{_base(app)}/licenses/{lic.number}.jsonld"
    assert doc["dct:identifier"] == lic.number
    assert doc["assignee"]["vcard:fn"] == LICENSEE
    assert doc["desk:standardTerms"] == {"@id": f"{_base(app)}/terms/1"}
    article_rule = doc["permission"][0]
    assert (article_rule["target"], article_rule["action"]) == (EXAMPLE_URL, "distribute")
    limits = {c["leftOperand"]: c for c in article_rule["constraint"]}
    spatial = json.dumps(limits["spatial"]["rightOperand"])
    assert "FR" in spatial and "GB" in spatial and "DE" not in spatial
    dates = [(c["operator"], c["rightOperand"]["@value"]) for c in article_rule["constraint"]
             if c["leftOperand"] == "dateTime"]
    assert dates == [("gteq", lic.start_date.isoformat()), ("lteq", lic.end_date.isoformat())]
    [pay] = [d for d in article_rule["duty"] if d["uid"].endswith("#payment")][0]["action"][0]["refinement"]
    assert (pay["rightOperand"]["@value"], pay["unit"]) == ("675.00", "http://cvx.iptc.org/iso4217a/GBP")
    assert jo_email_in(doc)  # the full copy names the licensee's address
    assert [p["target"]["dct:title"] for p in doc["prohibition"]] == ["Photograph: AFP"]
    assert list(embedded_files(invoice_pdf)) == ["factur-x.xml"]  # the invoice's own: its EN 16931 XML


def jo_email_in(doc: dict) -> bool:
    return "jo@leeds-post.example" in json.dumps(doc)


def test_the_license_is_pdf_a3_with_the_jsonld_as_associated_file(issued):
    _app, lic, pdf, _ = issued
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        [spec] = list(opened.Root.AF)  # once (WeasyPrint alone lists it twice)
        assert (str(spec.AFRelationship), str(spec.F)) == ("/Data", f"{lic.number}.jsonld")
        assert str(spec.EF.F.Subtype) == "/application/ld+json"  # named, not guessed by the machine
        assert json.loads(spec.EF.F.read_bytes()) == embedded_jsonld(pdf, lic.number)
        intents = opened.Root.OutputIntents
        assert str(intents[0].S) == "/GTS_PDFA1"
        xmp = opened.open_metadata()
        assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("3", "B")
        assert xmp.get("dc:title") == f"Licence agreement {lic.number}"
        assert xmp.get("dc:creator") == ["Middle East Eye Ltd"]  # the licensor
        assert "Republishing licence for" in xmp.get("dc:description")
        info = opened.docinfo
        assert str(info.Author) == "Middle East Eye Ltd"
        issued_on = lic.issued_at.strftime("%Y%m%d")
        assert str(info.CreationDate).startswith(f"D:{issued_on}")  # from the license, not the clock
        assert str(opened.Root.Lang) in ("en-GB", "(en-GB)")


def test_the_invoice_says_what_an_invoice_must(issued):
    from invoices.billing.services import payment_token
    from licensing.core.db import utcnow

    app, lic, _, pdf = issued
    text = pdf_text(pdf)
    today = utcnow().date()
    number = lic.invoice_number
    for expected in (
        f"Invoice {number}",
        f"Issue date (tax point) {docdate(today)}",
        f"Due date {docdate(today + timedelta(days=14))} (14 days)",
        f"License {lic.number}",
        "Currency GBP",
        "Middle East Eye Ltd Example House 1 Example Street London EC1A 1AA United Kingdom",
        "Company number 01234567 Private company limited by shares; Registered in England and Wales, Example "
        "House, 1 Example Street, London EC1A 1AA VAT number GB123456789",
        LICENSEE, "Øyvind Müller-Łukasz", "Germany", "VAT number DE136695976",
        "Republishing licence for “US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary” "
        f"in Leeds Evening Post (Website, 1 year) · term {docdate(lic.start_date)} to {docdate(lic.end_date)}",
        "1 £675.00 £675.00 AE · Reverse charge 0%",
        "VAT breakdown Rate Taxable amount VAT Exemption reason AE 0% £675.00 £0.00 Reverse charge",
        "Net total £675.00 VAT £0.00 Total due (GBP) £675.00",
        "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC).",
        "Bank transfer: IBAN GB33BUKB20201555555555, BIC BUKBGB22.",
        f"Please quote {number} as the reference",
        f"Middle East Eye Ltd · Invoice {number}",
        "Page 1 of 1",
    ):
        assert expected in text, f"{expected!r} missing from the invoice:\n{text}"
    pay = f"{_base(app)}/pay/{number}/{payment_token(app.config['SECRET_KEY'], number)}"
    assert squashed(pay) in squashed(text)
    assert _page_sizes(pdf) == [A4]


def test_a_domestic_invoice_charges_uk_vat_without_a_reverse_charge_note(seeded, staff):
    made = submit(seeded, organisation="Leeds Evening Post Ltd", country="GB", vat_id="GB980780684")
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    text = pdf_text(document_of(seeded, lic.invoice_number).pdf)
    for expected in ("1 £675.00 £675.00 S · Standard rate 20%", "S 20% £675.00 £135.00",
                     "Net total £675.00 VAT £135.00 Total due (GBP) £810.00", "VAT number GB980780684"):
        assert expected in text, f"{expected!r} missing:\n{text}"
    assert "Reverse charge" not in text and "Outside the scope" not in text


def test_rendering_is_deterministic_and_matches_the_stored_hash(issued):
    from licensing.core.documents import render_bytes

    app, lic, license_pdf, invoice_pdf = issued
    for number, stored in ((lic.number, license_pdf), (lic.invoice_number, invoice_pdf)):
        document = document_of(app, number)
        with app.app_context():
            first, second = render_bytes(document), render_bytes(document)
        assert first == second == stored
        assert hashlib.sha256(first).hexdigest() == document.sha256


def test_documents_issued_with_an_earlier_layout_version_still_verify(seeded, staff, monkeypatch):
    """Each document is re-rendered with the layout version it was issued with (its stored template
    and the stylesheet beside it), so a new version never changes an issued document."""
    import licensing.core.documents
    from licensing.core.documents import TEMPLATES, render_bytes, stylesheet_for

    version_1 = {kind: path.replace("pdf/v2/", "pdf/").replace("pdf/v3/", "pdf/") for kind, path in TEMPLATES.items()}
    with monkeypatch.context() as m:  # as issued before version 2 existed
        m.setattr(licensing.core.documents, "TEMPLATES", version_1)
        old = submit(seeded, organisation="Old Layout Ltd")
        approve(seeded, old.reference, staff)
    new = submit(seeded, organisation="New Layout Ltd")
    approve(seeded, new.reference, staff)

    old_invoice = document_of(seeded, license_of(seeded, old.reference).invoice_number)
    new_invoice = document_of(seeded, license_of(seeded, new.reference).invoice_number)
    assert (old_invoice.template, new_invoice.template) == ("pdf/invoice.html", "pdf/v3/invoice.html")
    assert (stylesheet_for(old_invoice.template), stylesheet_for(new_invoice.template)) == \
        ("pdf/document.css", "pdf/v3/document.css")
    assert "Old Layout Ltd" in pdf_text(old_invoice.pdf) and "New Layout Ltd" in pdf_text(new_invoice.pdf)

    result = seeded.test_cli_runner().invoke(args=["documents", "verify"])
    assert result.exit_code == 0, result.output
    assert "Every issued document re-renders identically." in result.output
    with seeded.app_context():
        assert render_bytes(old_invoice) == old_invoice.pdf
        old_invoice.template = new_invoice.template  # (detached: nothing is written)
        assert render_bytes(old_invoice) != old_invoice.pdf  # the versions really differ


@pytest.mark.parametrize("fee, shown", [(67500, "£675.00"), (999_999, "£9,999.99"), (9_999_999, "£99,999.99"),
                                         (99_999_999, "£999,999.99"), (1_234_567_890_12, "£1,234,567,890.12")])
def test_every_amount_fits_its_column_on_one_line(seeded, staff, fee, shown):
    """The invoice's table has a fixed layout with amount columns as wide as the longest amount (and
    the automatic one for amounts so long that the description would be squeezed): nothing overflows."""
    made = submit(seeded, organisation="Big Spender Ltd", country="US", vat_id="")
    approve(seeded, made.reference, staff, fee_override=fee, override_reason="A deal of its own")
    document = document_of(seeded, license_of(seeded, made.reference).invoice_number)
    text = pdf_text(document.pdf)
    assert f"1 {shown} {shown} O · Outside scope" in text, text
    assert f"Total due (GBP) {shown}" in text, text
    assert _overflowing_cells(seeded, document) == []


def _overflowing_cells(app, document) -> list[str]:  # noqa: ANN001
    """Texts of table cells that run past the right edge of their cell, in WeasyPrint's own layout."""
    from flask import render_template
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from licensing.core.documents import stylesheet_for
    from licensing.core.pdf import STATIC_ROOT, StaticOnlyFetcher, _stylesheet, font_config

    with app.test_request_context("/"):
        html = render_template(document.template, doc=document.context)
    fonts = font_config()
    rendered = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=StaticOnlyFetcher()).render(
        stylesheets=[_stylesheet(stylesheet_for(document.template), fonts)], font_config=fonts)
    found = []
    for page in rendered.pages:
        for cell in page._page_box.descendants():
            if isinstance(cell, boxes.TableCellBox):
                right = cell.content_box_x() + cell.width
                for text in cell.descendants():
                    if isinstance(text, boxes.TextBox) and text.position_x + text.width > right + 0.01:
                        found.append(text.text)
    return found


# --- untrusted text ---------------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802, ANN201
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *_args):  # noqa: ANN002, ANN201
        pass


@pytest.fixture(scope="module")
def listener():
    """A real HTTP server on a free local port that records every request it gets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Recorder.hits
    server.shutdown()
    server.server_close()


def test_the_listener_really_answers(listener):
    port, hits = listener
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.0 200")
    assert "/probe" in hits
    hits.remove("/probe")


PAYLOADS = {
    "link-attachment": '<link rel=attachment href="file:///etc/passwd">',
    "img-file": '<img src="file:///etc/hostname">',
    "img-http": '<img src="http://127.0.0.1:{port}/hit">',
    "style-import": "<style>@import url(http://127.0.0.1:{port}/css)</style>",
    "svg-image": '<svg><image href="file:///etc/passwd"/></svg>',
    "style-attribute": '<p style="background: url(http://127.0.0.1:{port}/style-attr)">x</p>',
}


def _secrets() -> list[str]:
    """Strings that would show the content of local files got into a PDF."""
    found = []
    for path in ("/etc/passwd", "/etc/hostname"):
        try:
            lines = [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]
        except OSError:
            continue
        found.extend(line for line in lines[:3] if len(line) >= 4)
    return found


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_injection_payloads_are_printed_literally_and_load_nothing(seeded, staff, listener, name):
    port, hits = listener
    payload = PAYLOADS[name].format(port=port)
    made = submit(seeded, organisation=payload, contact_name=payload, notes=payload,
                  publication=f"Publication {payload}")
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    assert lic.licensee_name == payload

    secrets = _secrets()
    assert secrets, "no local file content to look for"
    for number in (lic.number, lic.invoice_number):
        document = document_of(seeded, number)
        assert document.status == "ready", document.last_error
        files = embedded_files(document.pdf)
        assert list(files) == ([f"{lic.number}.jsonld"] if number == lic.number else ["factur-x.xml"])
        text = pdf_text(document.pdf)
        # narrow columns break long "words" after a slash: compare without whitespace
        assert squashed(text).count(squashed(payload)) >= 2, \
            f"{payload!r} not shown literally (licensee and contact):\n{text}"
        assert squashed(f"Publication {payload}") in squashed(text) or number != lic.number
        everything = text + "".join(c.decode("utf-8", "replace") for cs in files.values() for c in cs)
        for secret in secrets:
            assert secret not in everything
    jsonld = embedded_jsonld(document_of(seeded, lic.number).pdf, lic.number)
    assert jsonld["assignee"]["vcard:fn"] == payload  # as data, JSON-escaped, never fetched
    assert hits == [], f"the PDF renderer made requests: {hits}"


def test_the_static_only_fetcher(listener, tmp_path):
    from licensing.core.pdf import STATIC_ROOT, StaticOnlyFetcher

    port, hits = listener
    fetcher = StaticOnlyFetcher()
    logo = STATIC_ROOT / "img" / "logo.svg"
    served = fetcher.fetch(logo.as_uri())
    assert served.read() == logo.read_bytes()
    assert served.content_type == "image/svg+xml"
    css = fetcher.fetch(f"{STATIC_ROOT.as_uri()}/pdf/document.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    assert fetcher.blocked == []

    refused = [
        "file:///etc/passwd",
        "file:///etc/hostname",
        f"{STATIC_ROOT.as_uri()}/../../app.py",
        f"{STATIC_ROOT.as_uri()}/%2e%2e/%2e%2e/app.py",
        f"{STATIC_ROOT.as_uri()}/img/../../pdf.py",
        f"{STATIC_ROOT.as_uri()}/does-not-exist.css",
        f"{STATIC_ROOT.as_uri()}/img",  # a folder, not a file
        f"{STATIC_ROOT.as_uri()}-evil/x.css",  # a sibling whose name starts the same
        f"http://127.0.0.1:{port}/fetcher",
        f"https://127.0.0.1:{port}/fetcher",
        f"ftp://127.0.0.1:{port}/fetcher",
        "//127.0.0.1/no-scheme",
    ]
    for url in refused:
        with pytest.raises(ValueError, match="blocked URL"):
            fetcher.fetch(url)
    assert fetcher.blocked == [u[:200] for u in refused]
    assert hits == []

    # a symlink inside the allowed folder that points outside it is refused too
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p {}")
    (root / "escape.css").symlink_to("/etc/hostname")
    jailed = StaticOnlyFetcher(root=root.resolve())
    assert jailed.fetch((root / "ok.css").as_uri()).read() == b"p {}"
    with pytest.raises(ValueError, match="blocked URL"):
        jailed.fetch((root / "escape.css").as_uri())


@pytest.mark.parametrize("html", [
    '<img src="file:///etc/hostname">',
    '<link rel=attachment href="file:///etc/passwd">',
    "<style>@import url(http://127.0.0.1:{port}/direct)</style>",
])
def test_render_pdf_fails_when_the_html_tries_to_load_anything(listener, html):
    from licensing.core.pdf import RenderError, render_pdf

    port, hits = listener
    with pytest.raises(RenderError, match="blocked resource"):
        render_pdf(f"<p>hello</p>{html.format(port=port)}")
    assert hits == []


def test_render_pdf_of_plain_html_is_deterministic():
    from licensing.core.pdf import render_pdf

    first = render_pdf('<h1>Zeitung für Çelik & Søn</h1><img src="img/logo.svg">')
    assert first == render_pdf('<h1>Zeitung für Çelik & Søn</h1><img src="img/logo.svg">')
    assert "Zeitung für Çelik & Søn" in pdf_text(first)


def test_the_credit_line_staff_set_is_printed_and_in_the_rightsml(seeded, staff):
    made = submit(seeded)
    approve(seeded, made.reference, staff, credit_line="  Photo and text: Middle East Eye  (republished)  ")
    lic = license_of(seeded, made.reference)
    assert lic.credit_line == "Photo and text: Middle East Eye (republished)"
    pdf = document_of(seeded, lic.number).pdf
    assert "Photo and text: Middle East Eye (republished)" in pdf_text(pdf)
    credit = [d for d in embedded_jsonld(pdf, lic.number)["permission"][0]["duty"] if d["uid"].endswith("#credit")]
    assert credit[0]["action"][0]["refinement"][0]["rightOperand"] == "Photo and text: Middle East Eye (republished)"


def test_a_credit_line_too_long_is_refused_beside_the_field(seeded, staff):
    made = submit(seeded)
    with pytest.raises(FieldError) as refused:
        approve(seeded, made.reference, staff, credit_line="x" * 501)
    assert refused.value.field == "credit_line"
