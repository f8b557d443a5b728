"""Names that would print as empty boxes: found during a render, and before one.

When no installed font has a character, WeasyPrint 70 draws the font's `.notdef` glyph (an empty
box), logs one WARNING per character on the "weasyprint" logger (".notdef glyph rendered for
Unicode string unsupported by fonts: ...") and writes the PDF anyway. The PDF's text layer still
holds the character (measured: pdftotext returns U+E000 for a box), so reading the text back does
not notice either. A licensee's name in Japanese on a license was boxes, and the document was
marked ready.

- `watch_notdef()` catches those warnings during a render, in the rendering thread only, and
  `MissingGlyphError` turns them into a failed render (retried and reported like any other).
  It raises rather than pass blind if logging is switched off globally, and lowers the weasyprint
  logger to WARNING for the render if someone raised it (the warning is the only signal there is).
- `uncovered(text)` says before rendering which characters no installed font has, from
  fontconfig's character sets (one `fc-list` call per process, about 0.1 s, then a lookup): for a
  clear message at the form, or a check of a document's inputs. It cannot see what Pango will
  pick, so the render watch stays the one that decides.
"""
from __future__ import annotations

import bisect
import logging
import subprocess
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

WEASYPRINT_LOGGER = "weasyprint"
NOTDEF_MESSAGE = ".notdef glyph rendered"
# Characters no font needs to draw: controls, format characters (soft hyphen, joiners, bidi
# marks) and line or paragraph separators; Pango lays them out without a glyph.
NO_GLYPH_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


class GlyphCheckUnavailable(RuntimeError):
    """The watch would see nothing (logging is disabled globally): refuse rather than pass."""


class MissingGlyphError(RuntimeError):
    """A render drew characters as empty boxes."""

    def __init__(self, characters: tuple[str, ...]):
        self.characters = characters
        listed = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in characters[:10])
        more = f" and {len(characters) - 10} more" if len(characters) > 10 else ""
        super().__init__(f"no installed font has {len(characters)} character(s) of the document: {listed}{more}")


class NotdefWatch(logging.Handler):
    """Collects the characters WeasyPrint drew as `.notdef` in the thread that installed it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self._characters: dict[str, None] = {}  # ordered, each once

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread or not str(record.msg).startswith(NOTDEF_MESSAGE):
            return
        args = record.args if isinstance(record.args, tuple) else ()
        if args and isinstance(args[0], str) and args[0]:
            self._characters[args[0]] = None
        else:  # a WeasyPrint that formats the message itself: keep the whole message's text
            self._characters[record.getMessage()] = None

    @property
    def characters(self) -> tuple[str, ...]:
        return tuple(self._characters)

    def check(self) -> None:
        """Raise MissingGlyphError if the render drew any box."""
        if self._characters:
            raise MissingGlyphError(self.characters)


@contextmanager
def watch_notdef() -> Iterator[NotdefWatch]:
    """`with watch_notdef() as watch: pdf = ...write_pdf(...)`, then `watch.check()`."""
    if logging.root.manager.disable >= logging.WARNING:
        raise GlyphCheckUnavailable("logging.disable() hides WeasyPrint's .notdef warnings: cannot check glyphs")
    logger = logging.getLogger(WEASYPRINT_LOGGER)
    previous = logger.level
    lowered = not logger.isEnabledFor(logging.WARNING)
    if lowered:
        logger.setLevel(logging.WARNING)
    watch = NotdefWatch()
    logger.addHandler(watch)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)
        if lowered:
            logger.setLevel(previous)


def parse_charset(text: str) -> list[tuple[int, int]]:
    """fontconfig's character set notation ("20-7e a0 4e00-9fff") as inclusive ranges."""
    ranges = []
    for part in text.split():
        low, _, high = part.partition("-")
        ranges.append((int(low, 16), int(high or low, 16)))
    return ranges


def merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


@lru_cache(maxsize=1)
def font_coverage() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(starts, ends) of the code points some installed font covers, merged and sorted."""
    listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True,
                             check=True, timeout=60).stdout
    ranges = merge([r for line in listing.splitlines() for r in parse_charset(line)])
    return tuple(low for low, _ in ranges), tuple(high for _, high in ranges)


def covered(codepoint: int, coverage: tuple[tuple[int, ...], tuple[int, ...]]) -> bool:
    starts, ends = coverage
    index = bisect.bisect_right(starts, codepoint) - 1
    return index >= 0 and codepoint <= ends[index]


def uncovered(text: str, coverage: tuple[tuple[int, ...], tuple[int, ...]] | None = None) -> list[str]:
    """The characters of `text` (each once, in order) that no installed font has."""
    coverage = coverage or font_coverage()
    missing = {char for char in set(text)
               if unicodedata.category(char) not in NO_GLYPH_CATEGORIES and not char.isspace()
               and not covered(ord(char), coverage)}
    return sorted(missing, key=text.index)
