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


@pytest.mark.parametrize(("old", "new", "words"), [
    ("a b", "a x b", (("=", "a"), ("+", "x"), ("=", "b"))),  # an insertion removes nothing
    ("a b c d", "a d", (("=", "a"), ("-", "b c"), ("=", "d"))),  # a deletion adds nothing; its words together
])
def test_words_inserted_or_deleted(old, new, words):
    [change] = correction_changes(old, new)
    assert change.words == words


def test_long_paragraphs_of_common_words_are_compared_word_by_word():
    # a word moved from the front to the end of 250 words of "the": with difflib's autojunk (off here),
    # "the" would count as noise and the diff would match the moved word instead of the 250 others
    [change] = correction_changes("x " + "the " * 250, "the " * 250 + "x")
    assert change.words == (("-", "x"), ("=", " ".join(["the"] * 250)), ("+", "x"))


def test_many_alike_paragraphs_are_compared_one_by_one():
    old = "\n\n".join(["Moved."] + ["Same."] * 250)
    new = "\n\n".join(["Same."] * 250 + ["Moved."])
    assert correction_changes(old, new) == [
        ParagraphChange("removed", 1, "Moved.", "", (("-", "Moved."),)),
        ParagraphChange("added", 251, "", "Moved.", (("+", "Moved."),)),
    ]


def test_several_paragraphs_replaced_at_once():
    changes = correction_changes("A\n\nB\n\nC\n\nD", "A\n\nB b\n\nC c\n\nD")
    assert changes == [
        ParagraphChange("changed", 2, "B", "B b", (("=", "B"), ("+", "b"))),
        ParagraphChange("changed", 3, "C", "C c", (("=", "C"), ("+", "c"))),
    ]
    assert diff_html(changes) == ("<h3>Paragraph 2 changed</h3>\n<p>B <ins>b</ins></p>\n"
                                  "<h3>Paragraph 3 changed</h3>\n<p>C <ins>c</ins></p>")


def test_one_paragraph_replaced_by_two():
    assert correction_changes("A\n\nB\n\nC", "A\n\nB one\n\nB two\n\nC") == [
        ParagraphChange("changed", 2, "B", "B one", (("=", "B"), ("+", "one"))),
        ParagraphChange("added", 3, "", "B two", (("+", "B two"),)),
    ]
