"""Table tests of licensing/core/text.py: bidi and control characters out of stored text,
escaped in logs. Expectations are literal strings."""
from __future__ import annotations

import pytest

from licensing.core.text import clean_input, escape_for_log, has_bidi_controls, strip_bidi_controls

EVERY_BIDI_CONTROL = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(("typed", "kept"), [
    ("Acme\u202eLTD", "AcmeLTD"),  # the attack: "Acme" then the rest shown reversed
    ("\u2067مؤسسة الأخبار\u2069", "مؤسسة الأخبار"),  # an isolate around real Arabic: the letters stay
    (f"a{EVERY_BIDI_CONTROL}b", "ab"),
    ("\u200eLeeds\u200f Post\u061c", "Leeds Post"),
    ("Zoë & Sons — “Ltd”", "Zoë & Sons — “Ltd”"),  # ordinary punctuation and accents untouched
    ("", ""),
])
def test_strip_bidi_controls(typed, kept):
    assert strip_bidi_controls(typed) == kept
    assert not has_bidi_controls(kept)


def test_a_bidi_control_is_detected_and_plain_text_is_not():
    assert has_bidi_controls("Acme\u202eLTD")
    assert not has_bidi_controls("Acme LTD")  # the broken counterpart: nothing to find


@pytest.mark.parametrize(("typed", "kept"), [
    ("Jo\tBloggs", "Jo Bloggs"),
    ("Leeds\r\nPost", "Leeds  Post"),
    ("Leeds\u2028Post", "Leeds Post"),
    ("Nul\x00byte\x07bell\x1b[31m", "Nulbytebell[31m"),
    ("C1\x85\x9bcontrols\x7f", "C1 controls"),  # NEL is a line break: a space
    ("Acme\u202eLTD", "AcmeLTD"),
    ("  spaced  ", "  spaced  "),  # trimming is the caller's
])
def test_clean_input_one_line(typed, kept):
    assert clean_input(typed) == kept


@pytest.mark.parametrize(("typed", "kept"), [
    ("1 Park Row\r\nLeeds\tLS1", "1 Park Row\r\nLeeds\tLS1"),
    ("line\u2028next\u2029para", "line\nnext\npara"),
    ("bell\x07 and \x00nul\x0b", "bell and nul"),
    ("\u202eevil\u202c note", "evil note"),
])
def test_clean_input_multiline(typed, kept):
    assert clean_input(typed, multiline=True) == kept


@pytest.mark.parametrize(("raw", "logged"), [
    ("/no-such\n2026-01-01 INFO forged", "/no-such\\n2026-01-01 INFO forged"),
    ("a\r\nb", "a\\r\\nb"),
    ("tab\there", "tab\\there"),
    ("esc\x1b[2J", "esc\\x1b[2J"),
    ("nul\x00", "nul\\x00"),
    ("del\x7f", "del\\x7f"),
    ("nel\x85", "nel\\x85"),
    ("ls\u2028ps\u2029", "ls\\u2028ps\\u2029"),
    ("Acme\u202eLTD", "Acme\\u202eLTD"),
    ("/track/***/documents/LIC-2026-00001.pdf", "/track/***/documents/LIC-2026-00001.pdf"),
    ("Zoë مؤسسة", "Zoë مؤسسة"),
])
def test_escape_for_log(raw, logged):
    assert escape_for_log(raw) == logged
    assert len(escape_for_log(raw).splitlines()) <= 1


def test_a_forged_line_would_be_two_lines_without_the_escape():
    forged = "GET /x\n2026-01-01 12:00:00 INFO syndication.access: GET /admin/users 200"
    assert len(forged.splitlines()) == 2  # the broken input: what the log got before
    assert len(escape_for_log(forged).splitlines()) == 1
