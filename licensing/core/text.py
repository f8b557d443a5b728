"""User text made safe to keep, show and log.

Bidirectional-text controls (U+202E "right-to-left override" and its kin) make a name display as
something else: "Acme\u202eCTL" reads as a different name on the verify page, a license or the
queue. Nothing a publisher or a member of staff types needs them (real right-to-left text is
displayed correctly by the Unicode bidi algorithm alone), so they are removed on input, with the
other invisible control characters.

Log lines are a second target: a newline (or U+2028, or an ANSI escape) in a request path or a
typed value writes a line an attacker chose. Logs escape every such character instead, so the log
shows exactly what was sent, on one line. Pure: standard library only."""
from __future__ import annotations

import re

# Embeddings and overrides (U+202A-202E), isolates (U+2066-2069), the marks LRM, RLM and ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
LINE_BREAKS = frozenset("\r\n\u2028\u2029\x85\x0b\x0c")
_C0_C1 = frozenset(chr(c) for c in (*range(0x00, 0x20), *range(0x7f, 0xa0)))
_KEPT_IN_MULTILINE = frozenset("\t\r\n")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LOG_UNSAFE = re.compile("[" + re.escape("".join(sorted(_C0_C1 | LINE_BREAKS | BIDI_CONTROLS))) + "]")


def strip_bidi_controls(text: str) -> str:
    """The text without bidirectional-text controls (all the rest kept as it is)."""
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS)


def clean_input(text: str, multiline: bool = False) -> str:
    """Typed text as it may be stored: no bidi controls and no invisible control characters.

    One-line fields (names, titles) get a space for a tab or a line break, so words pasted from two
    lines stay apart; multi-line fields (notes, addresses) keep tab, CR and LF as typed, and turn
    the Unicode line and paragraph separators into LF. Leading and trailing space is not touched:
    the caller's own validation decides about that."""
    out = []
    for ch in text:
        if ch in BIDI_CONTROLS:
            continue
        if multiline:
            if ch in _KEPT_IN_MULTILINE:
                out.append(ch)
            elif ch in ("\u2028", "\u2029"):
                out.append("\n")
            elif ch not in _C0_C1:
                out.append(ch)
        elif ch in LINE_BREAKS or ch == "\t":
            out.append(" ")
        elif ch not in _C0_C1:
            out.append(ch)
    return "".join(out)


def has_bidi_controls(text: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in text)


def escape_for_log(text: str) -> str:
    """The text on one line, every control, line-break and bidi character written as an escape
    (\\n, \\r, \\t, \\xHH, \\uHHHH), so a log line cannot be forged or disguised."""
    def escape(match: re.Match) -> str:
        ch = match.group(0)
        if ch in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[ch]
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _LOG_UNSAFE.sub(escape, text)


def strip_bidi_deep(value: object) -> object:
    """Every string inside a JSON-like value (dicts, lists) without bidi controls."""
    if isinstance(value, str):
        return strip_bidi_controls(value)
    if isinstance(value, dict):
        return {strip_bidi_deep(k): strip_bidi_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strip_bidi_deep(v) for v in value]
    return value
