"""Who gets the PDFs (publisher by tracking link, staff and finance), the "being prepared" state,
the license on the tracking page and in the API, public verification (page, JSON-LD, API, rate
limit) and the admins' tax table."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from tests.conftest import EXAMPLE_URL
from tests.documents_helpers import (
    approve,
    docdate,
    document_of,
    embedded_jsonld,
    invoice_of,
    license_of,
    no_rendering,
)
from tests.functional.conftest import parse
from tests.staff_fixtures import add_user, bearer, execute, login, submit
from tests.validators import odrl

TITLE = "US, Turkey to work closely to deal IS 'lasting defeat': US defence secretary"
EMAIL = "jo@leeds-post.example"


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "reviewer@desk.test", "Rae Reviewer", ["staff"])


@pytest.fixture
def approved(seeded, staff):
    """One approved request with both PDFs rendered, and a second request of someone else."""
    made = submit(seeded)
    other = submit(seeded, organisation="Other Paper", email="ed@other.example")
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    return made, other, lic


def _path(url: str) -> str:
    return urlsplit(url).path


def test_the_publisher_downloads_both_pdfs_from_the_tracking_page(seeded, client, approved):
    made, _other, lic = approved
    page = client.get(f"/track/{made.token}")
    assert page.status_code == 200
    documents = parse(page.data).by_id("documents")  # among the key facts at the top
    links = {a.text: a.attrs["href"] for a in documents.find_all("a")}
    assert links == {
        f"Licence agreement {lic.number} (PDF)": f"/track/{made.token}/documents/{lic.number}.pdf",
        f"Invoice {lic.invoice_number} (PDF)": f"/track/{made.token}/documents/{lic.invoice_number}.pdf",
    }
    for number in (lic.number, lic.invoice_number):
        response = client.get(f"/track/{made.token}/documents/{number}.pdf")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == f'attachment; filename="{number}.pdf"'
        assert response.data.startswith(b"%PDF-")
        stored = document_of(seeded, number)
        assert response.data == stored.pdf
        assert response.headers["X-Content-SHA256"] == stored.sha256 == hashlib.sha256(response.data).hexdigest()
    assert lic.number.startswith(f"LIC-{date.today().year}-") and len(lic.number) == len("LIC-2026-00001")


def test_the_tracking_page_shows_the_license_panel_with_status_and_pay_link(seeded, client, approved):
    from invoices.billing.services import payment_token

    made, _other, lic = approved
    page = parse(client.get(f"/track/{made.token}").data)
    panel = page.by_id("license-panel")
    assert f"Your licence {lic.number}" in panel.text
    assert panel.by_id("license-status").text == "Pending payment"
    assert f"It takes effect once invoice {lic.invoice_number} is paid." in panel.text
    pay = page.by_id("key-facts").find("a", cls="button")  # the pay button is among the key facts at the top
    assert pay.text == f"Pay invoice {lic.invoice_number}"
    base = seeded.config["SETTINGS"].public_base_url.rstrip("/")
    assert pay.attrs["href"] == \
        f"{base}/pay/{lic.invoice_number}/{payment_token(seeded.config['SECRET_KEY'], lic.invoice_number)}"
    verify = [a for a in panel.find_all("a") if a.attrs["href"].endswith(f"/verify/{lic.number}")]
    assert verify, panel.text


def test_other_tokens_and_wrong_numbers_get_404(seeded, client, approved):
    made, other, lic = approved
    for url in (
        f"/track/{other.token}/documents/{lic.number}.pdf",  # someone else's tracking link
        f"/track/{other.token}/documents/{lic.invoice_number}.pdf",
        f"/track/{made.token}/documents/LIC-2026-99999.pdf",  # a number that is not theirs
        f"/track/{made.token}/documents/{lic.number.replace('LIC', 'INV')[:-1]}9.pdf",
        f"/track/{made.token[:-2]}xx/documents/{lic.number}.pdf",  # a wrong token
        f"/track/nonsense/documents/{lic.number}.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not response.data.startswith(b"%PDF")
    # the other request has no license yet: its page offers none
    assert b"license-panel" not in client.get(f"/track/{other.token}").data


def test_staff_and_finance_download_and_others_do_not(seeded, approved):
    _made, _other, lic = approved
    finance = add_user(seeded, "finance@desk.test", "Fin Ance", ["finance"])
    staff_user = add_user(seeded, "staff2@desk.test", "Sta Ff", ["staff"])
    admin = add_user(seeded, "admin@desk.test", "Ad Min", ["admin"])
    urls = [f"/staff/documents/{lic.number}.pdf", f"/staff/documents/{lic.invoice_number}.pdf"]

    for user in (finance, staff_user):
        client = seeded.test_client()
        login(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.mimetype == "application/pdf"
            assert response.headers["Content-Disposition"].endswith(f'filename="{url.rsplit("/", 1)[1]}"')
        assert client.get("/staff/documents/LIC-2026-99999.pdf").status_code == 404

    anonymous = seeded.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert _path(response.headers["Location"]) == "/login"

    admin_client = seeded.test_client()
    login(admin_client, admin)
    for url in urls:
        assert admin_client.get(url).status_code == 403


def test_a_document_not_yet_rendered_is_being_prepared(seeded, client, staff, monkeypatch):
    no_rendering(monkeypatch)
    made = submit(seeded)
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    response = client.get(f"/track/{made.token}/documents/{lic.number}.pdf")
    assert response.status_code == 202
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    assert "being prepared" in parse(response.data).find("h1").text
    assert lic.number in response.get_data(as_text=True)

    finance = add_user(seeded, "finance@desk.test", "Fin Ance", ["finance"])
    login(client, finance)
    assert client.get(f"/staff/documents/{lic.invoice_number}.pdf").status_code == 202

    documents = parse(client.get(f"/track/{made.token}").data).by_id("documents")
    assert documents.find_all("a") == []
    assert f"Licence agreement {lic.number}: being prepared" in documents.text
    assert f"Invoice {lic.invoice_number}: being prepared" in documents.text

    body = client.get(f"/api/v1/requests/{made.reference}", headers=bearer(made.token)).get_json()
    assert (body["license"]["document_url"], body["invoice"]["document_url"]) == (None, None)
    assert body["license"]["number"] == lic.number


def test_a_stale_pending_document_is_rendered_on_the_next_download(seeded, client, staff, monkeypatch):
    with monkeypatch.context() as m:
        no_rendering(m)
        made = submit(seeded)
        approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    document = document_of(seeded, lic.invoice_number)
    # as if its job was lost ten minutes ago (the ORM may not touch a document's created_at)
    execute(seeded, "UPDATE documents SET created_at = :at WHERE id = :id",
            at=document.created_at - timedelta(minutes=10), id=document.id)
    assert client.get(f"/track/{made.token}/documents/{lic.invoice_number}.pdf").status_code == 202
    response = client.get(f"/track/{made.token}/documents/{lic.invoice_number}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")


def test_the_api_gives_license_and_invoice_numbers_and_document_urls(seeded, client, approved):
    from invoices.billing.services import payment_token

    made, other, lic = approved
    response = client.get(f"/api/v1/requests/{made.reference}", headers=bearer(made.token))
    assert response.status_code == 200
    body = response.get_json()
    base = seeded.config["SETTINGS"].public_base_url.rstrip("/")
    assert body["license"] == {
        "number": lic.number, "status": "pending_payment",
        "document_url": f"http://desk.test/track/{made.token}/documents/{lic.number}.pdf",
        "verify_url": f"http://desk.test/verify/{lic.number}",
    }
    assert body["invoice"] == {
        "number": lic.invoice_number,
        "document_url": f"http://desk.test/track/{made.token}/documents/{lic.invoice_number}.pdf",
        "xml_url": f"http://desk.test/track/{made.token}/documents/{lic.invoice_number}.xml",
        "pay_url": f"{base}/pay/{lic.invoice_number}/{payment_token(seeded.config['SECRET_KEY'], lic.invoice_number)}",
    }
    pdf = client.get(_path(body["invoice"]["document_url"]))
    assert pdf.status_code == 200 and pdf.data == document_of(seeded, lic.invoice_number).pdf
    assert body["credit_notes"] == []

    unapproved = client.get(f"/api/v1/requests/{other.reference}", headers=bearer(other.token)).get_json()
    assert (unapproved["license"], unapproved["invoice"]) == (None, None)
    assert client.get(f"/api/v1/requests/{made.reference}", headers=bearer(other.token)).status_code == 401


# --- public verification -------------------------------------------------------------------------

def _facts(html: bytes) -> dict[str, str]:
    facts = parse(html).find("dl", cls="facts")
    assert facts is not None
    return {dt.text: dd.text for dt, dd in zip(facts.find_all("dt"), facts.find_all("dd"), strict=False)}


def test_the_verify_form_redirects_to_the_number(client):
    response = client.get("/verify")
    assert response.status_code == 200
    form = parse(response.data).find("form")
    assert form.attrs["action"] == "/verify" and form.find("input", name="number") is not None
    response = client.get("/verify?number=%20lic-2026-00042%20")
    assert response.status_code == 302
    assert _path(response.headers["Location"]) == "/verify/LIC-2026-00042"
    for malformed in ("a/b", "LIC-2026-00042/x", "hello"):
        response = client.get("/verify", query_string={"number": malformed})
        assert response.status_code == 404, malformed
        assert f"{malformed.upper()} is not a licence number: they look like LIC-2026-00042." in \
            parse(response.data).text


def test_the_verification_page_shows_the_public_facts_only(seeded, client, approved):
    _made, _other, lic = approved
    response = client.get(f"/verify/{lic.number}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = parse(response.data)
    assert page.by_id("license-status").text == "Pending payment"
    assert "This licence is genuine but does not take effect until it is paid." in page.text
    start = lic.start_date
    assert _facts(response.data) == {
        "Licensee": "Leeds Evening Post Ltd",
        "Article": f"{TITLE} {EXAMPLE_URL}",
        "Use": "Website in Leeds Evening Post, English",
        "Territory": "France, United Kingdom",
        "Term": f"1 year: from {docdate(start)} to {docdate(lic.end_date)}",
        "Exclusive": "No",
        "Not licensed": "Photograph: AFP",
    }
    for secret in ("675", "£", EMAIL, "@", "Jo Bloggs", lic.invoice_number):
        assert secret not in page.text, secret
    assert EMAIL not in html and "675.00" not in html
    assert client.get(f"/verify/{lic.number.lower()}").status_code == 200


def test_the_verification_page_follows_the_status(seeded, client, approved):
    from licensing.core.db import new_session, utcnow
    from licensing.licenses.models import License

    _made, _other, lic = approved
    with seeded.app_context(), new_session() as s:
        row = s.get(License, lic.id)
        row.status, row.activated_at = "active", utcnow()
        s.commit()
    page = parse(client.get(f"/verify/{lic.number}").data)
    assert page.by_id("license-status").text == "Active"
    assert "This licence is genuine and in force." in page.text


def test_an_unknown_number_says_so_and_a_malformed_one_says_what_numbers_look_like(client, seeded):
    response = client.get("/verify/LIC-2026-09999")
    assert response.status_code == 404
    text = parse(response.data).text
    assert "No such licence" in text
    assert "There is no licence with the number LIC-2026-09999" in text

    response = client.get("/verify/hello-world")
    assert response.status_code == 404
    text = parse(response.data).text
    assert "HELLO-WORLD is not a licence number: they look like LIC-2026-00042." in text
    for bad in ("INV-2026-00001", "LIC-26-1", "%3Cscript%3E"):
        body = client.get(f"/verify/{bad}").get_data(as_text=True)
        assert "they look like LIC-2026-00042" in body and "<script>" not in body


def test_the_license_as_rightsml_jsonld_public_copy(client, approved):
    _made, _other, lic = approved
    response = client.get(f"/licenses/{lic.number}.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    doc = response.get_json(force=True)
    assert odrl.problems(doc) == []  # the independent ODRL 2.2 / RightsML checks, on a license issued by the app
    assert doc["@type"] == "Agreement" and "http://www.w3.org/ns/odrl.jsonld" in doc["@context"]
    assert doc["profile"] == "https://iptc.org/std/RightsML/odrl-profile/"
    assert doc["dct:identifier"] == lic.number
    assert doc["permission"][0]["target"] == EXAMPLE_URL
    assert doc["permission"][0]["action"] == "distribute"
    assert [(p["target"]["dct:title"], p["target"]["desk:exclusion"]) for p in doc["prohibition"]] == \
        [("Photograph: AFP", {"@id": "desk:thirdParty"})]
    text = response.get_data(as_text=True)
    assert EMAIL not in text and "mailto:" not in text  # no e-mail address
    assert "payAmount" not in text and "675" not in text  # no fee
    assert odrl.public_copy_problems(doc) == []
    missing = client.get("/licenses/LIC-2026-99999.jsonld")
    assert missing.status_code == 404 and missing.get_json() == {"error": "No license with this number."}
    assert client.get("/licenses/nonsense.jsonld").status_code == 404


def test_the_license_api_gives_public_fields_only(client, approved):
    _made, _other, lic = approved
    response = client.get(f"/api/v1/licenses/{lic.number}")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "number": lic.number, "status": "pending_payment", "status_label": "Pending payment",
        "licensee": "Leeds Evening Post Ltd",
        "article": {"title": TITLE, "url": EXAMPLE_URL},
        "use": {"medium": "website", "publication": "Leeds Evening Post", "language": "en",
                "territory": ["FR", "GB"]},
        "term": {"kind": "1_year", "start": lic.start_date.isoformat(), "end": lic.end_date.isoformat(),
                 "publish_by": None},
        "exclusive": False, "exclusions": ["Photograph: AFP"],
    }
    raw = response.get_data(as_text=True)
    assert EMAIL not in raw and "67500" not in raw and lic.invoice_number not in raw
    missing = client.get("/api/v1/licenses/LIC-2026-99999")
    assert missing.status_code == 404 and missing.get_json() == {"error": "No license with this number."}


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_verification_is_rate_limited(client):
    statuses = [client.get(f"/verify/LIC-2026-{i:05d}").status_code for i in range(1, 62)]
    assert statuses[:60] == [404] * 60
    assert statuses[60] == 429
    assert client.get("/verify/LIC-2026-00099").status_code == 429


# --- tax table -----------------------------------------------------------------------------------

def _rows(html: bytes) -> dict[str, list[str]]:
    table = parse(html).find("table", cls="list")
    return {tr.find_all("td")[0].text.split()[0]: [td.text for td in tr.find_all("td")]
            for tr in table.find("tbody").find_all("tr")}


def test_only_admins_edit_tax_rates(seeded):
    staff_user = add_user(seeded, "staff2@desk.test", "Sta Ff", ["staff"])
    finance = add_user(seeded, "finance@desk.test", "Fin Ance", ["finance"])
    assert _path(seeded.test_client().get("/admin/tax").headers["Location"]) == "/login"
    for user in (staff_user, finance):
        client = seeded.test_client()
        login(client, user)
        assert client.get("/admin/tax").status_code == 403
        assert client.post("/admin/tax", data={"country": "GB", "name": "UK VAT", "rate": "0"}).status_code == 403


@pytest.mark.parametrize(("form", "messages"), [
    ({"country": "ZZ", "name": "Nowhere VAT", "rate": "20"}, ["Country: choose an ISO 3166 country code, e.g. FR."]),
    ({"country": "", "name": "", "rate": ""}, [
        "Country: choose an ISO 3166 country code, e.g. FR.",
        "Name: give the tax a name of at most 60 characters, e.g. French VAT.",
        "Rate: enter a percentage from 0 to 100 with at most two decimals, e.g. 20 or 5.5."]),
    ({"country": "FR", "name": "x" * 61, "rate": "20"},
     ["Name: give the tax a name of at most 60 characters, e.g. French VAT."]),
    ({"country": "FR", "name": "French VAT", "rate": "100.01"},
     ["Rate: enter a percentage from 0 to 100 with at most two decimals, e.g. 20 or 5.5."]),
    ({"country": "FR", "name": "French VAT", "rate": "-5"},
     ["Rate: enter a percentage from 0 to 100 with at most two decimals, e.g. 20 or 5.5."]),
    ({"country": "FR", "name": "French VAT", "rate": "5.555"},
     ["Rate: enter a percentage from 0 to 100 with at most two decimals, e.g. 20 or 5.5."]),
    ({"country": "FR", "name": "French VAT", "rate": "twenty"},
     ["Rate: enter a percentage from 0 to 100 with at most two decimals, e.g. 20 or 5.5."]),
])
def test_tax_form_validation(seeded, form, messages):
    admin = add_user(seeded, "admin@desk.test", "Ad Min", ["admin"])
    client = seeded.test_client()
    login(client, admin)
    response = client.post("/admin/tax", data=form)
    assert response.status_code == 422
    summary = parse(response.data).find("div", cls="error-summary")
    assert [li.text for li in summary.find_all("li")] == messages
    page = parse(response.data)
    assert page.find("input", id="name").attrs["value"] == form["name"]  # what was typed is kept
    assert _rows(response.data)["FR"][1:4] == ["French VAT", "20%", "yes"]  # nothing saved
    assert _rows(response.data)["FR"][4] == "built-in"


def test_an_edited_and_an_added_rate_are_used_by_the_next_invoices(seeded, staff, monkeypatch):
    admin = add_user(seeded, "admin@desk.test", "Ad Min", ["admin"])
    client = seeded.test_client()
    login(client, admin)
    no_rendering(monkeypatch)
    before = submit(seeded, organisation="Before Ltd")
    approve(seeded, before.reference, staff)

    response = client.post("/admin/tax", data={"country": "gb", "name": "UK VAT", "rate": "17.5"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Saved the tax of United Kingdom: UK VAT 17.5%." in page.get_data(as_text=True)
    assert _rows(page.data)["GB"][1:] == ["UK VAT", "17.5%", "no", "edited"]

    response = client.post("/admin/tax", data={"country": "NO", "name": "Norwegian VAT", "rate": "25", "eu": "y"})
    assert response.status_code == 302
    assert _rows(client.get("/admin/tax").data)["NO"][1:] == ["Norwegian VAT", "25%", "yes", "edited"]

    gb = submit(seeded, organisation="After Ltd", country="GB", vat_id="")
    norway = submit(seeded, organisation="Oslo Avis AS", country="NO", vat_id="NO123456789MVA")
    approve(seeded, gb.reference, staff)
    approve(seeded, norway.reference, staff)

    [old_line] = invoice_of(seeded, license_of(seeded, before.reference).invoice_number).lines
    assert (old_line.tax_label, old_line.tax_rate_bp, old_line.tax_amount) == ("UK VAT 20%", 2000, 13500)
    gb_invoice = invoice_of(seeded, license_of(seeded, gb.reference).invoice_number)
    [line] = gb_invoice.lines
    assert (line.tax_rule, line.tax_label, line.tax_rate_bp, line.tax_amount) == (
        "domestic_vat", "UK VAT 17.5%", 1750, 11813)  # 118.125 rounds half up
    assert gb_invoice.total == 67500 + 11813
    [no_line] = invoice_of(seeded, license_of(seeded, norway.reference).invoice_number).lines
    # marked EU by the admins, but python-stdnum checks no Norwegian ids: an unchecked id never takes
    # the VAT off (reverse charge), so a UK seller's sale to Norway is outside the scope
    assert (no_line.tax_rule, no_line.vat_category, no_line.tax_rate_bp, no_line.tax_amount) == (
        "outside_scope", "O", 0, 0)


def test_the_full_copy_fails_the_public_copy_check(client, approved):
    """The broken counterpart: the PDF's full copy (fee and e-mails) must fail the check the public one passes."""
    _made, _other, lic = approved
    full = embedded_jsonld(document_of(client.application, lic.number).pdf, lic.number)
    assert odrl.problems(full) == []
    found = odrl.public_copy_problems(full)
    assert "a fee (odrl:payAmount)" in found
    assert any(p.startswith("an e-mail address") for p in found)
