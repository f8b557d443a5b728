"""The one module that imports WeasyPrint: HTML to PDF with a fetcher that reads nothing but the
app's own static files and data: URLs. Any other fetch (file://, http://, local ports) is refused
and fails the render, so untrusted text can never pull in files or make requests.

Invoices and credit notes are Factur-X: a PDF/A-3b with their EN 16931 CII XML embedded as
factur-x.xml, so software reads the same document a person does. WeasyPrint writes the PDF/A-3b
itself (`pdf_variant="pdf/a-3b"`: XMP with pdfaid part 3, sRGB output intent, embedded fonts, a
file identifier hashed from the content) and the attachment; a finisher, run just before the file
is written, completes what Factur-X asks and WeasyPrint does not do:
- the catalog's /AF lists the attachment once (WeasyPrint lists it twice);
- the embedded file's subtype is text/xml (WeasyPrint guesses it from the system's MIME table,
  which differs between machines, so the bytes would too);
- the XMP carries the Factur-X properties (fx:DocumentType, DocumentFileName, Version,
  ConformanceLevel) and the PDF/A extension schema that declares them.
Byte-reproducible: the attachment's dates are the document's own date, nothing reads the clock,
so a stored document re-renders byte for byte."""
from __future__ import annotations

import logging
import mimetypes
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

import pydyf
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from licensing.core.glyphs import MissingGlyphError, watch_notdef

STATIC_ROOT = (Path(__file__).resolve().parent / "static").resolve()
log = logging.getLogger(__name__)
_fonts: FontConfiguration | None = None
_stylesheets: dict[str, CSS] = {}  # parsed once per process: parsing costs ~15 ms a render
# One lock for all WeasyPrint work in a process: the shared fonts and stylesheets, and each render.
# WeasyPrint's text layout calls Pango, GLib and fontconfig through cffi, which lets go of the GIL,
# and two threads laying out text with the shared FontConfiguration corrupt the C heap:
# "realloc(): invalid next size" killed the development server (whose job threads render the
# license and the invoice at once), and a script of four rendering threads shows GLib and Pango
# assertions within seconds. The GIL held those threads to one core anyway; worker processes (RQ)
# still render side by side. Reentrant: a render takes the fonts and the stylesheet under it.
_render_lock = threading.RLock()


class RenderError(RuntimeError):
    pass


class MissingGlyphs(RenderError, MissingGlyphError):
    """A render that would print characters as empty boxes: it fails like any other render (retried,
    reported, never marked ready), and names the characters no installed font has."""


def font_config() -> FontConfiguration:
    """One FontConfiguration per process: without it memory grows with every render."""
    global _fonts
    with _render_lock:
        if _fonts is None:
            _fonts = FontConfiguration()
        return _fonts


class StaticOnlyFetcher(URLFetcher):
    """Serves data: URLs and files inside the static folder; records and refuses everything else."""

    def __init__(self, root: Path = STATIC_ROOT):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
        self.root = root
        self.blocked: list[str] = []

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_file() and path.is_relative_to(self.root):
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        self.blocked.append(url[:200])
        raise ValueError(f"blocked URL: {url[:200]}")


@dataclass(frozen=True)
class PdfMetadata:
    """Document information set on the PDF (and in its XMP for PDF/A): fixed values from the
    document, never the time of rendering, so the output stays byte-identical."""

    title: str
    author: str
    subject: str
    lang: str
    created: datetime
    modified: datetime


@dataclass(frozen=True)
class FileAttachment:
    name: str
    content: str
    description: str
    when: datetime  # fixed, so the output stays byte-identical
    mime: str = ""  # in a PDF/A: its MIME type, fixed (WeasyPrint guesses it from the machine's table)


def _stylesheet(name: str, fonts: FontConfiguration) -> CSS:
    """The app's stylesheet, parsed on first use and kept: it is read-only once parsed, and it
    fetches nothing at render time (anything it imports is fetched, and checked, when parsed)."""
    with _render_lock:
        css = _stylesheets.get(name)
        if css is None:
            fetcher = StaticOnlyFetcher()
            css = CSS(filename=str(STATIC_ROOT / name), url_fetcher=fetcher, font_config=fonts)
            if fetcher.blocked:
                raise RenderError(f"the stylesheet {name} tried to load blocked resource(s): "
                                  f"{', '.join(fetcher.blocked[:3])}")
            _stylesheets[name] = css
        return css


class AssociatedFiles:
    """A PDF/A finisher for attachments: the catalog's /AF lists each file once (WeasyPrint lists
    it twice), and each embedded file's MIME subtype is the one given, not the machine's guess,
    so the bytes are the same on every machine."""

    def __init__(self, attachments: tuple[FileAttachment, ...]):
        self.mimes = {a.name: a.mime for a in attachments if a.mime}

    def __call__(self, _document, pdf: pydyf.PDF) -> None:  # noqa: ANN001
        if "AF" in pdf.catalog:
            seen: dict[str, object] = {}
            for item in pdf.catalog["AF"]:
                seen.setdefault(str(item), item)
            pdf.catalog["AF"] = pydyf.Array(seen.values())
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Filespec":
                mime = self.mimes.get(getattr(obj.get("UF"), "string", None) or "")
                if mime:
                    stream = pdf.objects[int(obj["EF"]["F"].split()[0])]
                    stream.extra["Subtype"] = "/" + mime.replace("/", "#2f").replace("+", "#2b")


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_pdf(html: str, stylesheet: str = "pdf/document.css",
               attachments: tuple[FileAttachment, ...] = (), metadata: PdfMetadata | None = None,
               variant: str | None = None, facturx: FacturX | None = None) -> bytes:
    """Render trusted template output to PDF bytes; deterministic for the same input. Renders in
    one process take turns (see _render_lock). `variant` is a WeasyPrint PDF variant ("pdf/a-3b":
    attachments become associated files, /AF with their relationship); `metadata` overrides what
    the HTML's <title> and <meta> say; with `facturx`, a Factur-X PDF/A-3b with that XML. A
    character drawn as an empty box (.notdef) fails the render."""
    fetcher = StaticOnlyFetcher()
    with _render_lock:
        fonts = font_config()
        css = _stylesheet(stylesheet, fonts)
        extra = [Attachment(string=a.content, name=a.name, description=a.description, created=a.when,
                            modified=a.when, relationship="Data", url_fetcher=fetcher) for a in attachments]
        options = {"pdf_variant": variant} if variant else {}
        finisher = AssociatedFiles(attachments) if variant and variant.startswith("pdf/a") else None
        if facturx is not None:
            factur = facturx_write_options(facturx, fetcher)
            extra += factur.pop("attachments")
            options["pdf_variant"], finisher = factur.pop("pdf_variant"), factur.pop("finisher")
        with watch_notdef() as watch:
            document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher).render(
                stylesheets=[css], font_config=fonts, **options)
            if metadata is not None:
                document.metadata.title, document.metadata.authors = metadata.title, [metadata.author]
                document.metadata.description, document.metadata.lang = metadata.subject, metadata.lang
                document.metadata.created, document.metadata.modified = _iso(metadata.created), _iso(metadata.modified)
            pdf = document.write_pdf(attachments=extra or None, finisher=finisher, **options)
        try:
            watch.check()
        except MissingGlyphError as exc:
            raise MissingGlyphs(exc.characters) from None
    if fetcher.blocked:
        raise RenderError(f"the document tried to load {len(fetcher.blocked)} blocked resource(s): "
                          f"{', '.join(fetcher.blocked[:3])}")
    return pdf


# Factur-X (EN 16931 profile) ------------------------------------------------------------------

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
                       url_fetcher: Any = None, font_config: Any = None) -> bytes:  # noqa: ANN401
    """HTML to a Factur-X PDF with the caller's stylesheets and fonts (the validators' tests and
    the bench), under the one render lock."""
    with _render_lock:
        document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
        return document.write_pdf(stylesheets=list(stylesheets), font_config=font_config,
                                  **facturx_write_options(facturx, url_fetcher))
