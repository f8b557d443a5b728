"""Rules of the standard terms (pure): what each license term allows in one line (for the request
form and the license), the seller's English ("licence" or "license"), and filling the terms
document's placeholders from settings.

British English spells the noun "licence" and the verb "license" ("a licence", "we license you",
"licensed", "licensee"); American English writes "license" for both. Texts are written in en-GB
and respelled for en-US: every "licence" there is a noun, so the change is mechanical, while the
other way round would need to tell nouns from verbs.
"""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

TERM_KINDS = ("one_off", "30_days", "1_year", "perpetual")
TERM_MEANINGS = {  # DOMAIN.md, "What each term allows"
    "one_off": ("One publication (one web page, one print edition, one newsletter issue, one broadcast), "
                "made within 30 days of the start date; a web page may stay in the licensee's archive at "
                "its original address afterwards, unchanged."),
    "30_days": "The article may be displayed or re-run for 30 days from the start, then removed.",
    "1_year": "As 30 days, for a year: the article may be displayed or re-run for one year from the start, then removed.",
    "perpetual": "Published within 30 days of the start date, then kept without end date at its address.",
}
PUBLICATION_WINDOW_DAYS = 30  # one-off use and the perpetual archive: first publication within it
ENGLISH_VARIANTS = ("en-GB", "en-US")
PLACEHOLDERS = ("version", "published_on", "licensor", "governing_law", "courts", "contact_email")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_LICENCE = re.compile(r"\b([lL])(icence|ICENCE)([sS]?)\b")


def term_meaning(term: str) -> str:
    """What a term allows, in one line."""
    try:
        return TERM_MEANINGS[term]
    except KeyError:
        raise ValueError(f"unknown term {term!r}") from None


def publish_by(term: str, start: date) -> date | None:
    """The last day of the first publication: 30 days from the start (inclusive) for one-off use and
    the perpetual archive; None for the terms that limit display instead (30 days, 1 year)."""
    if term not in TERM_KINDS:
        raise ValueError(f"unknown term {term!r}")
    if term in ("one_off", "perpetual"):
        return start + timedelta(days=PUBLICATION_WINDOW_DAYS - 1)
    return None


def _check_english(english: str) -> None:
    if english not in ENGLISH_VARIANTS:
        raise ValueError(f"unknown English {english!r}: one of {', '.join(ENGLISH_VARIANTS)}")


def licence_word(english: str, *, plural: bool = False, capital: bool = False) -> str:
    """The noun: "licence" in en-GB, "license" in en-US (the verb is "license" in both)."""
    _check_english(english)
    word = "licence" if english == "en-GB" else "license"
    word += "s" if plural else ""
    return word.capitalize() if capital else word


def wording(english: str) -> dict[str, str]:
    """The words templates and e-mails need, by name: `{{ words.Licence }} agreement`."""
    return {
        "licence": licence_word(english), "licences": licence_word(english, plural=True),
        "Licence": licence_word(english, capital=True), "Licences": licence_word(english, plural=True, capital=True),
        "license": "license", "licensed": "licensed", "licensee": "licensee", "licensor": "licensor",
        "licensing": "licensing",
    }


def respell(text: str, english: str) -> str:
    """An en-GB text in the seller's English: for en-US, the noun "licence" becomes "license", in
    any of its cases and its plural; en-GB text is returned as it is."""
    _check_english(english)
    if english == "en-GB":
        return text

    def american(match: re.Match[str]) -> str:
        head, body, plural = match.groups()
        return head + ("ICENSE" if body.isupper() else "icense") + plural

    return _LICENCE.sub(american, text)


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, str]) -> str:
    """The terms document with its {{ placeholders }} filled; refuses a placeholder without a value
    or one it does not know, so a published version never shows "{{ governing_law }}"."""
    unknown = placeholders(text) - set(PLACEHOLDERS)
    if unknown:
        raise ValueError(f"unknown placeholder(s): {', '.join(sorted(unknown))}")
    missing = sorted(name for name in placeholders(text) if not str(values.get(name, "")).strip())
    if missing:
        raise ValueError(f"no value for: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=True))


def to_html(text: str) -> str:
    """The terms' plain text as HTML: "# " and "## " headings, "- " list items, blank-line
    paragraphs and **bold**; everything else is escaped (an admin's typing is text, never markup)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            out.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            flush()
            out.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:])
        elif items:  # a list item's continuation line
            items[-1] += " " + line
        else:
            paragraph.append(line)
    flush()
    return "\n".join(out)
