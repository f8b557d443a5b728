"""Independent checks of a Factur-X PDF, read back with pikepdf (qpdf) and the `factur-x`
package's own extractor: what an accounting system that imports Factur-X looks for.

`problems(pdf, xml)` lists everything wrong, [] when the PDF is a PDF/A-3 with the Factur-X XMP,
its /AF in the catalog, and `xml` attached as factur-x.xml.
"""
from __future__ import annotations

import io

import pikepdf

FX = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
FX_NAMESPACE = b"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
EXPECTED_FX = {"DocumentType": "INVOICE", "DocumentFileName": "factur-x.xml", "Version": "1.0",
               "ConformanceLevel": "EN 16931"}


def problems(pdf_bytes: bytes, xml: bytes) -> list[str]:
    try:
        pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    except pikepdf.PdfError as exc:
        return [f"not a PDF: {exc}"]
    found = [f"qpdf: {message}" for message in pdf.check_pdf_syntax()]
    found += _xmp(pdf)
    found += _attachment(pdf, xml)
    found += _fonts(pdf)
    intents = pdf.Root.get("/OutputIntents")
    if not intents or intents[0].get("/S") != "/GTS_PDFA1":
        found.append("no PDF/A output intent")
    found += _extracted(pdf_bytes, xml)
    return found


def _xmp(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    if "/Metadata" not in pdf.Root:
        return ["no XMP metadata"]
    meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    if meta.get(f"{PDFAID}part") != "3" or meta.get(f"{PDFAID}conformance") not in ("A", "B", "U"):
        found.append(f"XMP is not PDF/A-3: part {meta.get(f'{PDFAID}part')}, "
                     f"conformance {meta.get(f'{PDFAID}conformance')}")
    for name, value in EXPECTED_FX.items():
        if meta.get(f"{FX}{name}") != value:
            found.append(f"XMP fx:{name} is {meta.get(f'{FX}{name}')!r}, not {value!r}")
    raw = pdf.Root.Metadata.read_bytes()
    if b"<pdfaSchema:namespaceURI>" + FX_NAMESPACE not in raw:
        found.append("XMP has no PDF/A extension schema declaring the fx: namespace")
    return found


def _attachment(pdf: pikepdf.Pdf, xml: bytes) -> list[str]:
    af = pdf.Root.get("/AF")
    if af is None or len(af) == 0:
        return ["the catalog has no /AF"]
    found = []
    if len(af) != 1:
        found.append(f"the catalog's /AF lists {len(af)} files, not 1")
    filespec = af[0]
    if str(filespec.get("/UF", "")) != "factur-x.xml" or str(filespec.get("/F", "")) != "factur-x.xml":
        found.append(f"the /AF file is {filespec.get('/UF')!r}, not factur-x.xml")
    if filespec.get("/AFRelationship") not in ("/Alternative", "/Data", "/Source"):
        found.append(f"AFRelationship is {filespec.get('/AFRelationship')}")
    stream = filespec.EF.F
    if stream.get("/Subtype") != "/text/xml":
        found.append(f"the embedded file's subtype is {stream.get('/Subtype')}, not text/xml")
    if stream.read_bytes() != xml:
        found.append("the attached factur-x.xml is not the XML rendered for the document")
    names = pdf.attachments
    if "factur-x.xml" not in names:
        found.append("factur-x.xml is not in the document's EmbeddedFiles")
    return found


def _fonts(pdf: pikepdf.Pdf) -> list[str]:
    """Every font embedded (as pdffonts shows): PDF/A forbids relying on the reader's fonts."""
    found = []
    for number, page in enumerate(pdf.pages, start=1):
        fonts = page.Resources.get("/Font") or {}
        for name in fonts:
            font = fonts[name]
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
            if descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.append(f"page {number}: font {font.get('/BaseFont')} is not embedded")
    return found


def _extracted(pdf_bytes: bytes, xml: bytes) -> list[str]:
    from facturx import get_facturx_xml_from_pdf

    try:
        name, extracted = get_facturx_xml_from_pdf(pdf_bytes, check_xsd=False)
    except Exception as exc:  # noqa: BLE001 - the package raises bare exceptions
        return [f"the factur-x package finds no XML: {exc}"]
    if not name:
        return ["the factur-x package finds no XML in the PDF"]
    if (name, extracted) != ("factur-x.xml", xml):
        return [f"the factur-x package extracts {name!r}, not the rendered factur-x.xml"]
    return []
