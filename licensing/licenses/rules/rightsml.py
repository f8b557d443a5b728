"""A license as IPTC RightsML 2.0 JSON-LD (an ODRL 2.2 profile), built from plain values (pure).

A rights engine reads this instead of the PDF, so it must forbid everything the PDF forbids: the
territory, the dates, the medium and publication, the language, the audience, exclusivity, the
credit line, the payment and each piece of material that is not licensed. Terms come from ODRL 2.2
where it has one; the few it has not live in the desk's own namespace (DESK_NS), each documented
in VOCABULARY.md and declared in vocabulary.ttl. Nothing is invented in ODRL's or RightsML's
namespace: a term a reader's context does not define vanishes on JSON-LD expansion, and a term
nobody defined is one no engine understands.

One function makes both copies: the public one (for /licenses/<n>.jsonld) leaves out the fee and
every e-mail address; the full one, embedded in the license PDF, adds them. They cannot drift
apart: the public copy is the full one minus those two things.

Each rule names its own assigner and assignee (ODRL lets them sit on the policy alone, but the
W3C shapes check them on every rule of an Agreement), and rules share the payment and credit
duties by uid, so the one fee is one duty however many assets the license covers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
RIGHTSML_PROFILE = "https://iptc.org/std/RightsML/odrl-profile/"
DESK_NS = "https://syndication-desk.org/ns/rights/1.0#"
ISO3166 = "http://cvx.iptc.org/iso3166-1a2/"  # IPTC's ISO 3166-1 alpha-2 country IRIs
ISO4217 = "http://cvx.iptc.org/iso4217a/"  # IPTC's ISO 4217 alphabetic currency IRIs
VCARD = "http://www.w3.org/2006/vcard/ns#"
DCT = "http://purl.org/dc/terms/"
TERMS = ("one_off", "30_days", "1_year", "perpetual")
MEDIUM_TERMS = {"website": "desk:website", "print": "desk:print", "newsletter": "desk:newsletter",
                "broadcast": "desk:broadcast", "social": "desk:socialMedia", "syndication_feed": "desk:syndicationFeed"}
EXCLUSION_TERMS = {"third_party": "desk:thirdParty", "not_requested": "desk:notRequested"}


@dataclass(frozen=True)
class Party:
    uid: str  # an IRI
    name: str
    email: str = ""  # only in the full copy


@dataclass(frozen=True)
class Asset:
    uid: str  # an IRI naming the photo, video or graphic
    label: str  # e.g. "Photograph: AFP", said once
    exclusion: str = ""  # for excluded material: a key of EXCLUSION_TERMS


@dataclass(frozen=True)
class LicenseFacts:
    """What the license agreement states, as plain values."""

    uid: str  # the license's IRI (its public JSON-LD address)
    number: str
    issued: date
    licensor: Party
    licensee: Party
    article_url: str
    publication_url: str
    medium: str  # a key of MEDIUM_TERMS
    territory: tuple[str, ...] | str  # ISO 3166-1 alpha-2 codes, or "worldwide"
    language: str  # BCP 47
    audience: int  # monthly unique visitors or circulation, at most
    term: str  # one of TERMS
    start: date
    end: date | None  # last day of display (30 days, 1 year); None: no end
    publish_by: date | None  # last day of the first publication (one-off use, perpetual archive)
    exclusive: bool
    credit_line: str
    fee_minor: int
    currency: str  # ISO 4217
    minor_digits: int = 2  # ISO 4217 exponent of the currency
    included: tuple[Asset, ...] = ()  # the publisher's own media the licensee asked for
    excluded: tuple[Asset, ...] = ()  # everything else, each with its reason
    terms_url: str = ""  # the version of the standard terms the licensee accepted
    tracking_pixel: bool = False  # the licensee keeps the desk's pixel on the page (the package's terms)


def decimal_amount(minor: int, digits: int) -> str:
    """12345, 2 -> "123.45"; 500, 0 -> "500" (an xsd:decimal, no grouping)."""
    if digits < 0:
        raise ValueError("a currency's minor digits cannot be negative")
    return str(Decimal(minor).scaleb(-digits))


def _xsd(value: str, kind: str) -> dict[str, str]:
    return {"@value": value, "@type": f"xsd:{kind}"}


def _constraint(left: str, operator: str, right: Any, **more: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right, **more}


def _check(facts: LicenseFacts) -> None:
    if facts.term not in TERMS:
        raise ValueError(f"unknown term {facts.term!r}")
    if facts.medium not in MEDIUM_TERMS:
        raise ValueError(f"unknown medium {facts.medium!r}")
    if facts.term in ("30_days", "1_year") and facts.end is None:
        raise ValueError(f"a {facts.term} license needs its last day of display")
    if facts.term in ("one_off", "perpetual") and facts.publish_by is None:
        raise ValueError(f"a {facts.term} license needs its last day of first publication")
    if facts.fee_minor < 0:
        raise ValueError("a fee cannot be negative")
    for asset in facts.excluded:
        if asset.exclusion not in EXCLUSION_TERMS:
            raise ValueError(f"excluded asset {asset.uid} needs a reason: one of {sorted(EXCLUSION_TERMS)}")
    if not isinstance(facts.territory, str) and not facts.territory:
        raise ValueError("a territory needs at least one country (or 'worldwide')")


def _party(party: Party, public: bool) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": ["Party", "vcard:Organization"], "uid": party.uid, "vcard:fn": party.name}
    if party.email and not public:
        node["vcard:hasEmail"] = {"@id": f"mailto:{party.email}"}
    return node


def _where_and_when(facts: LicenseFacts, until: date | None) -> list[dict[str, Any]]:
    """The limits every permission shares: territory, dates, medium, publication, language, audience."""
    limits: list[dict[str, Any]] = []
    if facts.territory != "worldwide":
        countries = [{"@id": f"{ISO3166}{code.upper()}"} for code in facts.territory]
        limits.append(_constraint("spatial", "eq", countries[0]) if len(countries) == 1
                      else _constraint("spatial", "isAnyOf", countries))
    limits.append(_constraint("dateTime", "gteq", _xsd(facts.start.isoformat(), "date")))
    if until is not None:
        limits.append(_constraint("dateTime", "lteq", _xsd(until.isoformat(), "date")))
    limits += [
        _constraint("media", "eq", {"@id": MEDIUM_TERMS[facts.medium]}),
        _constraint("product", "eq", {"@id": facts.publication_url}),
        _constraint("language", "eq", _xsd(facts.language, "language")),
        _constraint("desk:audience", "lteq", _xsd(str(facts.audience), "integer"), unit="desk:readers"),
    ]
    return limits


def _duties(facts: LicenseFacts, public: bool) -> list[dict[str, Any]]:
    """The payment, the credit, and (as the term and options ask) removal, exclusivity, tracking."""
    licensor, licensee = facts.licensor.uid, facts.licensee.uid
    compensate: dict[str, Any] = {"rdf:value": {"@id": "odrl:compensate"}}
    if not public:
        compensate["refinement"] = [_constraint(
            "payAmount", "eq", _xsd(decimal_amount(facts.fee_minor, facts.minor_digits), "decimal"),
            unit=f"{ISO4217}{facts.currency.upper()}")]
    duties: list[dict[str, Any]] = [
        {"uid": f"{facts.uid}#payment", "assigner": licensor, "assignee": licensee,
         "action": [compensate], "compensatedParty": licensor},
        {"uid": f"{facts.uid}#credit", "assigner": licensor, "assignee": licensee, "attributedParty": licensor,
         "action": [{"rdf:value": {"@id": "odrl:attribute"}, "refinement": [
             _constraint("desk:creditLine", "eq", facts.credit_line),
             _constraint("desk:linkTo", "eq", {"@id": facts.article_url})]}]},
    ]
    if facts.term in ("30_days", "1_year"):
        duties.append({"uid": f"{facts.uid}#removal", "assigner": licensor, "assignee": licensee,
                       "action": "delete",
                       "constraint": [_constraint("dateTime", "gt", _xsd(facts.end.isoformat(), "date"))]})
    if facts.exclusive:
        # ODRL: "if used as a Duty, the assignee should be explicitly indicated as the party that
        # is ensuring the exclusivity": the licensor promises not to license it to anyone else
        duties.append({"uid": f"{facts.uid}#exclusivity", "assigner": licensee, "assignee": licensor,
                       "action": "ensureExclusivity"})
    if facts.tracking_pixel:
        duties.append({"uid": f"{facts.uid}#tracking", "assigner": licensor, "assignee": licensee,
                       "action": "acceptTracking", "trackingParty": licensor})
    return duties


def _permissions(facts: LicenseFacts, duties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Republishing the article (and each requested photo or video) within the limits; for one-off
    use and the perpetual archive, keeping the first publication at its address afterwards."""
    licensor, licensee = facts.licensor.uid, facts.licensee.uid
    timed = facts.term in ("30_days", "1_year")
    window_end = facts.end if timed else facts.publish_by
    duty_refs = [d["uid"] for d in duties]
    targets = [facts.article_url] + [a.uid for a in facts.included]
    rules: list[dict[str, Any]] = []
    for n, target in enumerate(targets):
        limits = _where_and_when(facts, window_end)
        if facts.term == "one_off":
            limits.append(_constraint("count", "lteq", _xsd("1", "integer")))
        rules.append({"target": target, "assigner": licensor, "assignee": licensee, "action": "distribute",
                      "constraint": limits, "duty": duties if n == 0 else duty_refs})
        if not timed:
            rules.append({"target": target, "assigner": licensor, "assignee": licensee, "action": "archive",
                          "constraint": _where_and_when(facts, None), "duty": duty_refs})
    return rules


def _prohibitions(facts: LicenseFacts) -> list[dict[str, Any]]:
    return [{"target": {"@type": "Asset", "uid": asset.uid, "dct:title": asset.label,
                        "desk:exclusion": {"@id": EXCLUSION_TERMS[asset.exclusion]}},
             "assigner": facts.licensor.uid, "assignee": facts.licensee.uid, "action": "use"}
            for asset in facts.excluded]


def context(desk_ns: str = DESK_NS) -> list[Any]:
    """The ODRL context plus what it lacks: vcard and Dublin Core prefixes, the desk's namespace,
    and `unit` typed @id (the ODRL context leaves it a string, so a currency IRI became text)."""
    return [ODRL_CONTEXT, {
        "vcard": VCARD, "dct": DCT, "desk": desk_ns,
        "unit": {"@id": "odrl:unit", "@type": "@id"},
    }]


def license_policy(facts: LicenseFacts, *, public: bool, desk_ns: str = DESK_NS) -> dict[str, Any]:
    """The license as a RightsML 2.0 Agreement; `public` leaves out the fee and e-mail addresses."""
    _check(facts)
    duties = _duties(facts, public)
    policy: dict[str, Any] = {
        "@context": context(desk_ns),
        "@type": "Agreement",
        "uid": facts.uid,
        "profile": RIGHTSML_PROFILE,
        "dct:identifier": facts.number,
        "dct:issued": _xsd(facts.issued.isoformat(), "date"),
        "assigner": _party(facts.licensor, public),
        "assignee": _party(facts.licensee, public),
    }
    if facts.terms_url:
        policy["desk:standardTerms"] = {"@id": facts.terms_url}
    policy["permission"] = _permissions(facts, duties)
    prohibitions = _prohibitions(facts)
    if prohibitions:
        policy["prohibition"] = prohibitions
    return policy


def license_copies(facts: LicenseFacts, desk_ns: str = DESK_NS) -> tuple[dict[str, Any], dict[str, Any]]:
    """(public, full): the public copy for the web, the full one for the license PDF."""
    return (license_policy(facts, public=True, desk_ns=desk_ns),
            license_policy(facts, public=False, desk_ns=desk_ns))


def to_json(policy: dict[str, Any]) -> str:
    """Stable text (same facts, same bytes), so a PDF that embeds it re-renders byte for byte."""
    return json.dumps(policy, ensure_ascii=False, indent=2) + "\n"
