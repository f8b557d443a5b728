"""The correction e-mail's diff: paragraphs changed, added and removed, words struck and inserted."""
from __future__ import annotations

import pytest

from licensing.delivery.rules.diff import ParagraphChange, correction_changes, diff_html, diff_text, paragraphs

OLD = "First para.\n\nThe minister said 40 people died.\n\nA paragraph to go.\n\nEnd."
NEW = "First para.\n\nThe minister said 45 people died on Tuesday.\n\nEnd.\n\nCorrection: an earlier version said 40."


def test_changes():
    assert correction_changes(OLD, NEW) == [
        ParagraphChange("changed", 2, "The minister said 40 people died.",
                        "The minister said 45 people died on Tuesday.",
                        (("=", "The minister said"), ("-", "40"), ("+", "45"), ("=", "people"), ("-", "died."),
                         ("+", "died on Tuesday."))),
        ParagraphChange("removed", 3, "A paragraph to go.", "", (("-", "A paragraph to go."),)),
        ParagraphChange("added", 4, "", "Correction: an earlier version said 40.",
                        (("+", "Correction: an earlier version said 40."),)),
    ]


def test_text():
    assert diff_text(correction_changes(OLD, NEW)) == (
        "Paragraph 2 changed:\nThe minister said [-40-] {+45+} people [-died.-] {+died on Tuesday.+}\n\n"
        "Paragraph 3 removed:\n[-A paragraph to go.-]\n\n"
        "Paragraph 4 added:\n{+Correction: an earlier version said 40.+}"
    )


def test_html_escapes_the_text():
    changes = correction_changes("a <b> c", "a <i> c")
    assert diff_html(changes) == "<h3>Paragraph 1 changed</h3>\n<p>a <del>&lt;b&gt;</del> <ins>&lt;i&gt;</ins> c</p>"


@pytest.mark.parametrize(("old", "new"), [("Same.\n\nText.", "Same.\n\n\n  Text.  "), ("", "")])
def test_no_change(old, new):
    assert correction_changes(old, new) == []
    assert diff_text([]) == "No change to the text."
    assert diff_html([]) == "<p>No change to the text.</p>"


def test_paragraphs_collapse_whitespace():
    assert paragraphs("  a\n b \n\n\n c  \n \n") == ["a b", "c"]
