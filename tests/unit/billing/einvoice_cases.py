"""The documents the EN 16931 tests check: an invoice for each tax case (domestic standard rate,
EU reverse charge, outside scope, an EU seller in euros with two lines, a zero-decimal
currency) and credit notes (partial, full, outside scope). Plain literal values: what an
issued desk invoice holds."""
from __future__ import annotations

from datetime import date

from invoices.billing.rules.einvoice import (
    CREDIT_NOTE,
    INVOICE,
    Address,
    EInvoice,
    InvoiceReference,
    Line,
    Party,
    PaymentMeans,
)

REVERSE_CHARGE_NOTE = ("Reverse charge: VAT to be accounted for by the recipient "
                       "(Article 196, Council Directive 2006/112/EC).")
OUTSIDE_SCOPE_NOTE = "Outside the scope of UK VAT: services supplied to a recipient outside the United Kingdom."

SELLER_GB = Party(
    "Middle East Eye Ltd", Address(("Example House", "1 Example Street"), "London", "EC1A 1AA", "GB"),
    vat_id="GB980780684", company_id="08741136", email="finance@desk.example",
    legal_info=("Private limited company registered in England and Wales, company number 08741136. "
                "Registered office: Example House, 1 Example Street, London EC1A 1AA."))
SELLER_IE = Party(
    "Nuacht Teoranta", Address(("Unit 4", "Docklands Innovation Park"), "Dublin", "D03 X2Y4", "IE"),
    vat_id="IE6388047V", company_id="543210", email="billing@nuacht.example",
    legal_info="Private company limited by shares, registered in Ireland, no. 543210.")
BUYER_GB = Party("The Northern Echo", Address(("12 Priestgate",), "Darlington", "DL1 1NF", "GB"),
                 email="accounts@echo.example", contact="Sam Patel")
BUYER_DE = Party("Die Zeitung GmbH", Address(("Hauptstraße 5", "Hinterhaus"), "Berlin", "10115", "DE"),
                 vat_id="DE136695976", email="rechnung@zeitung.example", contact="Anna Schmidt")
BUYER_US = Party("Gazette Media Inc.", Address(("200 Main St", "Suite 5", "Floor 3", "Door B"), "Springfield",
                                               "62701", "US", subdivision="IL"),
                 vat_id="12-3456789", email="ap@gazette.example")  # a US tax id: never printed (BR-O-02)
BUYER_FR = Party("Le Quotidien SA", Address(("8 rue de la Paix",), "Paris", "75002", "FR"),
                 vat_id="FR40303265045", email="compta@quotidien.example")
BUYER_JP = Party("Shimbun KK", Address(("1-2-3 Otemachi",), "Tokyo", "100-0004", "JP"))

PAY_GBP = PaymentMeans(iban="GB82WEST12345698765432", bic="NWBKGB2L", account_name="Middle East Eye Ltd",
                       pay_url="https://desk.example/pay/INV-2026-00001/3f2a")
PAY_EUR = PaymentMeans(iban="IE29AIBK93115212345678", bic="AIBKIE2D", account_name="Nuacht Teoranta",
                       pay_url="https://desk.example/pay/INV-2026-00104/77aa")
CARD_ONLY = PaymentMeans(pay_url="https://desk.example/pay/INV-2026-00003/c0de")
ONE_YEAR = {"period_start": date(2026, 12, 7), "period_end": date(2027, 12, 6)}


def domestic_invoice() -> EInvoice:
    line = Line("License L-2026-00001: 'US, Turkey to work closely to deal IS lasting defeat', website, 1 year",
                1, 35000, 35000, "S", 2000, **ONE_YEAR)
    return EInvoice("INV-2026-00001", INVOICE, date(2026, 12, 7), "GBP", SELLER_GB, BUYER_GB, (line,),
                    due_date=date(2026, 12, 21), payment_terms="Payable within 14 days of the issue date.",
                    payment=PAY_GBP, buyer_reference="PO-4471", purchase_order="PO-4471",
                    contract_reference="L-2026-00001")


def reverse_charge_invoice() -> EInvoice:
    line = Line("License L-2026-00002: article translated into German, print, 30 days", 1, 48050, 48050, "AE", 0,
                "Reverse charge", "VATEX-EU-AE", date(2026, 12, 7), date(2027, 1, 5))
    return EInvoice("INV-2026-00002", INVOICE, date(2026, 12, 7), "GBP", SELLER_GB, BUYER_DE, (line,),
                    due_date=date(2026, 12, 21), payment_terms="Payable within 14 days of the issue date.",
                    payment=PAY_GBP, contract_reference="L-2026-00002", notes=(REVERSE_CHARGE_NOTE,))


def outside_scope_invoice() -> EInvoice:
    line = Line("License L-2026-00003: perpetual archive, website", 1, 120000, 120000, "O", 0,
                "Not subject to VAT", "VATEX-EU-O", period_start=date(2026, 12, 8))
    return EInvoice("INV-2026-00003", INVOICE, date(2026, 12, 8), "GBP", SELLER_GB, BUYER_US, (line,),
                    due_date=date(2026, 12, 22), payment_terms="Payable within 14 days of the issue date.",
                    payment=CARD_ONLY, contract_reference="L-2026-00003", notes=(OUTSIDE_SCOPE_NOTE,))


def eu_seller_invoice() -> EInvoice:
    """Two lines whose VAT rounded line by line (2312 + 2312) is not the VAT of their sum (4623):
    the breakdown's VAT is computed on the sum."""
    lines = (Line("License L-2026-00104: article, website, 30 days", 1, 10050, 10050, "S", 2300, **ONE_YEAR),
             Line("License L-2026-00104: photograph, website, 30 days", 1, 10050, 10050, "S", 2300, **ONE_YEAR))
    return EInvoice("INV-2026-00104", INVOICE, date(2026, 12, 7), "EUR", SELLER_IE,
                    Party("Irish Local News", Address(("3 Main Street",), "Cork", "T12 AB34", "IE")), lines,
                    due_date=date(2026, 12, 21), payment_terms="Payable within 14 days.", payment=PAY_EUR)


def yen_invoice() -> EInvoice:
    line = Line("License L-2026-00005: one-off use, newsletter", 1, 52000, 52000, "O", 0, "Not subject to VAT",
                "VATEX-EU-O", date(2026, 12, 9), date(2027, 1, 8))
    return EInvoice("INV-2026-00005", INVOICE, date(2026, 12, 9), "JPY", SELLER_GB, BUYER_JP, (line,),
                    due_date=date(2026, 12, 23), payment=CARD_ONLY, notes=(OUTSIDE_SCOPE_NOTE,))


def partial_credit_note() -> EInvoice:
    """£60.00 refunded of INV-2026-00001 (£420.00): net 5000, VAT 1000."""
    line = Line("Partial refund of invoice INV-2026-00001 (license L-2026-00001)", 1, 5000, 5000, "S", 2000,
                **ONE_YEAR)
    return EInvoice("CN-2026-00001", CREDIT_NOTE, date(2026, 12, 20), "GBP", SELLER_GB, BUYER_GB, (line,),
                    payment_terms="Refunded to the card or account that paid the invoice.",
                    corrects=(InvoiceReference("INV-2026-00001", date(2026, 12, 7)),), buyer_reference="PO-4471",
                    contract_reference="L-2026-00001", notes=("Reason: the article was published a week late.",))


def full_credit_note() -> EInvoice:
    """All of the reverse-charge invoice, with its tax wording."""
    line = Line("Refund of invoice INV-2026-00002 (license L-2026-00002)", 1, 48050, 48050, "AE", 0,
                "Reverse charge", "VATEX-EU-AE", date(2026, 12, 7), date(2027, 1, 5))
    return EInvoice("CN-2026-00002", CREDIT_NOTE, date(2026, 12, 21), "GBP", SELLER_GB, BUYER_DE, (line,),
                    payment_terms="Refunded to the card or account that paid the invoice.",
                    corrects=(InvoiceReference("INV-2026-00002", date(2026, 12, 7)),),
                    contract_reference="L-2026-00002", notes=(REVERSE_CHARGE_NOTE, "Reason: duplicate order."))


def outside_scope_credit_note() -> EInvoice:
    line = Line("Refund of invoice INV-2026-00003 (license L-2026-00003)", 1, 120000, 120000, "O", 0,
                "Not subject to VAT", "VATEX-EU-O", period_start=date(2026, 12, 8))
    return EInvoice("CN-2026-00003", CREDIT_NOTE, date(2026, 12, 30), "GBP", SELLER_GB, BUYER_US, (line,),
                    payment_terms="Refunded to the card that paid the invoice.",
                    corrects=(InvoiceReference("INV-2026-00003", date(2026, 12, 8)),),
                    notes=(OUTSIDE_SCOPE_NOTE, "Reason: the license was cancelled at the buyer's request."))


ALL = {
    "domestic_invoice": domestic_invoice, "reverse_charge_invoice": reverse_charge_invoice,
    "outside_scope_invoice": outside_scope_invoice, "eu_seller_invoice": eu_seller_invoice,
    "yen_invoice": yen_invoice, "partial_credit_note": partial_credit_note, "full_credit_note": full_credit_note,
    "outside_scope_credit_note": outside_scope_credit_note,
}
