"""What a correction changed, readable by an editor who republished the article: paragraph by
paragraph, each changed paragraph with its words struck and added ([-old-] {+new+}), in plain text
for the e-mail and in HTML (<del>/<ins>) for its HTML part.

Input is the plain-text rendition of the body before and after (paragraphs separated by blank lines).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class ParagraphChange:
    kind: str  # changed, added, removed
    number: int  # the paragraph's number in the corrected text (in the old one for a removal), from 1
    old: str
    new: str
    words: tuple[tuple[str, str], ...]  # (op, text): op is "=", "-" or "+"


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _word_ops(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = old.split(), new.split()
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", " ".join(b[j1:j2])))
    return tuple(ops)


def correction_changes(old_text: str, new_text: str) -> list[ParagraphChange]:
    old, new = paragraphs(old_text), paragraphs(new_text)
    changes: list[ParagraphChange] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            changes.append(ParagraphChange("changed", j1 + k + 1, old[i1 + k], new[j1 + k],
                                           _word_ops(old[i1 + k], new[j1 + k])))
        for k in range(i1 + paired, i2):
            changes.append(ParagraphChange("removed", k + 1, old[k], "", (("-", old[k]),)))
        for k in range(j1 + paired, j2):
            changes.append(ParagraphChange("added", k + 1, "", new[k], (("+", new[k]),)))
    return changes


_TEXT_MARKS = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
_HEADINGS = {"changed": "Paragraph {} changed", "added": "Paragraph {} added", "removed": "Paragraph {} removed"}


def diff_text(changes: list[ParagraphChange]) -> str:
    if not changes:
        return "No change to the text."
    blocks = []
    for change in changes:
        words = " ".join(_TEXT_MARKS[op].format(text) for op, text in change.words)
        blocks.append(f"{_HEADINGS[change.kind].format(change.number)}:\n{words}")
    return "\n\n".join(blocks)


def diff_html(changes: list[ParagraphChange]) -> str:
    if not changes:
        return "<p>No change to the text.</p>"
    tags = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    blocks = []
    for change in changes:
        words = " ".join(tags[op].format(escape(text)) for op, text in change.words)
        blocks.append(f"<h3>{_HEADINGS[change.kind].format(change.number)}</h3>\n<p>{words}</p>")
    return "\n".join(blocks)
