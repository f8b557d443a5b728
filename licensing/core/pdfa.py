"""Factur-X: an invoice or credit note as a PDF/A-3b with its EN 16931 CII XML embedded as
factur-x.xml, so software reads the same document a person does (prototype, to be merged into the
one PDF module).

WeasyPrint writes the PDF/A-3b itself (`pdf_variant="pdf/a-3b"`: XMP with pdfaid part 3, sRGB
output intent, embedded fonts, a file identifier hashed from the content) and the attachment;
a finisher, run just before the file is written, completes what Factur-X asks and WeasyPrint
does not do:
- the catalog's /AF lists the attachment once (WeasyPrint lists it twice);
- the embedded file's subtype is text/xml (WeasyPrint guesses it from the system's MIME table,
  which differs between machines, so the bytes would too);
- the XMP carries the Factur-X properties (fx:DocumentType, DocumentFileName, Version,
  ConformanceLevel) and the PDF/A extension schema that declares them.
Byte-reproducible: the attachment's dates are the document's own date, nothing reads the clock,
so a stored document re-renders byte for byte.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

import pydyf
from weasyprint import CSS, HTML, Attachment

FILE_NAME = "factur-x.xml"
FX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
EN16931 = "EN 16931"
# Factur-X 1.0 (1.07+): "Alternative" for the profiles that are a full invoice (EN 16931, EXTENDED);
# "Data" is for MINIMUM and BASIC WL, which are not.
RELATIONSHIP = "Alternative"
_PROPERTIES = (
    ("DocumentFileName", "name of the embedded XML invoice file"),
    ("DocumentType", "INVOICE"),
    ("Version", "The actual version of the Factur-X XML schema"),
    ("ConformanceLevel", "The conformance level of the embedded Factur-X data"),
)
_lock = threading.RLock()  # used when the caller brings none: WeasyPrint renders one at a time


@dataclass(frozen=True)
class FacturX:
    """What makes a PDF a Factur-X document: the XML, and the document's own date (the issue
    date: it dates the attachment instead of the clock)."""

    xml: bytes
    issued_on: date
    conformance_level: str = EN16931
    document_type: str = "INVOICE"  # also for credit notes: their XML says 381
    version: str = "1.0"
    description: str = "Factur-X invoice (EN 16931 CII)"


def facturx_xmp(facturx: FacturX) -> bytes:
    """The rdf:Description elements added to the PDF's XMP: the fx: properties and the PDF/A
    extension schema that declares them (PDF/A forbids undeclared XMP properties)."""
    fields = {"DocumentFileName": FILE_NAME, "DocumentType": facturx.document_type,
              "Version": facturx.version, "ConformanceLevel": facturx.conformance_level}
    values = "".join(f"<fx:{name}>{escape(value)}</fx:{name}>" for name, value in fields.items())
    properties = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        f"<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
        for name, description in _PROPERTIES)
    return (
        f'<rdf:Description xmlns:fx="{FX_NAMESPACE}" rdf:about="">{values}</rdf:Description>'
        '<rdf:Description xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
        'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
        'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#" rdf:about="">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{FX_NAMESPACE}</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    ).encode()


class FacturXFinisher:
    """Completes WeasyPrint's PDF/A-3b for Factur-X (see the module docstring); raises when the
    PDF lacks what it must complete, so a WeasyPrint change cannot quietly drop the invoice."""

    def __init__(self, facturx: FacturX):
        self.facturx = facturx

    def __call__(self, _document: Any, pdf: pydyf.PDF) -> None:  # noqa: ANN401 - WeasyPrint's Document
        filespecs = [obj for obj in pdf.objects if isinstance(obj, dict) and obj.get("Type") == "/Filespec"
                     and getattr(obj.get("UF"), "string", None) == FILE_NAME]
        if len(filespecs) != 1 or filespecs[0].get("AFRelationship") != f"/{RELATIONSHIP}":
            raise RuntimeError(f"expected one {FILE_NAME} attachment with AFRelationship {RELATIONSHIP}")
        filespec = filespecs[0]
        pdf.catalog["AF"] = pydyf.Array(_unique(pdf.catalog.get("AF", ())))
        stream = pdf.objects[int(filespec["EF"]["F"].split()[0])]
        stream.extra["Subtype"] = "/text#2Fxml"
        metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
        packet = b"".join(metadata.stream)
        if packet.count(b"</rdf:RDF>") != 1:
            raise RuntimeError("WeasyPrint's XMP has no single rdf:RDF to extend")
        metadata.stream = [packet.replace(b"</rdf:RDF>", facturx_xmp(self.facturx) + b"</rdf:RDF>")]


def _unique(items: Any) -> list:  # noqa: ANN401 - a pydyf Array
    seen, result = set(), []
    for item in items:
        if str(item) not in seen:
            seen.add(str(item))
            result.append(item)
    return result


def facturx_write_options(facturx: FacturX, url_fetcher: Any = None) -> dict[str, Any]:  # noqa: ANN401
    """The keyword arguments that make `write_pdf` write Factur-X; a new Attachment each time
    (WeasyPrint's cannot be reused between renders). The fetcher is the render's own: the XML
    is given as a string, so it fetches nothing."""
    when = datetime(facturx.issued_on.year, facturx.issued_on.month, facturx.issued_on.day, tzinfo=UTC)
    attachment = Attachment(string=facturx.xml, name=FILE_NAME, description=facturx.description,
                            created=when, modified=when, relationship=RELATIONSHIP, url_fetcher=url_fetcher)
    return {"pdf_variant": "pdf/a-3b", "attachments": [attachment], "finisher": FacturXFinisher(facturx)}


def render_facturx_pdf(html: str, facturx: FacturX, *, stylesheets: tuple[CSS, ...] = (), base_url: str | None = None,
                       url_fetcher: Any = None, font_config: Any = None,  # noqa: ANN401
                       lock: threading.RLock | None = None) -> bytes:
    """HTML to a Factur-X PDF, with the same inputs the app's render_pdf uses (its fetcher, its
    shared FontConfiguration, its render lock)."""
    with lock or _lock:
        document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
        return document.write_pdf(stylesheets=list(stylesheets), font_config=font_config,
                                  **facturx_write_options(facturx, url_fetcher))
