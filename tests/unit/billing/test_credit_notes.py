"""A credit note derived from its invoice: the same parties, category, rate, tax wording and
term, BG-3 naming the invoice; checked by the EN 16931 schematron like every document."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from invoices.billing.rules.credit_notes import credit_note_for
from invoices.billing.rules.einvoice import InvoiceReference, build_cii, totals
from invoices.billing.rules.refund_split import RefundSplit
from tests.unit.billing import einvoice_cases as cases
from tests.validators.en16931 import schematron_failures, xsd_errors


def test_a_partial_refund_credits_one_line_of_the_invoices_category_and_term() -> None:
    note = credit_note_for(cases.domestic_invoice(), number="CN-2026-00009", issue_date=date(2026, 12, 20),
                           split=RefundSplit(5000, 1000), reason=" The article ran late. ")
    [line] = note.lines
    assert (line.description, line.quantity, line.unit_amount, line.net_amount, line.category, line.rate_bp) == (
        "Partial refund of invoice INV-2026-00001: License L-2026-00001: 'US, Turkey to work closely to deal IS "
        "lasting defeat', website, 1 year", 1, 5000, 5000, "S", 2000)
    assert (line.period_start, line.period_end) == (date(2026, 12, 7), date(2027, 12, 6))
    assert note.corrects == (InvoiceReference("INV-2026-00001", date(2026, 12, 7)),)
    assert (note.type_code, note.payment_terms, note.notes) == (
        "381", "Refunded to the card or account that paid the invoice.", ("Reason: The article ran late.",))
    assert (totals(note).line_total, totals(note).vat_total, totals(note).grand_total) == (5000, 1000, 6000)
    # the invoice's references and its delivery (its issue date, as it had none) carry over
    assert (note.number, note.issue_date, note.currency) == ("CN-2026-00009", date(2026, 12, 20), "GBP")
    assert (note.buyer_reference, note.purchase_order, note.contract_reference) == ("PO-4471", "PO-4471",
                                                                                     "L-2026-00001")
    assert note.delivery_date == date(2026, 12, 7)


def test_a_partial_refund_of_a_line_of_several_units_is_one_unit_of_the_refund() -> None:
    invoice = cases.domestic_invoice()
    invoice = replace(invoice, lines=(replace(invoice.lines[0], quantity=2, unit_amount=17500),),
                      delivery_date=date(2026, 12, 10), notes=("Reason: an earlier note's reason.",))
    note = credit_note_for(invoice, number="CN-2026-00016", issue_date=date(2026, 12, 20),
                           split=RefundSplit(1, 0), reason="   ")
    [line] = note.lines
    assert (line.quantity, line.unit_amount, line.net_amount) == (1, 1, 1)
    assert note.delivery_date == date(2026, 12, 10)
    assert note.notes == ()  # neither the invoice's reason nor an empty one


def test_a_full_refund_of_a_reverse_charge_invoice_keeps_its_lines_and_wording() -> None:
    invoice = cases.reverse_charge_invoice()
    note = credit_note_for(invoice, number="CN-2026-00010", issue_date=date(2026, 12, 21),
                           split=RefundSplit(48050, 0), reason="Duplicate order.")
    assert note.lines == invoice.lines
    assert note.notes == (cases.REVERSE_CHARGE_NOTE, "Reason: Duplicate order.")
    assert (note.seller, note.buyer) == (cases.SELLER_GB, cases.BUYER_DE)


def test_a_void_says_nothing_is_payable() -> None:
    note = credit_note_for(cases.outside_scope_invoice(), number="CN-2026-00011", issue_date=date(2026, 12, 9),
                           split=RefundSplit(120000, 0), reason="Cancelled before payment.", kind="void")
    assert note.payment_terms == "The invoice was voided before it was paid: nothing is to be paid or refunded."


@pytest.mark.parametrize(("split", "message"), [
    (RefundSplit(35001, 7000), "a credit note credits more than nothing and at most the invoice"),
    (RefundSplit(0, 0), "a credit note credits more than nothing and at most the invoice"),
    (RefundSplit(417, 84), "VAT 84 is not 20% of 417, rounded half up"),
    (RefundSplit(0, 1), "VAT 1 is not 20% of 0, rounded half up"),
])
def test_impossible_credits_are_refused(split: RefundSplit, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        credit_note_for(cases.domestic_invoice(), number="CN-2026-00012", issue_date=date(2026, 12, 20),
                        split=split, reason="x")


def test_a_credit_note_is_for_a_refund_or_a_void_of_one_rate() -> None:
    with pytest.raises(ValueError, match="^a credit note is for a refund or a void$"):
        credit_note_for(cases.domestic_invoice(), number="CN-2026-00017", issue_date=date(2026, 12, 20),
                        split=RefundSplit(5000, 1000), reason="x", kind="discount")
    invoice = cases.domestic_invoice()
    two_rates = replace(invoice, lines=(invoice.lines[0], replace(invoice.lines[0], rate_bp=500)))
    with pytest.raises(ValueError, match="^a credit note is derived from an invoice of one VAT category and rate$"):
        credit_note_for(two_rates, number="CN-2026-00018", issue_date=date(2026, 12, 20),
                        split=RefundSplit(5000, 1000), reason="x")


def test_derived_credit_notes_pass_the_xsd_and_the_schematron() -> None:
    notes = [
        credit_note_for(cases.domestic_invoice(), number="CN-2026-00013", issue_date=date(2026, 12, 20),
                        split=RefundSplit(417, 83), reason="Partial."),
        credit_note_for(cases.eu_seller_invoice(), number="CN-2026-00014", issue_date=date(2026, 12, 20),
                        split=RefundSplit(20100, 4623), reason="Full."),
        credit_note_for(cases.outside_scope_invoice(), number="CN-2026-00015", issue_date=date(2026, 12, 9),
                        split=RefundSplit(120000, 0), reason="", kind="void"),
    ]
    xmls = [build_cii(note) for note in notes]
    assert [xsd_errors(xml) for xml in xmls] == [[], [], []]
    assert [[str(f) for f in failures] for failures in schematron_failures(xmls)] == [[], [], []]
