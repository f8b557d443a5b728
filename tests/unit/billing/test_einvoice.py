"""The EN 16931 XML of invoices and credit notes, checked by the Factur-X XSD and the official
EN 16931 schematron (independent of our code), each beside broken documents that must fail;
and what the XML says, against literal values."""
from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from invoices.billing.rules.einvoice import (
    Address,
    EInvoice,
    Line,
    PaymentMeans,
    build_cii,
    check,
    decimal_amount,
    rate_percent,
    totals,
    vat_breakdown,
)
from invoices.billing.rules.einvoice_context import from_context, to_context
from tests.unit.billing import einvoice_cases as cases
from tests.validators.en16931 import schematron_failures, xsd_errors

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
SELLER_VAT_ID = (b'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">GB980780684</ram:ID>'
                 b'</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>')
LEGAL_ORGANISATION = (b"<ram:SpecifiedLegalOrganization>\n          <ram:ID>08741136</ram:ID>\n"
                      b"        </ram:SpecifiedLegalOrganization>\n")


def _broken() -> dict[str, bytes]:
    """Documents that break one rule each (or the schema), made by editing good XML."""
    domestic = build_cii(cases.domestic_invoice())
    outside = build_cii(cases.outside_scope_invoice())
    return {
        "no_category_code": domestic.replace(b"<ram:CategoryCode>S</ram:CategoryCode>", b""),
        "not_xml": b"an invoice, but not XML",
        "no_unit_code": domestic.replace(b' unitCode="C62"', b""),
        "seller_vat_id_outside_scope": outside.replace(b"</ram:SellerTradeParty>", SELLER_VAT_ID),
        "no_seller_identifier": outside.replace(LEGAL_ORGANISATION, b""),
        "vat_over_a_pound_off": _vat(domestic, "71.01", "421.01"),
        "vat_99_pence_off": _vat(domestic, "70.99", "420.99"),
    }


def _vat(xml: bytes, vat: str, grand: str) -> bytes:
    """The VAT of the domestic invoice (70.00 on 350.00) changed everywhere it adds up."""
    for old, new in ((b">70.00<", f">{vat}<"), (b">420.00<", f">{grand}<")):
        assert old in xml
        xml = xml.replace(old, new.encode())
    return xml


@pytest.fixture(scope="module")
def schematron() -> dict[str, list]:
    """Every document of this module through the schematron in one child process."""
    documents = {name: build_cii(make()) for name, make in cases.ALL.items()} | _broken()
    started = time.perf_counter()
    results = schematron_failures(list(documents.values()))
    print(f"\nschematron: {len(documents)} documents in {time.perf_counter() - started:.2f} s (one child process)")
    return dict(zip(documents, results, strict=False))


@pytest.mark.parametrize("name", sorted(cases.ALL))
def test_xml_is_valid_against_the_facturx_en16931_xsd(name: str) -> None:
    assert xsd_errors(build_cii(cases.ALL[name]())) == []


@pytest.mark.parametrize("name", sorted(cases.ALL))
def test_the_en16931_schematron_finds_no_failure(schematron: dict, name: str) -> None:
    assert [str(failure) for failure in schematron[name]] == []


@pytest.mark.parametrize("name", ["no_category_code", "not_xml"])
def test_a_broken_document_fails_both_the_xsd_and_the_schematron(schematron: dict, name: str) -> None:
    assert xsd_errors(_broken()[name]) != []
    assert schematron[name] != []


@pytest.mark.parametrize(("name", "rule"), [
    ("no_category_code", "BR-CO-04"),
    ("no_unit_code", "BR-23"),
    ("seller_vat_id_outside_scope", "BR-O-02"),
    ("no_seller_identifier", "BR-CO-26"),
    ("vat_over_a_pound_off", "BR-CO-17"),
])
def test_the_schematron_names_the_broken_rule(schematron: dict, name: str, rule: str) -> None:
    assert rule in {failure.id for failure in schematron[name]}


def test_the_schematron_tolerates_a_whole_currency_unit_so_exactness_is_tested_by_our_own_tests(
        schematron: dict) -> None:
    """BR-CO-17 and BR-S-09 as the official schematron checks them: |VAT - basis * rate| < 1 (a
    pound, not a penny). Our exact rounding is proven by literal amounts here and in
    test_refund_split."""
    assert schematron["vat_99_pence_off"] == []
    assert totals(cases.domestic_invoice()).vat_total == 7000


def _find(xml: bytes, path: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(xml).findall(path, NS)]


def _attributes(xml: bytes, path: str, name: str) -> list[str]:
    return [element.get(name, "") for element in ET.fromstring(xml).findall(path, NS)]


TRADE = "rsm:SupplyChainTradeTransaction/"
SETTLEMENT = TRADE + "ram:ApplicableHeaderTradeSettlement/"
SELLER = TRADE + "ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
BUYER = TRADE + "ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/"
LINE = TRADE + "ram:IncludedSupplyChainTradeLineItem/"


def test_outside_scope_has_no_vat_ids_and_no_rate_and_names_the_seller_by_company_number() -> None:
    xml = build_cii(cases.outside_scope_invoice())
    assert b'schemeID="VA"' not in xml
    assert b"RateApplicablePercent" not in xml
    assert _find(xml, SELLER + "ram:SpecifiedLegalOrganization/ram:ID") == ["08741136"]
    assert _find(xml, SETTLEMENT + "ram:ApplicableTradeTax/ram:ExemptionReasonCode") == ["VATEX-EU-O"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["54"]
    assert _find(xml, BUYER + "ram:PostalTradeAddress/ram:LineThree") == ["Floor 3, Door B"]


def test_reverse_charge_has_both_vat_ids_rate_zero_and_its_reason() -> None:
    xml = build_cii(cases.reverse_charge_invoice())
    assert _find(xml, SELLER + "ram:SpecifiedTaxRegistration/ram:ID") == ["GB980780684"]
    assert _find(xml, BUYER + "ram:SpecifiedTaxRegistration/ram:ID") == ["DE136695976"]
    assert _find(xml, LINE + "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent") \
        == ["0.00"]
    assert _find(xml, SETTLEMENT + "ram:ApplicableTradeTax/ram:ExemptionReason") == ["Reverse charge"]
    assert _find(xml, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content") == [cases.REVERSE_CHARGE_NOTE]


def test_domestic_invoice_lines_and_payment() -> None:
    xml = build_cii(cases.domestic_invoice())
    assert _attributes(xml, LINE + "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "unitCode") == ["C62"]
    assert _find(xml, LINE + "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/*/udt:DateTimeString") \
        == ["20261207", "20271206"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["30"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:Information") == [
        "Credit transfer quoting INV-2026-00001, or pay by card at https://desk.example/pay/INV-2026-00001/3f2a"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount"
                                   "/ram:IBANID") == ["GB82WEST12345698765432"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount") \
        == ["420.00"]
    assert _find(xml, TRADE + "ram:ApplicableHeaderTradeAgreement/ram:BuyerOrderReferencedDocument/"
                              "ram:IssuerAssignedID") == ["PO-4471"]
    assert _find(xml, SELLER + "ram:Description") == [cases.SELLER_GB.legal_info]


def test_vat_is_computed_on_each_category_total_not_line_by_line() -> None:
    doc = cases.eu_seller_invoice()
    assert [(b.category, b.rate_bp, b.basis, b.vat) for b in vat_breakdown(doc.lines)] == [("S", 2300, 20100, 4623)]
    xml = build_cii(doc)
    assert _find(xml, SETTLEMENT + "ram:ApplicableTradeTax/ram:CalculatedAmount") == ["46.23"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount") \
        == ["247.23"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["58"]


def test_credit_note_names_the_invoice_it_corrects_with_its_date() -> None:
    xml = build_cii(cases.partial_credit_note())
    assert _find(xml, "rsm:ExchangedDocument/ram:TypeCode") == ["381"]
    assert _find(xml, SETTLEMENT + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == ["INV-2026-00001"]
    assert _find(xml, SETTLEMENT + "ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString") \
        == ["20261207"]
    assert _find(xml, SETTLEMENT + "ram:ApplicableTradeTax/ram:RateApplicablePercent") == ["20.00"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount") \
        == ["60.00"]


def test_a_currency_without_minor_units_has_no_decimals() -> None:
    xml = build_cii(cases.yen_invoice())
    assert _find(xml, LINE + "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount") \
        == ["52000"]


@pytest.mark.parametrize("name", sorted(cases.ALL))
def test_the_same_document_gives_the_same_bytes_also_through_its_frozen_json(name: str) -> None:
    doc = cases.ALL[name]()
    frozen = json.loads(json.dumps(to_context(doc), sort_keys=True))
    assert from_context(frozen) == doc
    assert build_cii(from_context(frozen)) == build_cii(doc) == build_cii(cases.ALL[name]())


def test_every_date_comes_back_a_date_from_the_frozen_json() -> None:
    doc = replace(cases.domestic_invoice(), delivery_date=date(2026, 12, 10))
    frozen = json.loads(json.dumps(to_context(doc)))
    assert (frozen["issue_date"], frozen["due_date"], frozen["delivery_date"]) == ("2026-12-07", "2026-12-21",
                                                                                   "2026-12-10")
    assert (frozen["lines"][0]["period_start"], frozen["lines"][0]["period_end"]) == ("2026-12-07", "2027-12-06")
    back = from_context(frozen)
    assert (back.issue_date, back.due_date, back.delivery_date) == (date(2026, 12, 7), date(2026, 12, 21),
                                                                    date(2026, 12, 10))
    assert (back.lines[0].period_start, back.lines[0].period_end) == (date(2026, 12, 7), date(2027, 12, 6))


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (0, "GBP", "0.00"), (5, "EUR", "0.05"), (-5, "EUR", "-0.05"), (1234567, "GBP", "12345.67"),
    (100, "USD", "1.00"), (1000, "JPY", "1000"), (7, "KRW", "7"),
    # the desk's minor units (licensing.core.money, Stripe's): the króna in hundredths, the ariary whole
    (100000, "ISK", "1000.00"), (1000, "MGA", "1000"),
])
def test_decimal_amount(amount: int, currency: str, text: str) -> None:
    assert decimal_amount(amount, currency) == text


# Currencies whose amounts the desk keeps in whole units, and those with thousandths (written out).
ZERO_DECIMAL = ("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF")
THREE_DECIMAL = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")


@pytest.mark.parametrize("currency", ZERO_DECIMAL)
def test_a_zero_decimal_amount_has_no_decimals(currency: str) -> None:
    assert (decimal_amount(52000, currency), decimal_amount(-7, currency)) == ("52000", "-7")


@pytest.mark.parametrize("currency", THREE_DECIMAL)
def test_a_three_decimal_currency_cannot_be_invoiced_under_en16931(currency: str) -> None:
    with pytest.raises(ValueError, match=f"^EN 16931 amounts have at most 2 decimals; {currency} has 3$"):
        decimal_amount(1, currency)


@pytest.mark.parametrize(("rate_bp", "text"), [(2000, "20.00"), (550, "5.50"), (1925, "19.25"), (0, "0.00")])
def test_rate_percent(rate_bp: int, text: str) -> None:
    assert rate_percent(rate_bp) == text


SUMMATION = SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"


def test_the_xml_declares_utf_8_and_writes_utf_8() -> None:
    xml = build_cii(cases.reverse_charge_invoice())
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<rsm:CrossIndustryInvoice ")
    assert "Hauptstraße 5".encode() in xml


def test_every_amount_of_a_yen_invoice_is_in_whole_yen() -> None:
    xml = build_cii(replace(cases.yen_invoice(), prepaid_amount=2000))
    assert _find(xml, LINE + "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount") \
        == ["52000"]
    assert _find(xml, LINE + "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                             "ram:LineTotalAmount") == ["52000"]
    assert _find(xml, SETTLEMENT + "ram:ApplicableTradeTax/ram:CalculatedAmount") == ["0"]
    assert _find(xml, SETTLEMENT + "ram:ApplicableTradeTax/ram:BasisAmount") == ["52000"]
    assert [_find(xml, SUMMATION + name) for name in (
        "LineTotalAmount", "TaxBasisTotalAmount", "TaxTotalAmount", "GrandTotalAmount", "TotalPrepaidAmount",
        "DuePayableAmount")] == [["52000"], ["52000"], ["0"], ["52000"], ["2000"], ["50000"]]
    assert _attributes(xml, SUMMATION + "TaxTotalAmount", "currencyID") == ["JPY"]


def test_a_prepaid_amount_is_taken_off_what_is_due() -> None:
    doc = replace(cases.domestic_invoice(), prepaid_amount=10000)
    assert (totals(doc).grand_total, totals(doc).due) == (42000, 32000)
    xml = build_cii(doc)
    assert (_find(xml, SUMMATION + "TotalPrepaidAmount"), _find(xml, SUMMATION + "DuePayableAmount")) == (
        ["100.00"], ["320.00"])
    assert _find(build_cii(cases.domestic_invoice()), SUMMATION + "TotalPrepaidAmount") == []  # none: left out


def test_lines_are_numbered_from_one() -> None:
    xml = build_cii(cases.eu_seller_invoice())
    assert _find(xml, LINE + "ram:AssociatedDocumentLineDocument/ram:LineID") == ["1", "2"]


def test_the_references_and_the_payment_reference() -> None:
    xml = build_cii(cases.domestic_invoice())
    assert _find(xml, TRADE + "ram:ApplicableHeaderTradeAgreement/ram:BuyerReference") == ["PO-4471"]
    assert _find(xml, TRADE + "ram:ApplicableHeaderTradeAgreement/ram:ContractReferencedDocument/"
                              "ram:IssuerAssignedID") == ["L-2026-00001"]
    assert _find(xml, SETTLEMENT + "ram:PaymentReference") == ["INV-2026-00001"]  # the number, by default
    xml = build_cii(replace(cases.domestic_invoice(), payment_reference="RF18539007547034"))
    assert _find(xml, SETTLEMENT + "ram:PaymentReference") == ["RF18539007547034"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:Information") == [
        "Credit transfer quoting RF18539007547034, or pay by card at https://desk.example/pay/INV-2026-00001/3f2a"]


def test_the_address_of_each_party() -> None:
    xml = build_cii(cases.outside_scope_invoice())
    assert [_find(xml, BUYER + "ram:PostalTradeAddress/ram:" + name) for name in (
        "PostcodeCode", "LineOne", "LineTwo", "LineThree", "CityName", "CountryID", "CountrySubDivisionName")] == [
        ["62701"], ["200 Main St"], ["Suite 5"], ["Floor 3, Door B"], ["Springfield"], ["US"], ["IL"]]
    assert [_find(xml, SELLER + "ram:PostalTradeAddress/ram:" + name) for name in (
        "PostcodeCode", "LineOne", "LineTwo", "LineThree", "CityName", "CountryID")] == [
        ["EC1A 1AA"], ["Example House"], ["1 Example Street"], [], ["London"], ["GB"]]


@pytest.mark.parametrize(("lines", "expected"), [
    (("1 Quay", "   ", "Level 2"), ["1 Quay", "Level 2"]),  # a blank line is left out, not an empty LineTwo
    (("1 Quay", "Level 2", "Door 3"), ["1 Quay", "Level 2", "Door 3"]),  # exactly three
    (("1 Quay", "", "Level 2", "Door 3", "Desk 4"), ["1 Quay", "Level 2", "Door 3, Desk 4"]),
])
def test_address_lines(lines: tuple, expected: list) -> None:
    buyer = replace(cases.BUYER_GB, address=Address(lines, "Darlington", "DL1 1NF", "gb"))
    xml = build_cii(replace(cases.domestic_invoice(), buyer=buyer))
    found = [(name, _find(xml, BUYER + "ram:PostalTradeAddress/ram:" + name)) for name in ("LineOne", "LineTwo",
                                                                                          "LineThree")]
    assert [text for _, texts in found for text in texts] == expected
    assert [name for name, texts in found if texts] == ["LineOne", "LineTwo", "LineThree"][:len(expected)]
    assert _find(xml, BUYER + "ram:PostalTradeAddress/ram:CountryID") == ["GB"]


def test_the_parties_names_contacts_and_electronic_addresses() -> None:
    xml = build_cii(cases.reverse_charge_invoice())
    assert [_find(xml, SELLER + path) for path in (
        "ram:Name", "ram:URIUniversalCommunication/ram:URIID", "ram:SpecifiedTaxRegistration/ram:ID")] == [
        ["Middle East Eye Ltd"], ["finance@desk.example"], ["GB980780684"]]
    assert [_find(xml, BUYER + path) for path in (
        "ram:Name", "ram:DefinedTradeContact/ram:PersonName", "ram:URIUniversalCommunication/ram:URIID",
        "ram:SpecifiedTaxRegistration/ram:ID")] == [
        ["Die Zeitung GmbH"], ["Anna Schmidt"], ["rechnung@zeitung.example"], ["DE136695976"]]
    for party in (SELLER, BUYER):
        assert _attributes(xml, party + "ram:URIUniversalCommunication/ram:URIID", "schemeID") == ["EM"]
        assert _attributes(xml, party + "ram:SpecifiedTaxRegistration/ram:ID", "schemeID") == ["VA"]


def test_the_tax_is_vat_and_dates_are_in_format_102() -> None:
    xml = build_cii(cases.partial_credit_note())
    assert _find(xml, LINE + "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:TypeCode") == ["VAT"]
    assert _find(xml, SETTLEMENT + "ram:ApplicableTradeTax/ram:TypeCode") == ["VAT"]
    assert _attributes(xml, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", "format") == ["102"]
    assert _attributes(xml, SETTLEMENT + "ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/"
                                         "qdt:DateTimeString", "format") == ["102"]
    assert _find(xml, SETTLEMENT + "ram:SpecifiedTradePaymentTerms/ram:Description") == [
        "Refunded to the card or account that paid the invoice."]


def test_only_the_seller_gives_its_legal_form() -> None:
    buyer = replace(cases.BUYER_GB, legal_info="A company that must not show here")
    xml = build_cii(replace(cases.domestic_invoice(), buyer=buyer))
    assert _find(xml, BUYER + "ram:Description") == []
    assert _find(xml, SELLER + "ram:Description") == [cases.SELLER_GB.legal_info]


def test_a_period_with_only_a_start() -> None:
    xml = build_cii(cases.outside_scope_invoice())
    period = LINE + "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/"
    assert _find(xml, period + "ram:StartDateTime/udt:DateTimeString") == ["20261208"]
    assert _find(xml, period + "ram:EndDateTime/udt:DateTimeString") == []


def test_a_due_date_without_payment_terms() -> None:
    xml = build_cii(cases.yen_invoice())
    terms = SETTLEMENT + "ram:SpecifiedTradePaymentTerms/"
    assert _find(xml, terms + "ram:DueDateDateTime/udt:DateTimeString") == ["20261223"]
    assert _find(xml, terms + "ram:Description") == []


@pytest.mark.parametrize(("payment", "type_code", "information"), [
    (PaymentMeans(pay_url="https://desk.example/pay/x"), ["54"], ["Pay by card at https://desk.example/pay/x"]),
    (PaymentMeans(iban="GB82WEST12345698765432", account_name="Middle East Eye Ltd"), ["30"],
     ["Credit transfer quoting INV-2026-00001"]),
    (PaymentMeans(iban="GB82WEST12345698765432", pay_url="https://desk.example/pay/x"), ["30"],
     ["Credit transfer quoting INV-2026-00001, or pay by card at https://desk.example/pay/x"]),
    (PaymentMeans(), [], []),
])
def test_the_means_of_payment(payment: PaymentMeans, type_code: list, information: list) -> None:
    xml = build_cii(replace(cases.domestic_invoice(), payment=payment))
    means = SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/"
    assert (_find(xml, means + "ram:TypeCode"), _find(xml, means + "ram:Information")) == (type_code, information)
    assert _find(xml, means + "ram:PayeePartyCreditorFinancialAccount/ram:AccountName") == (
        ["Middle East Eye Ltd"] if payment.account_name else [])


@pytest.mark.parametrize("make", [
    lambda: _with_line(cases.domestic_invoice(), rate_bp=1),  # the lowest rate above zero is standard
    lambda: _with_line(cases.domestic_invoice(), period_end=date(2026, 12, 7)),  # a one-day period
    lambda: replace(cases.outside_scope_invoice(), seller=replace(cases.SELLER_GB, vat_id="")),  # O: no VAT id
    lambda: replace(cases.domestic_invoice(), prepaid_amount=42000, due_date=None, payment_terms=""),  # 0 due
])
def test_documents_at_the_edge_of_a_rule_are_accepted(make) -> None:  # noqa: ANN001
    doc = make()
    check(doc)
    assert xsd_errors(build_cii(doc)) == []


def test_the_check_refuses_a_three_decimal_currency_before_building() -> None:
    with pytest.raises(ValueError, match="^EN 16931 amounts have at most 2 decimals; KWD has 3$"):
        check(replace(cases.domestic_invoice(), currency="KWD"))


def _with_line(doc: EInvoice, **changes: object) -> EInvoice:
    return replace(doc, lines=(replace(doc.lines[0], **changes),))


@pytest.mark.parametrize(("make", "message"), [
    (lambda: replace(cases.outside_scope_invoice(), lines=cases.outside_scope_invoice().lines
                     + cases.domestic_invoice().lines),
     "outside-scope lines cannot share a document with other categories (BR-O-11..14)"),
    (lambda: replace(cases.outside_scope_invoice(), seller=replace(cases.SELLER_GB, company_id="")),
     "an outside-scope document names the seller by its company number (BR-CO-26)"),
    (lambda: replace(cases.reverse_charge_invoice(), buyer=replace(cases.BUYER_DE, vat_id="")),
     "reverse charge needs the buyer's VAT id (BR-AE-02)"),
    (lambda: replace(cases.domestic_invoice(), seller=replace(cases.SELLER_GB, vat_id="")),
     "the seller's VAT id is required for categories S, Z, AE and E (BR-S-02 etc.)"),
    (lambda: _with_line(cases.domestic_invoice(), rate_bp=0),
     "only category S has a rate above zero (BR-S-05, BR-Z-05, BR-AE-05, BR-E-05)"),
    (lambda: _with_line(cases.domestic_invoice(), exemption_reason="Exempt"), "category S has no exemption reason"),
    (lambda: _with_line(cases.reverse_charge_invoice(), exemption_reason="", exemption_code=""),
     "category AE needs exemption reason"),
    (lambda: replace(cases.partial_credit_note(), corrects=()), "a credit note names the invoice it corrects"),
    (lambda: replace(cases.domestic_invoice(), currency="KWD"), "EN 16931 amounts have at most 2 decimals; KWD has 3"),
    (lambda: _with_line(cases.domestic_invoice(), net_amount=35001),
     "a line's net amount is its quantity times its unit amount"),
    (lambda: _with_line(cases.domestic_invoice(), period_end=date(2026, 12, 6)),
     "a line's period ends before it starts (BR-30)"),
    (lambda: replace(cases.domestic_invoice(), due_date=None, payment_terms=""),
     "an amount due needs a due date or payment terms (BR-CO-25)"),
    (lambda: replace(cases.domestic_invoice(), prepaid_amount=41999, due_date=None, payment_terms=""),
     "an amount due needs a due date or payment terms (BR-CO-25)"),  # one minor unit due
    (lambda: replace(cases.domestic_invoice(), lines=()), "a document needs at least one line (BR-16)"),
    (lambda: _with_line(cases.domestic_invoice(), category="K"), "unknown VAT category 'K'"),
    (lambda: replace(cases.domestic_invoice(), type_code="384"), "type_code is 380 (invoice) or 381 (credit note)"),
])
def test_documents_that_would_break_en16931_are_refused(make, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        build_cii(make())


def test_lines_of_one_category_must_give_one_exemption_reason() -> None:
    first = cases.reverse_charge_invoice().lines[0]
    with pytest.raises(ValueError, match="^lines of category AE give different exemption reasons$"):
        vat_breakdown([first, replace(first, exemption_reason="Reverse charge (Article 44)")])
    assert isinstance(first, Line)
