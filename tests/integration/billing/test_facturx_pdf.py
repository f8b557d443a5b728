"""Factur-X PDFs read back (pikepdf, and the factur-x package's own extractor): PDF/A-3 and
Factur-X XMP, /AF in the catalog, an attachment equal to the XML rendered for the document;
byte for byte the same on every render; and the same checks fail on a plain PDF."""
from __future__ import annotations

import io
import time
from datetime import date

import pikepdf
import pytest
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from invoices.billing.rules.einvoice import build_cii
from licensing.core.pdf import FacturX, facturx_xmp, render_facturx_pdf
from tests.integration.billing.invoice_html import STATIC, STYLESHEET, invoice_html
from tests.unit.billing import einvoice_cases as cases
from tests.validators.facturx_pdf import problems

FONTS = FontConfiguration()
CSS_V2 = CSS(filename=str(STYLESHEET), font_config=FONTS)


def render(facturx: FacturX, html: str | None = None) -> bytes:
    return render_facturx_pdf(html or invoice_html(), facturx, stylesheets=(CSS_V2,), base_url=STATIC.as_uri() + "/",
                              font_config=FONTS)


def plain(html: str | None = None) -> bytes:
    return HTML(string=html or invoice_html(), base_url=STATIC.as_uri() + "/").write_pdf(
        stylesheets=[CSS_V2], font_config=FONTS)


@pytest.fixture(scope="module")
def invoice() -> tuple[bytes, bytes]:
    xml = build_cii(cases.domestic_invoice())
    return xml, render(FacturX(xml, date(2026, 12, 7)))


def test_the_factur_x_pdf_passes_every_check(invoice: tuple[bytes, bytes]) -> None:
    xml, pdf = invoice
    assert problems(pdf, xml) == []


@pytest.mark.parametrize("name", ["partial_credit_note", "outside_scope_invoice"])
def test_credit_notes_and_other_tax_cases_too(name: str) -> None:
    doc = cases.ALL[name]()
    xml = build_cii(doc)
    assert problems(render(FacturX(xml, doc.issue_date)), xml) == []


def test_what_the_checks_read(invoice: tuple[bytes, bytes]) -> None:
    xml, pdf_bytes = invoice
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    assert (meta["{http://www.aiim.org/pdfa/ns/id/}part"], meta["{http://www.aiim.org/pdfa/ns/id/}conformance"]) \
        == ("3", "B")
    fx = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
    assert [meta[fx + name] for name in ("DocumentType", "DocumentFileName", "Version", "ConformanceLevel")] \
        == ["INVOICE", "factur-x.xml", "1.0", "EN 16931"]
    [filespec] = list(pdf.Root.AF)
    assert (filespec.AFRelationship, str(filespec.UF)) == ("/Alternative", "factur-x.xml")
    params = filespec.EF.F.Params
    assert (str(params.CreationDate), str(params.ModDate)) == ("D:20261207000000Z", "D:20261207000000Z")
    assert pdf.attachments["factur-x.xml"].get_file().read_bytes() == xml
    assert "/CreationDate" not in pdf.docinfo and "/ModDate" not in pdf.docinfo


def test_rendering_again_later_gives_the_same_bytes(invoice: tuple[bytes, bytes]) -> None:
    xml, first = invoice
    time.sleep(1.1)  # a clock time anywhere (seconds at least) would now differ
    assert render(FacturX(xml, date(2026, 12, 7))) == first


def test_the_document_date_is_in_the_bytes_and_changes_them(invoice: tuple[bytes, bytes]) -> None:
    xml, first = invoice
    other = render(FacturX(xml, date(2026, 12, 8)))
    assert other != first
    pdf = pikepdf.open(io.BytesIO(other))
    assert str(pdf.Root.AF[0].EF.F.Params.CreationDate) == "D:20261208000000Z"


def test_a_plain_pdf_fails_the_same_checks(invoice: tuple[bytes, bytes]) -> None:
    xml, _ = invoice
    found = problems(plain(), xml)
    assert "the catalog has no /AF" in found
    assert "XMP has no PDF/A extension schema declaring the fx: namespace" in found or "no XMP metadata" in found
    assert any(problem.startswith("the factur-x package finds no XML") for problem in found)


def test_a_pdf_carrying_other_xml_fails(invoice: tuple[bytes, bytes]) -> None:
    xml, pdf = invoice
    other = build_cii(cases.reverse_charge_invoice())
    found = problems(pdf, other)
    assert "the attached factur-x.xml is not the XML rendered for the document" in found
    assert "the factur-x package extracts 'factur-x.xml', not the rendered factur-x.xml" in found


def test_not_a_pdf_fails() -> None:
    assert problems(b"%PDF-1.7 broken", b"<x/>")[0].startswith("not a PDF")


def test_the_xmp_declares_every_fx_property_it_uses() -> None:
    xmp = facturx_xmp(FacturX(b"<x/>", date(2026, 1, 1))).decode()
    for name in ("DocumentFileName", "DocumentType", "Version", "ConformanceLevel"):
        assert f"<fx:{name}>" in xmp
        assert f"<pdfaProperty:name>{name}</pdfaProperty:name>" in xmp
