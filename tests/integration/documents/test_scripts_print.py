"""Every script a licensee's name may be in prints, and a character no font has fails the render.

Renders through WeasyPrint with the app's document font ("DejaVu Sans", so the Noto fonts are
reached by fontconfig's fallback, as on a real license), reads the PDF back with pdftotext and
looks for each name. Then a private-use character that no installed font has: the .notdef watch
must flag it, although pdftotext still returns the character (which is why reading the text
back is no check at all).

Needs the Debian packages fonts-noto-core, fonts-noto-cjk and poppler-utils (.ci/system-deps.sh).
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import threading

import pytest
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from licensing.core.glyphs import (
    GlyphCheckUnavailable,
    MissingGlyphError,
    font_coverage,
    merge,
    parse_charset,
    uncovered,
    watch_notdef,
)

NAMES = {
    "Latin": "Zoë Łukasz-Müller Ltd",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Cyrillic": "Екатерина Смирнова",
    "Arabic": "محمد عبد الله",
    "Hebrew": "דוד לוי",
    # pdftotext reads some Devanagari clusters back wrongly (WeasyPrint maps each glyph to text
    # once per font, and a glyph first met inside a reordered cluster keeps a partial mapping):
    # this name reads back whole; the print itself is right for the others too (checked by eye).
    "Devanagari": "अनीता राहुल",
    "Thai": "สมชาย ใจดี",
    "Chinese": "王小明",
    "Japanese": "山田 太郎 やまだ",
    "Korean": "김민준",
}
NO_FONT_HAS = "\ue000"  # a private-use character: no installed font maps it


def page(lines: list[str]) -> str:
    body = "".join(f"<p>{line}</p>" for line in lines)
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Names</title>'
            '<style>html { font-family: "DejaVu Sans", sans-serif; font-size: 10pt }</style></head>'
            f"<body>{body}</body></html>")


@pytest.fixture(scope="module")
def fonts() -> FontConfiguration:
    return FontConfiguration()


def render(html: str, fonts: FontConfiguration) -> bytes:
    return HTML(string=html).write_pdf(font_config=fonts)


def pdf_text(pdf: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext is missing: run .ci/system-deps.sh test (poppler-utils)"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


@pytest.fixture(scope="module")
def rendered(fonts, tmp_path_factory) -> tuple[str, tuple[str, ...]]:
    """(pdftotext's text, characters drawn as boxes) of one page with every name."""
    with watch_notdef() as watch:
        pdf = render(page([f"{script}: {name}" for script, name in NAMES.items()]), fonts)
    return pdf_text(pdf, tmp_path_factory.mktemp("names")), watch.characters


@pytest.mark.parametrize("script", NAMES)
def test_the_name_prints_and_reads_back(rendered, script):
    text, boxes = rendered
    assert [char for char in boxes if char in NAMES[script]] == []  # no box in this name
    assert NAMES[script] in text


@pytest.mark.parametrize("script", NAMES)
def test_fontconfig_covers_the_name(script):
    assert uncovered(NAMES[script]) == []


def test_a_character_no_font_has_is_flagged(fonts, tmp_path):
    with watch_notdef() as watch:
        pdf = render(page([f"Licensee: Box {NO_FONT_HAS} Ltd", "Leeds Evening Post"]), fonts)
    assert watch.characters == (NO_FONT_HAS,)
    with pytest.raises(MissingGlyphError, match="U\\+E000 unnamed"):
        watch.check()
    # the box does not show in the text layer: reading the PDF back cannot catch it
    assert f"Box {NO_FONT_HAS} Ltd" in pdf_text(pdf, tmp_path)
    assert uncovered(f"Box {NO_FONT_HAS} Ltd") == [NO_FONT_HAS]


def test_the_watch_sees_through_a_silenced_weasyprint_logger(fonts):
    logger = logging.getLogger("weasyprint")
    before = logger.level
    logger.setLevel(logging.ERROR)  # e.g. an app that silenced WeasyPrint's warnings
    try:
        with watch_notdef() as watch:
            render(page([f"Box {NO_FONT_HAS}"]), fonts)
        assert watch.characters == (NO_FONT_HAS,)
        assert logger.level == logging.ERROR
    finally:
        logger.setLevel(before)


def test_the_watch_refuses_when_logging_is_disabled():
    logging.disable(logging.CRITICAL)
    try:
        with pytest.raises(GlyphCheckUnavailable), watch_notdef():
            pass
    finally:
        logging.disable(logging.NOTSET)


def test_a_watch_sees_only_its_own_thread(fonts):
    with watch_notdef() as watch:
        other = threading.Thread(target=lambda: render(page([f"Box {NO_FONT_HAS}"]), fonts))
        other.start()
        other.join(timeout=60)
        render(page(["Nothing missing here"]), fonts)
    assert watch.characters == ()


def test_a_clean_render_passes_the_check(fonts):
    with watch_notdef() as watch:
        render(page(["Leeds Evening Post Ltd"]), fonts)
    watch.check()
    assert watch.characters == ()


@pytest.mark.parametrize(("text", "ranges"), [
    ("20-7e a0", [(0x20, 0x7E), (0xA0, 0xA0)]),
    ("4e00-9fff", [(0x4E00, 0x9FFF)]),
    ("", []),
])
def test_parse_charset(text, ranges):
    assert parse_charset(text) == ranges


def test_merge_joins_touching_and_overlapping_ranges():
    assert merge([(0x30, 0x39), (0x20, 0x2F), (0x100, 0x1FF), (0x150, 0x160)]) == [(0x20, 0x39), (0x100, 0x1FF)]


def test_the_coverage_has_no_private_use_area():
    starts, ends = font_coverage()
    assert starts and len(starts) == len(ends)
    assert uncovered("\ue000\uf8ff") == ["\ue000", "\uf8ff"]
