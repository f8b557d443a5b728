"""The one module that imports WeasyPrint: HTML to PDF with a fetcher that reads nothing but the
app's own static files and data: URLs. Any other fetch (file://, http://, local ports) is refused
and fails the render, so untrusted text can never pull in files or make requests."""
from __future__ import annotations

import logging
import mimetypes
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
               variant: str | None = None) -> bytes:
    """Render trusted template output to PDF bytes; deterministic for the same input. Renders in
    one process take turns (see _render_lock). `variant` is a WeasyPrint PDF variant ("pdf/a-3b":
    attachments become associated files, /AF with their relationship); `metadata` overrides what
    the HTML's <title> and <meta> say. A character drawn as an empty box (.notdef) fails the render."""
    fetcher = StaticOnlyFetcher()
    with _render_lock:
        fonts = font_config()
        css = _stylesheet(stylesheet, fonts)
        extra = [Attachment(string=a.content, name=a.name, description=a.description, created=a.when,
                            modified=a.when, relationship="Data", url_fetcher=fetcher) for a in attachments]
        options = {"pdf_variant": variant} if variant else {}
        with watch_notdef() as watch:
            document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher).render(
                stylesheets=[css], font_config=fonts, **options)
            if metadata is not None:
                document.metadata.title, document.metadata.authors = metadata.title, [metadata.author]
                document.metadata.description, document.metadata.lang = metadata.subject, metadata.lang
                document.metadata.created, document.metadata.modified = _iso(metadata.created), _iso(metadata.modified)
            finisher = AssociatedFiles(attachments) if variant and variant.startswith("pdf/a") else None
            pdf = document.write_pdf(attachments=extra or None, finisher=finisher, **options)
        try:
            watch.check()
        except MissingGlyphError as exc:
            raise MissingGlyphs(exc.characters) from None
    if fetcher.blocked:
        raise RenderError(f"the document tried to load {len(fetcher.blocked)} blocked resource(s): "
                          f"{', '.join(fetcher.blocked[:3])}")
    return pdf
