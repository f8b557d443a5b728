"""An invoice or credit note as EN 16931 XML (UN/CEFACT CII, the Factur-X EN 16931 profile), pure.

Accounting software and tax platforms read the XML, not the PDF; Factur-X embeds this XML in the
PDF/A-3 as factur-x.xml. The XML is built from plain values frozen on the document at issue (the
same input always gives the same bytes: no clock, no random ids), and it is correct by
construction for the rules our data can break:
- the VAT breakdown (BG-23) is computed here, per category and rate, with each category's VAT
  = round-half-up(basis * rate) (BR-CO-17 exactly), and the totals from it (BR-CO-10..16);
- outside-scope documents (O) carry no VAT rate, no seller or buyer VAT id (BR-O-02..05), so the
  seller is identified by its company number (BR-CO-26) and O is never mixed with another category;
- reverse charge (AE) carries both VAT ids and rate 0 (BR-AE-02..05), with the VATEX reason;
- a credit note (381) names the invoice it corrects, with its number and issue date (BG-3).
Amounts are integer minor units as the desk keeps them (licensing.core.money: the units Stripe
charges in), written as decimals with that many places.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date

from licensing.core import money

from .vat_category import CATEGORIES, EXEMPT, OUTSIDE_SCOPE, REVERSE_CHARGE, STANDARD, ZERO_RATED, vat_on

GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
INVOICE, CREDIT_NOTE = "380", "381"
UNIT_PIECE = "C62"  # UN/ECE Rec 20 "one": a license is one unit
CREDIT_TRANSFER, SEPA_CREDIT_TRANSFER, CREDIT_CARD = "30", "58", "54"
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]  # one to three lines (BT-35..37, BT-162)
    city: str
    postcode: str
    country: str  # ISO 3166-1 alpha-2
    subdivision: str = ""


@dataclass(frozen=True)
class Party:
    name: str
    address: Address
    vat_id: str = ""  # BT-31 / BT-48; left out where BR-O-02 forbids it
    company_id: str = ""  # legal registration identifier (BT-30 / BT-47), e.g. a company number
    legal_info: str = ""  # seller only (BT-33): legal form, registered office
    email: str = ""  # electronic address (BT-34 / BT-49)
    contact: str = ""  # a contact person (BT-41 / BT-56)


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_amount: int  # minor units, net of VAT
    net_amount: int  # quantity * unit_amount
    category: str  # S, AE, O, Z or E
    rate_bp: int  # 0 unless S
    exemption_reason: str = ""  # BT-120, for AE, O and E
    exemption_code: str = ""  # BT-121 (VATEX), for AE, O and E
    period_start: date | None = None  # the license term (BG-26)
    period_end: date | None = None  # None for a perpetual license


@dataclass(frozen=True)
class PaymentMeans:
    iban: str = ""  # credit transfer (BT-84), checked by rules.bank_ids
    bic: str = ""  # BT-86
    account_name: str = ""  # BT-85
    pay_url: str = ""  # card payment through the pay link


@dataclass(frozen=True)
class InvoiceReference:
    number: str
    issue_date: date


@dataclass(frozen=True)
class EInvoice:
    number: str
    type_code: str  # 380 invoice, 381 credit note
    issue_date: date  # also the tax point
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    due_date: date | None = None
    payment_terms: str = ""
    payment: PaymentMeans | None = None
    buyer_reference: str = ""  # BT-10
    purchase_order: str = ""  # BT-13
    contract_reference: str = ""  # BT-12: the license number
    notes: tuple[str, ...] = ()  # BG-1: tax wording, a credit note's reason
    corrects: tuple[InvoiceReference, ...] = ()  # BG-3, for a credit note
    prepaid_amount: int = 0  # BT-113
    payment_reference: str = ""  # BT-83 (the document number when empty)
    delivery_date: date | None = None  # BT-72, the issue date when empty (an empty delivery breaks R008)


@dataclass(frozen=True)
class VatBreakdown:
    category: str
    rate_bp: int
    basis: int
    vat: int
    exemption_reason: str = ""
    exemption_code: str = ""


@dataclass(frozen=True)
class Totals:
    line_total: int
    vat_total: int
    grand_total: int
    due: int
    breakdown: tuple[VatBreakdown, ...] = field(default=())


def minor_digits(currency: str) -> int:
    """The decimals of the desk's minor units (the same as the PDF and the license print), which
    EN 16931 allows up to 2 of (BR-DEC-*). A table of its own here had the ISO exponents instead,
    and wrote Icelandic krónur and Malagasy ariary amounts a hundredfold wrong."""
    digits = money.minor_digits(currency)
    if digits > 2:
        raise ValueError(f"EN 16931 amounts have at most 2 decimals; {currency} has {digits}")
    return digits


def decimal_amount(minor: int, currency: str) -> str:
    """1234567 GBP -> '12345.67'; 1000 JPY -> '1000'; -5 EUR -> '-0.05'."""
    digits = minor_digits(currency)
    if not digits:
        return str(minor)
    whole, frac = divmod(abs(minor), 10 ** digits)
    return f"{'-' if minor < 0 else ''}{whole}.{frac:0{digits}d}"


def rate_percent(rate_bp: int) -> str:
    """2000 -> '20.00', 550 -> '5.50' (BT-152 / BT-119)."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}.{frac:02d}"


def vat_breakdown(lines: tuple[Line, ...] | list[Line]) -> tuple[VatBreakdown, ...]:
    """BG-23: one entry per category and rate, in first-seen order; VAT on each basis."""
    groups: dict[tuple[str, int], list[Line]] = {}
    for line in lines:
        groups.setdefault((line.category, line.rate_bp), []).append(line)
    result = []
    for (category, rate_bp), members in groups.items():
        basis = sum(line.net_amount for line in members)
        reasons = {(line.exemption_reason, line.exemption_code) for line in members}
        if len(reasons) > 1:
            raise ValueError(f"lines of category {category} give different exemption reasons")
        reason, code = reasons.pop()
        result.append(VatBreakdown(category, rate_bp, basis, vat_on(basis, rate_bp), reason, code))
    return tuple(result)


def totals(doc: EInvoice) -> Totals:
    breakdown = vat_breakdown(doc.lines)
    line_total = sum(line.net_amount for line in doc.lines)
    vat_total = sum(entry.vat for entry in breakdown)
    grand = line_total + vat_total
    return Totals(line_total, vat_total, grand, grand - doc.prepaid_amount, breakdown)


def check(doc: EInvoice) -> None:
    """Refuse a document that would break EN 16931 in a way the XML cannot repair."""
    if doc.type_code not in (INVOICE, CREDIT_NOTE):
        raise ValueError("type_code is 380 (invoice) or 381 (credit note)")
    if not doc.lines:
        raise ValueError("a document needs at least one line (BR-16)")
    minor_digits(doc.currency)
    categories = {line.category for line in doc.lines}
    for line in doc.lines:
        if line.category not in CATEGORIES:
            raise ValueError(f"unknown VAT category {line.category!r}")
        if line.net_amount != line.quantity * line.unit_amount:
            raise ValueError("a line's net amount is its quantity times its unit amount")
        if (line.category == STANDARD) != (line.rate_bp > 0):
            raise ValueError("only category S has a rate above zero (BR-S-05, BR-Z-05, BR-AE-05, BR-E-05)")
        needs_reason = line.category in (REVERSE_CHARGE, OUTSIDE_SCOPE, EXEMPT)
        if needs_reason != bool(line.exemption_reason or line.exemption_code):
            raise ValueError(f"category {line.category} {'needs' if needs_reason else 'has no'} exemption reason")
        if line.period_start and line.period_end and line.period_end < line.period_start:
            raise ValueError("a line's period ends before it starts (BR-30)")
    if OUTSIDE_SCOPE in categories and len(categories) > 1:
        raise ValueError("outside-scope lines cannot share a document with other categories (BR-O-11..14)")
    if OUTSIDE_SCOPE in categories and not doc.seller.company_id:
        raise ValueError("an outside-scope document names the seller by its company number (BR-CO-26)")
    if categories & {STANDARD, ZERO_RATED, REVERSE_CHARGE, EXEMPT} and not doc.seller.vat_id:
        raise ValueError("the seller's VAT id is required for categories S, Z, AE and E (BR-S-02 etc.)")
    if REVERSE_CHARGE in categories and not doc.buyer.vat_id:
        raise ValueError("reverse charge needs the buyer's VAT id (BR-AE-02)")
    if doc.type_code == CREDIT_NOTE and not doc.corrects:
        raise ValueError("a credit note names the invoice it corrects")
    if totals(doc).due > 0 and not (doc.due_date or doc.payment_terms):
        raise ValueError("an amount due needs a due date or payment terms (BR-CO-25)")


def build_cii(doc: EInvoice) -> bytes:
    """The CII XML of the document: UTF-8 bytes, deterministic."""
    check(doc)
    outside = doc.lines[0].category == OUTSIDE_SCOPE
    sums = totals(doc)
    root = ET.Element(_q("rsm", "CrossIndustryInvoice"))
    context = _sub(root, "rsm", "ExchangedDocumentContext")
    _text(_sub(context, "ram", "GuidelineSpecifiedDocumentContextParameter"), "ID", GUIDELINE_EN16931)
    header = _sub(root, "rsm", "ExchangedDocument")
    _text(header, "ID", doc.number)
    _text(header, "TypeCode", doc.type_code)
    _date(_sub(header, "ram", "IssueDateTime"), doc.issue_date)
    for note in doc.notes:
        _text(_sub(header, "ram", "IncludedNote"), "Content", note)
    transaction = _sub(root, "rsm", "SupplyChainTradeTransaction")
    for position, line in enumerate(doc.lines, start=1):
        _line(transaction, position, line, doc.currency)
    agreement = _sub(transaction, "ram", "ApplicableHeaderTradeAgreement")
    _text(agreement, "BuyerReference", doc.buyer_reference)
    _party(agreement, "SellerTradeParty", doc.seller, with_vat_id=not outside, seller=True)
    _party(agreement, "BuyerTradeParty", doc.buyer, with_vat_id=not outside, seller=False)
    if doc.purchase_order:
        _text(_sub(agreement, "ram", "BuyerOrderReferencedDocument"), "IssuerAssignedID", doc.purchase_order)
    if doc.contract_reference:
        _text(_sub(agreement, "ram", "ContractReferencedDocument"), "IssuerAssignedID", doc.contract_reference)
    delivery = _sub(_sub(transaction, "ram", "ApplicableHeaderTradeDelivery"), "ram", "ActualDeliverySupplyChainEvent")
    _date(_sub(delivery, "ram", "OccurrenceDateTime"), doc.delivery_date or doc.issue_date)
    _settlement(_sub(transaction, "ram", "ApplicableHeaderTradeSettlement"), doc, sums)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _line(transaction: ET.Element, position: int, line: Line, currency: str) -> None:
    item = _sub(transaction, "ram", "IncludedSupplyChainTradeLineItem")
    _text(_sub(item, "ram", "AssociatedDocumentLineDocument"), "LineID", str(position))
    _text(_sub(item, "ram", "SpecifiedTradeProduct"), "Name", line.description)
    price = _sub(_sub(item, "ram", "SpecifiedLineTradeAgreement"), "ram", "NetPriceProductTradePrice")
    _text(price, "ChargeAmount", decimal_amount(line.unit_amount, currency))
    _text(_sub(item, "ram", "SpecifiedLineTradeDelivery"), "BilledQuantity", str(line.quantity),
          unitCode=UNIT_PIECE)
    settlement = _sub(item, "ram", "SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram", "ApplicableTradeTax")
    _text(tax, "TypeCode", "VAT")
    _text(tax, "CategoryCode", line.category)
    if line.category != OUTSIDE_SCOPE:
        _text(tax, "RateApplicablePercent", rate_percent(line.rate_bp))
    if line.period_start or line.period_end:
        period = _sub(settlement, "ram", "BillingSpecifiedPeriod")
        if line.period_start:
            _date(_sub(period, "ram", "StartDateTime"), line.period_start)
        if line.period_end:
            _date(_sub(period, "ram", "EndDateTime"), line.period_end)
    summation = _sub(settlement, "ram", "SpecifiedTradeSettlementLineMonetarySummation")
    _text(summation, "LineTotalAmount", decimal_amount(line.net_amount, currency))


def _party(parent: ET.Element, tag: str, party: Party, *, with_vat_id: bool, seller: bool) -> None:
    element = _sub(parent, "ram", tag)
    _text(element, "Name", party.name)
    if seller:
        _text(element, "Description", party.legal_info)
    if party.company_id:
        _text(_sub(element, "ram", "SpecifiedLegalOrganization"), "ID", party.company_id)
    if party.contact:
        _text(_sub(element, "ram", "DefinedTradeContact"), "PersonName", party.contact)
    address = _sub(element, "ram", "PostalTradeAddress")
    _text(address, "PostcodeCode", party.address.postcode)
    for tag_name, text in zip(("LineOne", "LineTwo", "LineThree"), _address_lines(party.address), strict=False):
        _text(address, tag_name, text)
    _text(address, "CityName", party.address.city)
    _text(address, "CountryID", party.address.country.upper())
    _text(address, "CountrySubDivisionName", party.address.subdivision)
    if party.email:
        _text(_sub(element, "ram", "URIUniversalCommunication"), "URIID", party.email, schemeID="EM")
    if with_vat_id and party.vat_id:
        _text(_sub(element, "ram", "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")


def _address_lines(address: Address) -> list[str]:
    """At most three lines: any further ones are joined onto the third, so nothing is lost."""
    lines = [line.strip() for line in address.lines if line and line.strip()]
    return lines[:2] + ([", ".join(lines[2:])] if len(lines) > 2 else [])


def _settlement(settlement: ET.Element, doc: EInvoice, sums: Totals) -> None:
    currency = doc.currency
    _text(settlement, "PaymentReference", doc.payment_reference or doc.number)
    _text(settlement, "InvoiceCurrencyCode", currency)
    _payment_means(settlement, doc)
    for entry in sums.breakdown:
        tax = _sub(settlement, "ram", "ApplicableTradeTax")
        _text(tax, "CalculatedAmount", decimal_amount(entry.vat, currency))
        _text(tax, "TypeCode", "VAT")
        _text(tax, "ExemptionReason", entry.exemption_reason)
        _text(tax, "BasisAmount", decimal_amount(entry.basis, currency))
        _text(tax, "CategoryCode", entry.category)
        _text(tax, "ExemptionReasonCode", entry.exemption_code)
        if entry.category != OUTSIDE_SCOPE:
            _text(tax, "RateApplicablePercent", rate_percent(entry.rate_bp))
    if doc.payment_terms or doc.due_date:
        terms = _sub(settlement, "ram", "SpecifiedTradePaymentTerms")
        _text(terms, "Description", doc.payment_terms)
        if doc.due_date:
            _date(_sub(terms, "ram", "DueDateDateTime"), doc.due_date)
    summation = _sub(settlement, "ram", "SpecifiedTradeSettlementHeaderMonetarySummation")
    _text(summation, "LineTotalAmount", decimal_amount(sums.line_total, currency))
    _text(summation, "TaxBasisTotalAmount", decimal_amount(sums.line_total, currency))
    _text(summation, "TaxTotalAmount", decimal_amount(sums.vat_total, currency), currencyID=currency)
    _text(summation, "GrandTotalAmount", decimal_amount(sums.grand_total, currency))
    if doc.prepaid_amount:
        _text(summation, "TotalPrepaidAmount", decimal_amount(doc.prepaid_amount, currency))
    _text(summation, "DuePayableAmount", decimal_amount(sums.due, currency))
    for reference in doc.corrects:
        referenced = _sub(settlement, "ram", "InvoiceReferencedDocument")
        _text(referenced, "IssuerAssignedID", reference.number)
        issued = _sub(referenced, "ram", "FormattedIssueDateTime")
        _text(issued, "DateTimeString", reference.issue_date.strftime("%Y%m%d"), ns="qdt", format="102")


def _payment_means(settlement: ET.Element, doc: EInvoice) -> None:
    """One means of payment (CII-SR-467/468 want every BG-16 alike): credit transfer when there
    is an account, naming the card link as the other way to pay; else the card link."""
    payment, reference = doc.payment, doc.payment_reference or doc.number
    if payment is None or not (payment.iban or payment.pay_url):
        return
    means = _sub(settlement, "ram", "SpecifiedTradeSettlementPaymentMeans")
    card = f"pay by card at {payment.pay_url}" if payment.pay_url else ""
    if not payment.iban:
        _text(means, "TypeCode", CREDIT_CARD)
        _text(means, "Information", card[0].upper() + card[1:])
        return
    # 58 is SEPA credit transfer, which exists only in euros; 30 is any credit transfer.
    _text(means, "TypeCode", SEPA_CREDIT_TRANSFER if doc.currency == "EUR" else CREDIT_TRANSFER)
    _text(means, "Information", f"Credit transfer quoting {reference}" + (f", or {card}" if card else ""))
    account = _sub(means, "ram", "PayeePartyCreditorFinancialAccount")
    _text(account, "IBANID", payment.iban)
    _text(account, "AccountName", payment.account_name)
    if payment.bic:
        _text(_sub(means, "ram", "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", payment.bic)


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _sub(parent: ET.Element, prefix: str, name: str) -> ET.Element:
    return ET.SubElement(parent, _q(prefix, name))


def _text(parent: ET.Element, name: str, value: str, ns: str = "ram", **attributes: str) -> None:
    """A text element, left out when the value is empty (an empty element breaks BR-* rules)."""
    if value is None or str(value).strip() == "":
        return
    element = ET.SubElement(parent, _q(ns, name), attributes)
    element.text = str(value).strip()


def _date(parent: ET.Element, day: date) -> None:
    _text(parent, "DateTimeString", day.strftime("%Y%m%d"), ns="udt", format="102")
