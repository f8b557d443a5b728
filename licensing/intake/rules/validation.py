"""The rules of a republishing request, shared by the web form and the JSON API.

`validate_request` takes plain values (strings from a form or JSON values) and returns either
a clean `RequestInput` or errors by field name, each a sentence a person can act on.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from invoices.billing.rules.vat_ids import check_vat_id
from licensing.core.places import REGIONS, countries, languages
from licensing.core.text import strip_bidi_controls
from licensing.pricing.rules import MAX_AUDIENCE, MEDIA, TERMS

MIN_AUDIENCE = 1  # the API schema's minimum too (publisher/openapi.py)

LIMITS = {
    "article_url": 2000,
    "organisation": 200,
    "contact_name": 200,
    "email": 320,
    "vat_id": 40,
    "billing_address": 500,
    "billing_address_line2": 200,
    "billing_city": 100,
    "billing_postcode": 20,
    "buyer_reference": 200,
    "publication": 200,
    "publication_url": 2000,
    "notes": 5000,
}
QUOTE_FIELDS = ("article_url", "medium", "audience", "territory", "language", "term", "exclusive", "media_wanted")
MAX_START_AHEAD = timedelta(days=2 * 366)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_VAT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-]*$")


@dataclass(frozen=True)
class RequestInput:
    article_url: str
    organisation: str
    contact_name: str
    email: str
    country: str
    vat_id: str
    billing_address: str
    publication: str
    publication_url: str
    medium: str
    audience: int
    territory: str | tuple[str, ...]
    language: str
    term: str
    start_date: date
    exclusive: bool
    media_wanted: bool
    notes: str
    terms_accepted: bool
    billing_address_line2: str = ""
    billing_city: str = ""
    billing_postcode: str = ""
    buyer_reference: str = ""  # their reference or purchase-order number


@dataclass(frozen=True)
class QuoteInput:
    article_url: str
    medium: str
    audience: int
    territory: str | tuple[str, ...]
    language: str
    term: str
    exclusive: bool
    media_wanted: bool


Errors = dict[str, list[str]]


class _Check:
    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: Errors = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, required: bool, multiline: bool = False) -> str:
        raw = self.data.get(name)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            self.fail(name, "Must be text.")
            return ""
        # Bidi controls (U+202E...) make a name display reversed or reorder the text around it:
        # stripped from every typed text, real right-to-left letters kept.
        raw = strip_bidi_controls(raw)
        value = raw.strip() if multiline else " ".join(raw.split())
        if _CONTROL.search(raw) or (not multiline and ("\n" in raw.strip() or "\r" in raw.strip())):
            self.fail(name, "Contains characters that are not allowed (control characters or line breaks).")
        elif required and not value:
            self.fail(name, "This field is required.")
        elif len(value) > LIMITS[name]:
            self.fail(name, f"Must be at most {LIMITS[name]:,} characters (it has {len(value):,}).")
        return value

    def choice(self, name: str, allowed: tuple[str, ...] | Mapping[str, str], what: str) -> str:
        raw = self.data.get(name)
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, ""):
            self.fail(name, "This field is required.")
            return ""
        if not isinstance(value, str) or value not in allowed:
            if len(allowed) <= 10:
                self.fail(name, f"Choose one of: {', '.join(allowed)}.")
            else:
                self.fail(name, f"Choose a valid {what}; {str(value)[:20]!r} is not one.")
            return ""
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.data.get(name, default)
        if raw is None:
            return default
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in {"y", "yes", "true", "on", "1"}:
            return True
        if isinstance(raw, str) and raw.strip().lower() in {"", "n", "no", "false", "off", "0"}:
            return False
        self.fail(name, "Must be true or false.")
        return default

    def audience(self) -> int:
        raw = self.data.get("audience")
        if isinstance(raw, bool):
            self.fail("audience", "Enter a whole number, such as 25000.")
            return 0
        if raw is None or raw == "":
            self.fail("audience", "This field is required: your monthly unique visitors, readers or circulation.")
            return 0
        if isinstance(raw, str):
            cleaned = raw.strip().replace(",", "").replace("_", "").replace(" ", "")
            if not re.fullmatch(r"-?\d+", cleaned):  # "-5000" is a whole number, only too small
                self.fail("audience", "Enter a whole number, such as 25000.")
                return 0
            too_long = MIN_AUDIENCE - 1 if cleaned.startswith("-") else MAX_AUDIENCE + 1
            value = int(cleaned) if len(cleaned) <= 20 else too_long
        elif isinstance(raw, int):
            value = raw
        else:
            self.fail("audience", "Enter a whole number, such as 25000.")
            return 0
        if value < MIN_AUDIENCE:  # a licence is for somebody: say what is wrong, not "a whole number"
            self.fail("audience", f"Must be at least {MIN_AUDIENCE}.")
        elif value > MAX_AUDIENCE:
            self.fail("audience", f"Cannot be more than {MAX_AUDIENCE:,}.")
        return value

    def territory(self) -> str | tuple[str, ...]:
        raw = self.data.get("territory")
        if isinstance(raw, str) and raw.strip().lower() == "worldwide":
            return "worldwide"
        if isinstance(raw, str) and raw.strip().lower().startswith("region:"):
            key = raw.strip()[7:].lower()
            if key in REGIONS:
                return tuple(sorted(REGIONS[key][1]))
            self.fail("territory", f"Unknown region {key!r}.")
            return ()
        if isinstance(raw, str) and raw.strip():
            raw = [p for p in re.split(r"[\s,;]+", raw) if p]
        if not isinstance(raw, list) or not raw:
            self.fail("territory", 'Choose "worldwide", a region, or at least one country.')
            return ()
        if len(raw) > len(countries()):
            self.fail("territory", "Too many countries; choose worldwide instead.")
            return ()
        codes = []
        for item in raw:
            code = item.strip().upper() if isinstance(item, str) else None
            if code not in countries():
                self.fail("territory", f"{str(item)[:20]!r} is not an ISO 3166 country code.")
                return ()
            codes.append(code)
        return tuple(sorted(set(codes)))

    def start_date(self, today: date) -> date:
        raw = self.data.get("start_date")
        if raw in (None, ""):
            self.fail("start_date", "This field is required.")
            return today
        if isinstance(raw, datetime) or not isinstance(raw, (str, date)):
            self.fail("start_date", "Enter a date as YYYY-MM-DD.")
            return today
        try:
            value = raw if isinstance(raw, date) else date.fromisoformat(raw.strip())
        except ValueError:
            self.fail("start_date", "Enter a date as YYYY-MM-DD.")
            return today
        if value < today:
            self.fail("start_date", "The start date cannot be in the past.")
        elif value > today + MAX_START_AHEAD:
            self.fail("start_date", "The start date must be within two years.")
        return value


MAX_JSON_DEPTH = 32


def json_body_problem(value: Any) -> str | None:
    """Why a parsed JSON body cannot be used, or None: nesting deeper than any request needs, or
    text with an unpaired surrogate (valid JSON escapes, but no database can store them)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "The body contains an unpaired UTF-16 surrogate (such as \\ud800), which is not text."
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return f"The body is nested too deeply (at most {MAX_JSON_DEPTH} levels)."
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def _check_url(check: _Check, name: str, value: str) -> None:
    if name in check.errors or not value:
        return
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        hostname = None
    if hostname is None or parts.scheme.lower() not in {"http", "https"} or "." not in hostname:
        check.fail(name, "Enter a full web address starting with https://")


def _check_pricing(check: _Check, article_exists: Callable[[str], bool] | None) -> dict:
    values = dict(
        article_url=check.text("article_url", required=True),
        medium=check.choice("medium", MEDIA, "medium"),
        audience=check.audience(),
        territory=check.territory(),
        language=check.choice("language", languages(), "ISO 639-1 language code"),
        term=check.choice("term", TERMS, "term"),
        exclusive=check.boolean("exclusive"),
        media_wanted=check.boolean("media_wanted"),
    )
    _check_url(check, "article_url", values["article_url"])
    if "article_url" not in check.errors and article_exists is not None and not article_exists(values["article_url"]):
        check.fail("article_url", "No article in our catalog has this address. Search for it above.")
    return values


def validate_quote(data: Mapping[str, Any], article_exists: Callable[[str], bool] | None = None
                   ) -> tuple[QuoteInput | None, Errors]:
    check = _Check(data)
    values = _check_pricing(check, article_exists)
    return (None, check.errors) if check.errors else (QuoteInput(**values), {})


def validate_request(data: Mapping[str, Any], today: date,
                     article_exists: Callable[[str], bool] | None = None,
                     require_terms: bool = True) -> tuple[RequestInput | None, Errors]:
    check = _Check(data)
    values = _check_pricing(check, article_exists)
    values.update(
        organisation=check.text("organisation", required=True),
        contact_name=check.text("contact_name", required=True),
        publication=check.text("publication", required=True),
        publication_url=check.text("publication_url", required=True),
        vat_id=check.text("vat_id", required=False),
        billing_address=check.text("billing_address", required=False, multiline=True),
        billing_address_line2=check.text("billing_address_line2", required=False),
        billing_city=check.text("billing_city", required=False),
        billing_postcode=check.text("billing_postcode", required=False),
        buyer_reference=check.text("buyer_reference", required=False),
        notes=check.text("notes", required=False, multiline=True),
        country=check.choice("country", countries(), "ISO 3166 country code"),
        start_date=check.start_date(today),
        terms_accepted=check.boolean("terms_accepted", default=not require_terms),
    )
    _check_url(check, "publication_url", values["publication_url"])
    if values["vat_id"] and "vat_id" not in check.errors and not _VAT.match(values["vat_id"]):
        check.fail("vat_id", "Use letters, digits, spaces, dots and hyphens only.")
    elif values["vat_id"] and "vat_id" not in check.errors and values["country"]:
        # Format, check digits and country prefix (python-stdnum): an id that fails is refused here,
        # so a typo can never take VAT off an invoice; a good one is stored normalised (DE 123… -> DE123…).
        vat = check_vat_id(values["vat_id"], values["country"])
        if vat.error:
            check.fail("vat_id", vat.error)
        else:
            values["vat_id"] = vat.vat_id
    if not values["terms_accepted"] and "terms_accepted" not in check.errors:
        check.fail("terms_accepted", "You must accept the standard terms to submit a request.")
    email_raw = data.get("email")
    if email_raw is not None and not isinstance(email_raw, str):
        check.fail("email", "Must be text.")
        values["email"] = ""
    elif not email_raw or not email_raw.strip():
        check.fail("email", "This field is required.")
        values["email"] = ""
    elif len(email_raw.strip()) > LIMITS["email"]:
        check.fail("email", f"Must be at most {LIMITS['email']} characters.")
        values["email"] = ""
    else:
        try:
            values["email"] = validate_email(email_raw.strip(), check_deliverability=False).normalized
        except EmailNotValidError as exc:
            check.fail("email", f"Enter a valid e-mail address: {exc}")
            values["email"] = ""
    return (None, check.errors) if check.errors else (RequestInput(**values), {})
