"""E-invoicing through the app (issue 14): VAT ids checked at intake (form and API) and deciding
the tax, every invoice and credit note a Factur-X PDF/A-3b whose XML passes the Factur-X XSD and
the official EN 16931 schematron (each beside broken XML that must fail both), the XML downloads,
exact refund splits, and the licensee told about money that moves back."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.documents_helpers import document_of, license_of
from tests.finance_helpers import approved, finance_client, invoice
from tests.functional.conftest import api_body, form_values, parse, valid_form
from tests.staff_fixtures import PUBLISHER_EMAIL, add_user, bearer, mails, submit
from tests.validators.en16931 import schematron_failures, xsd_errors
from tests.validators.facturx_pdf import problems

# Valid and mistyped (one check digit off) VAT ids of six EU countries and the UK.
IDS = {
    "DE": ("DE136695976", "DE136695978", "Germany"),
    "FR": ("FR40303265045", "FR40303265046", "France"),
    "NL": ("NL004495445B01", "NL004495446B01", "the Netherlands"),
    "IE": ("IE6388047V", "IE6388047W", "Ireland"),
    "PL": ("PL5260001246", "PL5260001247", "Poland"),
    "AT": ("ATU13585627", "ATU13585628", "Austria"),
    "GB": ("GB980780684", "GB980780685", "the United Kingdom"),
}


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])


def _preview(client, **overrides):  # noqa: ANN001, ANN202
    return client.post("/republish", data={**valid_form(**overrides), "action": "preview"})


# ------------------------------------------------------------------------------- VAT ids at intake

@pytest.mark.parametrize("country", list(IDS))
def test_the_form_refuses_a_mistyped_vat_id_beside_the_field_and_keeps_what_was_typed(seeded, client, country):
    _valid, invalid, name = IDS[country]
    response = _preview(client, country=country, vat_id=invalid, buyer_reference="PO-77", billing_city="Town")
    doc = parse(response.data)
    assert doc.by_id("vat_id-error").text == (
        f"{invalid} is not a valid VAT number from {name}: its check digits do not match. "
        "Check it for a typing error.")
    values = form_values(doc.by_id("request-form"))
    assert (values["vat_id"], values["buyer_reference"], values["billing_city"]) == ([invalid], ["PO-77"], ["Town"])


@pytest.mark.parametrize("country", list(IDS))
def test_the_form_accepts_a_valid_vat_id(seeded, client, country):
    valid, _invalid, _name = IDS[country]
    response = _preview(client, country=country, vat_id=valid.lower())
    doc = parse(response.data)
    assert b"vat_id-error" not in response.data
    assert doc.by_id("quote").find("td", cls="total").text == "£675.00"  # the preview, with no error


def test_a_vat_id_of_another_country_is_refused_with_the_reason(seeded, client):
    doc = parse(_preview(client, country="DE", vat_id="FR40303265045").data)
    assert doc.by_id("vat_id-error").text == (
        "This VAT number starts with FR (France), but the buyer's country is Germany: a VAT number from "
        "Germany starts with DE. Correct the number or the country.")


@pytest.mark.parametrize("country", list(IDS))
def test_the_api_answers_422_naming_vat_id_for_a_mistyped_id_and_stores_a_valid_one(seeded, client, country):
    valid, invalid, name = IDS[country]
    refused = client.post("/api/v1/requests", json=api_body(country=country, vat_id=invalid))
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"vat_id": [
        f"{invalid} is not a valid VAT number from {name}: its check digits do not match. "
        "Check it for a typing error."]}
    spaced = f"{valid[:2]} {valid[2:6]} {valid[6:]}"
    accepted = client.post("/api/v1/requests", json=api_body(
        country=country, vat_id=spaced, billing_address="Hauptstrasse 1", billing_city="Berlin",
        billing_postcode="10115", buyer_reference="PO-2026-17"))
    assert accepted.status_code == 201, accepted.get_json()
    from licensing.core.db import new_session
    from licensing.intake.models import RepublishRequest

    with seeded.app_context(), new_session() as s:
        stored = s.scalars(select(RepublishRequest)).one()
        assert (stored.vat_id, stored.billing_address, stored.billing_city, stored.billing_postcode,
                stored.buyer_reference, stored.vies_result) == (
            valid, "Hauptstrasse 1", "Berlin", "10115", "PO-2026-17", "")  # VIES off by default


@pytest.mark.parametrize(("country", "category", "rate_bp", "tax"), [
    ("DE", "AE", 0, 0), ("FR", "AE", 0, 0), ("NL", "AE", 0, 0), ("IE", "AE", 0, 0), ("PL", "AE", 0, 0),
    ("AT", "AE", 0, 0), ("GB", "S", 2000, 13500),
])
def test_the_tax_decision_with_a_valid_id_through_approval(seeded, staff, country, category, rate_bp, tax):
    """A valid id of an EU business: reverse charge; a UK buyer: UK VAT whatever its id. (A mistyped
    id never gets this far: intake refuses it, above; without an id an EU buyer is outside the
    scope of UK VAT, below.)"""
    lic = approved(seeded, staff, country=country, vat_id=IDS[country][0])
    inv = invoice(seeded, lic.invoice_number)
    [line] = inv.lines
    assert (line.vat_category, line.tax_rate_bp, inv.tax_total, line.unit_code) == (category, rate_bp, tax, "C62")
    assert inv.vat_breakdown == [{"category": category, "rate_bp": rate_bp, "basis": 67500, "vat": tax,
                                  "exemption_reason": "Reverse charge" if category == "AE" else "",
                                  "exemption_code": "VATEX-EU-AE" if category == "AE" else ""}]


@pytest.mark.parametrize("country", ["DE", "FR", "NL", "IE", "PL", "AT"])
def test_an_eu_buyer_without_a_vat_id_is_not_reverse_charged(seeded, staff, country):
    lic = approved(seeded, staff, country=country, vat_id="")
    [line] = invoice(seeded, lic.invoice_number).lines
    assert (line.vat_category, line.exemption_code, line.tax_rule) == ("O", "VATEX-EU-O", "outside_scope")


# ----------------------------------------------------------- Factur-X: XSD + schematron, through the app

def _pay(client, number: str) -> None:  # noqa: ANN001
    from datetime import date

    response = client.post(f"/finance/invoices/{number}/mark-paid", data={
        "paid-reference": "BACS-1", "paid-paid_on": date.today().isoformat(), "paid-confirm": "y"})
    assert response.status_code == 302, response.data[:500]


def _refund(client, number: str, amount: str = "") -> object:  # noqa: ANN001
    return client.post(f"/finance/invoices/{number}/refund", data={
        "refund-kind": "partial" if amount else "full", "refund-amount": amount,
        "refund-reason": "Article withdrawn.", "refund-confirm": "y"})


BROKEN = {  # each breaks both the XSD and the schematron
    "no_category_code": (b"<ram:CategoryCode>S</ram:CategoryCode>", b""),
    "no_type_code": (b"<ram:TypeCode>380</ram:TypeCode>", b""),
}


def test_every_document_the_app_issues_passes_the_xsd_and_the_en16931_schematron(seeded, staff):
    finance = finance_client(seeded)
    domestic = approved(seeded, staff, country="GB", vat_id="GB980780684", buyer_reference="PO-4471")
    reverse = approved(seeded, staff, country="DE", vat_id="DE136695976", organisation="Zeitung GmbH")
    outside = approved(seeded, staff, country="US", vat_id="", organisation="Daily Planet Inc")
    _pay(finance, domestic.invoice_number)
    _pay(finance, reverse.invoice_number)
    assert _refund(finance, domestic.invoice_number, "100.00").status_code == 302  # partial
    assert _refund(finance, reverse.invoice_number).status_code == 302  # full
    partial, = invoice(seeded, domestic.invoice_number).credit_notes
    full, = invoice(seeded, reverse.invoice_number).credit_notes
    assert (partial.subtotal, partial.tax_total, partial.total) == (8333, 1667, 10000)  # 1667 = 20% of 8333
    assert (full.subtotal, full.tax_total, full.total) == (67500, 0, 67500)

    numbers = [domestic.invoice_number, reverse.invoice_number, outside.invoice_number, partial.number, full.number]
    xmls = {}
    for number in numbers:
        response = finance.get(f"/staff/documents/{number}.xml")
        assert (response.status_code, response.mimetype) == (200, "application/xml")
        xmls[number] = response.data
        document = document_of(seeded, number)
        assert document.status == "ready", document.last_error
        assert problems(document.pdf, response.data) == [], number  # PDF/A-3, XMP, /AF, the same XML
        assert xsd_errors(response.data) == [], number
    broken = {name: xmls[domestic.invoice_number].replace(old, new, 1) for name, (old, new) in BROKEN.items()}
    for name, xml in broken.items():
        assert xml != xmls[domestic.invoice_number], name
        assert xsd_errors(xml) != [], name
    results = schematron_failures([*xmls.values(), *broken.values()])
    assert [[str(f) for f in failures] for failures in results[:len(numbers)]] == [[]] * len(numbers)
    assert all(results[len(numbers):]), "a broken document passed the schematron"

    # what the documents say, in their XML
    assert b"<ram:TypeCode>381</ram:TypeCode>" in xmls[partial.number]
    assert f"<ram:IssuerAssignedID>{domestic.invoice_number}</ram:IssuerAssignedID>".encode() in xmls[partial.number]
    assert b"<ram:BuyerReference>PO-4471</ram:BuyerReference>" in xmls[domestic.invoice_number]
    assert b"<ram:CategoryCode>AE</ram:CategoryCode>" in xmls[full.number]
    assert b"VATEX-EU-AE" in xmls[full.number]
    assert b"GB123456789" not in xmls[outside.invoice_number]  # BR-O-02: no seller VAT id
    assert b"<ram:ID>01234567</ram:ID>" in xmls[outside.invoice_number]  # the company number instead
    assert b"RateApplicablePercent" not in xmls[outside.invoice_number]


def test_the_licensee_downloads_the_xml_and_the_credit_note_by_the_tracking_link(seeded, staff, client):
    finance = finance_client(seeded)
    made = submit(seeded, country="DE", vat_id="DE136695976")
    from tests.documents_helpers import approve

    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    _pay(finance, lic.invoice_number)
    assert _refund(finance, lic.invoice_number).status_code == 302
    note, = invoice(seeded, lic.invoice_number).credit_notes

    xml = client.get(f"/track/{made.token}/documents/{lic.invoice_number}.xml")
    assert (xml.status_code, xml.mimetype) == (200, "application/xml")
    pdf = client.get(f"/track/{made.token}/documents/{note.number}.pdf")  # was 404 before
    assert (pdf.status_code, pdf.data) == (200, document_of(seeded, note.number).pdf)
    assert client.get(f"/track/{made.token}/documents/{note.number}.xml").status_code == 200
    assert client.get(f"/track/wrong-token/documents/{note.number}.xml").status_code == 404
    assert client.get(f"/staff/documents/{note.number}.xml").status_code in (302, 401, 403)  # signed out

    page = parse(client.get(f"/track/{made.token}").data)
    [item] = page.find_all("li", cls="credit-note")
    assert f"Credit note {note.number} (PDF)" in item.text and "£675.00 refunded" in item.text
    body = client.get(f"/api/v1/requests/{made.reference}", headers=bearer(made.token)).get_json()
    assert body["credit_notes"] == [{
        "number": note.number, "kind": "refund", "issue_date": note.issue_date.isoformat(), "net": 67500, "tax": 0,
        "total": 67500, "currency": "GBP",
        "document_url": f"http://desk.test/track/{made.token}/documents/{note.number}.pdf",
        "xml_url": f"http://desk.test/track/{made.token}/documents/{note.number}.xml"}]

    # money moving back is told: the credit note's link, and plainly that the license is revoked
    subjects = [m.subject for m in mails(seeded, PUBLISHER_EMAIL)]
    assert f"Refund on invoice {lic.invoice_number}: credit note {note.number}" in subjects
    assert f"Licence {lic.number} is revoked after a full refund" in subjects
    [revoked] = [m for m in mails(seeded, PUBLISHER_EMAIL) if "revoked" in m.subject]
    assert f"Licence {lic.number} is revoked: invoice {lic.invoice_number} was refunded in full" in revoked.body_text

    # the Factur-X invoice and credit note re-render byte for byte (their dates are their own)
    result = seeded.test_cli_runner().invoke(args=["documents", "verify"])
    assert result.exit_code == 0, result.output
    assert "Every issued document re-renders identically." in result.output


def test_a_refund_without_an_exact_split_is_refused_with_the_nearest_amounts(seeded, staff):
    finance = finance_client(seeded)
    lic = approved(seeded, staff, country="GB", vat_id="")
    _pay(finance, lic.invoice_number)
    response = _refund(finance, lic.invoice_number, "10.05")  # at 20%: net 837 gives 10.04, 838 gives 10.06
    assert response.status_code in (409, 422)
    text = response.data.decode()
    assert "£10.05 cannot be split into net and VAT to the last penny" in text
    assert "refund £10.04 or £10.06 instead" in text or "refund £10.02 or £10.06 instead" in text, text
    assert invoice(seeded, lic.invoice_number).credit_notes == []
