"""The license as RightsML 2.0 JSON-LD: every kind of license passes the independent ODRL checks
(tests/validators/odrl.py), the public copy holds no fee and no e-mail, and a deliberately
broken policy fails each check."""
from __future__ import annotations

import copy
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rdflib import Literal, Namespace, URIRef

from licensing.licenses.rules.rightsml import (
    Asset,
    LicenseFacts,
    Party,
    decimal_amount,
    license_copies,
    license_policy,
    to_json,
)
from tests.validators import odrl

RULES = Path(__file__).resolve().parents[3] / "licensing" / "licenses" / "rules"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
LICENSE = "https://desk.example/licenses/L-2026-0042.jsonld"

BASE = LicenseFacts(
    uid=LICENSE, number="L-2026-0042", issued=date(2026, 12, 4),
    licensor=Party("https://desk.example/", "Middle East Eye", "licensing@mee.example"),
    licensee=Party(f"{LICENSE}#licensee", "Leeds Evening Post Ltd", "editor@leeds-post.example"),
    article_url="https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat",
    publication_url="https://leeds-post.example/", medium="website", territory="worldwide", language="en",
    audience=25_000, term="one_off", start=date(2026, 12, 11), end=None, publish_by=date(2027, 1, 9),
    exclusive=False, credit_line="By Lin Jenkins, Middle East Eye. Republished under licence.",
    fee_minor=123_456, currency="GBP", terms_url="https://desk.example/terms/3",
)
PHOTO_AFP = Asset("https://desk.example/articles/7/assets/1", "Photograph: AFP", "third_party")
OWN_GRAPHIC = Asset("https://desk.example/articles/7/assets/2", "Graphic: Middle East Eye")
OWN_VIDEO = Asset("https://desk.example/articles/7/assets/3", "Video: Middle East Eye", "not_requested")

LICENSES = {
    "worldwide one-off": BASE,
    "two countries, 1 year, exclusive, with exclusions": replace(
        BASE, territory=("GB", "FR"), term="1_year", end=date(2027, 12, 10), publish_by=None, exclusive=True,
        included=(OWN_GRAPHIC,), excluded=(PHOTO_AFP, OWN_VIDEO)),
    "one country, 30 days, print, translated": replace(
        BASE, territory=("DE",), term="30_days", end=date(2027, 1, 9), publish_by=None, medium="print",
        language="de", excluded=(PHOTO_AFP,)),
    "perpetual archive, no end, yen": replace(
        BASE, term="perpetual", medium="newsletter", fee_minor=50_000, currency="JPY", minor_digits=0),
    "broadcast with the tracking pixel, no terms link": replace(
        BASE, medium="broadcast", territory=("US", "CA", "MX"), tracking_pixel=True, terms_url=""),
}


@pytest.mark.parametrize("facts", LICENSES.values(), ids=LICENSES.keys())
@pytest.mark.parametrize("public", [True, False], ids=["public", "full"])
def test_every_license_passes_the_odrl_checks(facts, public):
    assert odrl.problems(license_policy(facts, public=public)) == []


def test_the_document_uses_the_rightsml_profile_and_names_both_parties_in_the_rdf():
    policy = license_policy(LICENSES["two countries, 1 year, exclusive, with exclusions"], public=True)
    assert policy["profile"] == "https://iptc.org/std/RightsML/odrl-profile/"
    graph = odrl.to_graph(policy)
    licensee = URIRef(f"{LICENSE}#licensee")
    assert (URIRef(LICENSE), ODRL.assignee, licensee) in graph
    assert graph.value(licensee, VCARD.fn) == Literal("Leeds Evening Post Ltd")
    assert graph.value(URIRef("https://desk.example/"), VCARD.fn) == Literal("Middle East Eye")


def _constraints(policy: dict) -> dict[str, list]:
    found: dict[str, list] = {}
    for c in policy["permission"][0]["constraint"]:
        found.setdefault(c["leftOperand"], []).append((c["operator"], c["rightOperand"]))
    return found


def test_the_limits_of_the_pdf_are_constraints():
    policy = license_policy(LICENSES["two countries, 1 year, exclusive, with exclusions"], public=False)
    limits = _constraints(policy)
    assert limits["spatial"] == [("isAnyOf", [{"@id": "http://cvx.iptc.org/iso3166-1a2/GB"},
                                              {"@id": "http://cvx.iptc.org/iso3166-1a2/FR"}])]
    assert limits["dateTime"] == [("gteq", {"@value": "2026-12-11", "@type": "xsd:date"}),
                                  ("lteq", {"@value": "2027-12-10", "@type": "xsd:date"})]
    assert limits["media"] == [("eq", {"@id": "desk:website"})]
    assert limits["product"] == [("eq", {"@id": "https://leeds-post.example/"})]
    assert limits["language"] == [("eq", {"@value": "en", "@type": "xsd:language"})]
    assert limits["desk:audience"] == [("lteq", {"@value": "25000", "@type": "xsd:integer"})]
    assert "count" not in limits
    actions = [d["action"] for d in policy["permission"][0]["duty"]]
    assert [a if isinstance(a, str) else a[0]["rdf:value"]["@id"] for a in actions] == [
        "odrl:compensate", "odrl:attribute", "delete", "ensureExclusivity"]
    assert [p["action"] for p in policy["permission"]] == ["distribute", "distribute"]  # article, graphic
    assert [p["target"]["dct:title"] for p in policy["prohibition"]] == ["Photograph: AFP", "Video: Middle East Eye"]
    assert [p["target"]["desk:exclusion"] for p in policy["prohibition"]] == [
        {"@id": "desk:thirdParty"}, {"@id": "desk:notRequested"}]


def test_one_off_use_is_one_publication_within_30_days_then_the_archive():
    policy = license_policy(BASE, public=True)
    distribute, archive = policy["permission"]
    assert (distribute["action"], archive["action"]) == ("distribute", "archive")
    assert _constraints({"permission": [distribute]})["count"] == [("lteq", {"@value": "1", "@type": "xsd:integer"})]
    assert _constraints({"permission": [distribute]})["dateTime"][1] == \
        ("lteq", {"@value": "2027-01-09", "@type": "xsd:date"})
    assert [o for o, _ in _constraints({"permission": [archive]})["dateTime"]] == ["gteq"]  # no end
    assert "spatial" not in _constraints(policy)  # worldwide


def test_payment_is_a_refinement_of_compensate_with_a_currency_iri():
    duty = license_policy(BASE, public=False)["permission"][0]["duty"][0]
    assert duty["action"] == [{"rdf:value": {"@id": "odrl:compensate"}, "refinement": [{
        "leftOperand": "payAmount", "operator": "eq", "rightOperand": {"@value": "1234.56", "@type": "xsd:decimal"},
        "unit": "http://cvx.iptc.org/iso4217a/GBP"}]}]
    graph = odrl.to_graph(license_policy(BASE, public=False))
    assert set(graph.objects(None, ODRL.unit)) >= {URIRef("http://cvx.iptc.org/iso4217a/GBP")}


def test_the_credit_line_is_an_attribution_duty():
    duty = license_policy(BASE, public=True)["permission"][0]["duty"][1]
    assert duty["attributedParty"] == "https://desk.example/"
    assert duty["action"][0]["refinement"] == [
        {"leftOperand": "desk:creditLine", "operator": "eq",
         "rightOperand": "By Lin Jenkins, Middle East Eye. Republished under licence."},
        {"leftOperand": "desk:linkTo", "operator": "eq",
         "rightOperand": {"@id": "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat"}}]


@pytest.mark.parametrize("facts", LICENSES.values(), ids=LICENSES.keys())
def test_the_public_copy_has_no_fee_and_no_email(facts):
    public, full = license_copies(facts)
    fee = decimal_amount(facts.fee_minor, facts.minor_digits)
    assert fee in to_json(full) and "editor@leeds-post.example" in to_json(full)
    text = to_json(public)
    assert fee not in text and "payAmount" not in text and "@" not in text.replace('"@', "")
    assert "mailto:" not in text


def test_the_public_copy_is_the_full_one_without_the_fee_and_the_emails():
    public, full = license_copies(LICENSES["two countries, 1 year, exclusive, with exclusions"])
    stripped = copy.deepcopy(full)
    del stripped["permission"][0]["duty"][0]["action"][0]["refinement"]
    del stripped["assigner"]["vcard:hasEmail"], stripped["assignee"]["vcard:hasEmail"]
    assert stripped == public


ARTICLE = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat"
DESK, LICENSEE = "https://desk.example/", f"{LICENSE}#licensee"


def _limit(left: str, operator: str, right, **more) -> dict:
    return {"leftOperand": left, "operator": operator, "rightOperand": right, **more}


def test_the_whole_full_copy_of_a_one_off_license():
    start = _limit("dateTime", "gteq", {"@value": "2026-12-11", "@type": "xsd:date"})
    shared = [_limit("media", "eq", {"@id": "desk:website"}),
              _limit("product", "eq", {"@id": "https://leeds-post.example/"}),
              _limit("language", "eq", {"@value": "en", "@type": "xsd:language"}),
              _limit("desk:audience", "lteq", {"@value": "25000", "@type": "xsd:integer"}, unit="desk:readers")]
    assert license_policy(BASE, public=False) == {
        "@context": ["http://www.w3.org/ns/odrl.jsonld", {
            "vcard": "http://www.w3.org/2006/vcard/ns#", "dct": "http://purl.org/dc/terms/",
            "desk": "https://syndication-desk.org/ns/rights/1.0#", "unit": {"@id": "odrl:unit", "@type": "@id"}}],
        "@type": "Agreement",
        "uid": LICENSE,
        "profile": "https://iptc.org/std/RightsML/odrl-profile/",
        "dct:identifier": "L-2026-0042",
        "dct:issued": {"@value": "2026-12-04", "@type": "xsd:date"},
        "assigner": {"@type": ["Party", "vcard:Organization"], "uid": DESK, "vcard:fn": "Middle East Eye",
                     "vcard:hasEmail": {"@id": "mailto:licensing@mee.example"}},
        "assignee": {"@type": ["Party", "vcard:Organization"], "uid": LICENSEE, "vcard:fn": "Leeds Evening Post Ltd",
                     "vcard:hasEmail": {"@id": "mailto:editor@leeds-post.example"}},
        "desk:standardTerms": {"@id": "https://desk.example/terms/3"},
        "permission": [
            {"target": ARTICLE, "assigner": DESK, "assignee": LICENSEE, "action": "distribute",
             "constraint": [start, _limit("dateTime", "lteq", {"@value": "2027-01-09", "@type": "xsd:date"}), *shared,
                            _limit("count", "lteq", {"@value": "1", "@type": "xsd:integer"})],
             "duty": [
                 {"uid": f"{LICENSE}#payment", "assigner": DESK, "assignee": LICENSEE, "action": [
                     {"rdf:value": {"@id": "odrl:compensate"}, "refinement": [
                         _limit("payAmount", "eq", {"@value": "1234.56", "@type": "xsd:decimal"},
                                unit="http://cvx.iptc.org/iso4217a/GBP")]}],
                  "compensatedParty": DESK},
                 {"uid": f"{LICENSE}#credit", "assigner": DESK, "assignee": LICENSEE, "attributedParty": DESK,
                  "action": [{"rdf:value": {"@id": "odrl:attribute"}, "refinement": [
                      _limit("desk:creditLine", "eq", "By Lin Jenkins, Middle East Eye. Republished under licence."),
                      _limit("desk:linkTo", "eq", {"@id": ARTICLE})]}]},
             ]},
            {"target": ARTICLE, "assigner": DESK, "assignee": LICENSEE, "action": "archive",
             "constraint": [start, *shared], "duty": [f"{LICENSE}#payment", f"{LICENSE}#credit"]},
        ],
    }


@pytest.mark.parametrize(("medium", "term"), [
    ("website", "desk:website"), ("print", "desk:print"), ("newsletter", "desk:newsletter"),
    ("broadcast", "desk:broadcast"), ("social", "desk:socialMedia"), ("syndication_feed", "desk:syndicationFeed"),
])
def test_each_medium_has_its_desk_term(medium, term):
    assert _constraints(license_policy(replace(BASE, medium=medium), public=True))["media"] == [("eq", {"@id": term})]


def test_a_30_day_license_is_removed_after_its_last_day_and_has_no_archive():
    policy = license_policy(LICENSES["one country, 30 days, print, translated"], public=True)
    assert [p["action"] for p in policy["permission"]] == ["distribute"]
    assert policy["permission"][0]["duty"][2] == {
        "uid": f"{LICENSE}#removal", "assigner": DESK, "assignee": LICENSEE, "action": "delete",
        "constraint": [_limit("dateTime", "gt", {"@value": "2027-01-09", "@type": "xsd:date"})]}
    assert _constraints(policy)["spatial"] == [("eq", {"@id": "http://cvx.iptc.org/iso3166-1a2/DE"})]


def test_each_included_asset_refers_to_the_duties_of_the_article():
    policy = license_policy(LICENSES["two countries, 1 year, exclusive, with exclusions"], public=True)
    assert [p["target"] for p in policy["permission"]] == [ARTICLE, "https://desk.example/articles/7/assets/2"]
    assert policy["permission"][1]["duty"] == [f"{LICENSE}#payment", f"{LICENSE}#credit", f"{LICENSE}#removal",
                                               f"{LICENSE}#exclusivity"]


def test_without_a_terms_link_the_policy_names_none():
    assert "desk:standardTerms" not in license_policy(replace(BASE, terms_url=""), public=True)


def test_both_copies_use_the_desk_namespace_given():
    public, full = license_copies(BASE, desk_ns="https://other.example/ns#")
    assert public["@context"][1]["desk"] == full["@context"][1]["desk"] == "https://other.example/ns#"
    assert "vcard:hasEmail" not in public["assignee"] and "vcard:hasEmail" in full["assignee"]


def test_to_json_is_indented_by_two_keeps_letters_and_ends_with_a_line_break():
    assert to_json({"a": "é", "b": [1]}) == '{\n  "a": "é",\n  "b": [\n    1\n  ]\n}\n'


def test_the_same_facts_give_the_same_bytes():
    assert to_json(license_policy(BASE, public=False)) == to_json(license_policy(replace(BASE), public=False))


@pytest.mark.parametrize(("minor", "digits", "text"), [
    (123_456, 2, "1234.56"), (100, 2, "1.00"), (5, 2, "0.05"), (0, 2, "0.00"),
    (50_000, 0, "50000"), (1_234, 3, "1.234"),
])
def test_decimal_amount(minor, digits, text):
    assert decimal_amount(minor, digits) == text


@pytest.mark.parametrize(("change", "message"), [
    ({"term": "forever"}, "unknown term 'forever'"),
    ({"medium": "billboard"}, "unknown medium 'billboard'"),
    ({"term": "1_year", "end": None}, "a 1_year license needs its last day of display"),
    ({"term": "30_days", "end": None}, "a 30_days license needs its last day of display"),
    ({"publish_by": None}, "a one_off license needs its last day of first publication"),
    ({"term": "perpetual", "publish_by": None}, "a perpetual license needs its last day of first publication"),
    ({"excluded": (OWN_GRAPHIC,)}, "excluded asset https://desk.example/articles/7/assets/2 needs a reason: one of "
                                   "['not_requested', 'third_party']"),
    ({"territory": ()}, "a territory needs at least one country (or 'worldwide')"),
    ({"fee_minor": -1}, "a fee cannot be negative"),
])
def test_impossible_facts_are_refused(change, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        license_policy(replace(BASE, **change), public=True)


def test_a_free_license_is_allowed():
    assert odrl.problems(license_policy(replace(BASE, fee_minor=0), public=False)) == []


def test_minor_digits_cannot_be_negative():
    with pytest.raises(ValueError, match="^a currency's minor digits cannot be negative$"):
        decimal_amount(100, -1)


def test_every_desk_term_used_is_declared_and_documented():
    used = set()
    for facts in LICENSES.values():
        used |= set(re.findall(r'"desk:(\w+)"', to_json(license_policy(facts, public=False))))
    declared = (RULES / "vocabulary.ttl").read_text()
    documented = (RULES / "VOCABULARY.md").read_text()
    assert used >= {"audience", "readers", "creditLine", "linkTo", "website", "exclusion", "thirdParty",
                    "notRequested", "standardTerms"}
    assert sorted(t for t in used if f"desk:{t} a" not in declared) == []
    assert sorted(t for t in used if f"`desk:{t}`" not in documented) == []


# ---------------------------------------------------------------- the same checks on broken policies

def _broken(change) -> list[str]:
    policy = license_policy(LICENSES["two countries, 1 year, exclusive, with exclusions"], public=False)
    change(policy)
    return odrl.problems(policy)


def test_a_name_key_is_dropped_on_expansion_and_fails():
    assert _broken(lambda p: p["assignee"].update({"name": "Leeds Evening Post Ltd"})) == [
        "key dropped on expansion: name"]


def test_an_invented_odrl_term_fails():
    assert _broken(lambda p: p.update({"odrl:licenseNumber": "L-2026-0042"})) == [
        "http://www.w3.org/ns/odrl/2/licenseNumber is not defined in ODRL 2.2, RightsML or the desk's vocabulary",
        "predicate http://www.w3.org/ns/odrl/2/licenseNumber is not a known term"]


def test_an_invented_rightsml_term_fails():
    problems = _broken(lambda p: p.update({"@context": p["@context"] + [{"rightsml": "http://iptc.org/std/RightsML/"}],
                                           "rightsml:status": "active"}))
    assert "http://iptc.org/std/RightsML/status is not defined in ODRL 2.2, RightsML or the desk's vocabulary" in problems


def test_an_undocumented_desk_term_fails():
    problems = _broken(lambda p: p.update({"desk:licenseStatus": "active"}))
    assert ("https://syndication-desk.org/ns/rights/1.0#licenseStatus is not defined in ODRL 2.2, RightsML or "
            "the desk's vocabulary") in problems


def test_a_currency_unit_given_as_text_fails():
    assert _broken(lambda p: p["@context"][1].pop("unit")) == [
        "odrl:unit is the text 'desk:readers', not an IRI",
        "odrl:unit is the text 'http://cvx.iptc.org/iso4217a/GBP', not an IRI"]


def test_a_currency_that_is_no_iso_code_fails():
    def change(policy: dict) -> None:
        policy["permission"][0]["duty"][0]["action"][0]["refinement"][0]["unit"] = "http://cvx.iptc.org/iso4217a/XXY"
    assert _broken(change) == ["odrl:unit: http://cvx.iptc.org/iso4217a/XXY names no ISO currency code"]


def test_a_payment_as_a_constraint_on_the_duty_fails():
    def change(policy: dict) -> None:  # what licensing/rightsml.py wrote before
        duty = policy["permission"][0]["duty"][0]
        duty["action"] = "compensate"
        duty["constraint"] = [{"leftOperand": "payAmount", "operator": "eq",
                               "rightOperand": {"@value": "1234.56", "@type": "xsd:decimal"},
                               "unit": "http://cvx.iptc.org/iso4217a/GBP"}]
    assert _broken(change) == ["a payAmount is not a refinement of a compensate action"]


def test_a_constraint_without_an_operator_fails_the_shapes():
    assert _broken(lambda p: p["permission"][0]["constraint"][0].pop("operator")) == [
        "shapes.ttl: MinCountConstraintComponent at [...], path operator, focus [...]",
        "shapesv2.ttl: MinCountConstraintComponent at [...], path operator, focus [...]"]


def test_the_old_profile_iri_fails():
    problems = _broken(lambda p: p.update({"profile": "http://iptc.org/std/RightsML/2.0/"}))
    assert ("profile is ['http://iptc.org/std/RightsML/2.0/'], "
            "not RightsML 2.0's https://iptc.org/std/RightsML/odrl-profile/") in problems


def test_a_rule_without_its_assignee_fails_the_shapes():
    problems = _broken(lambda p: p["permission"][0].pop("assignee"))
    assert "shapes.ttl: MinCountConstraintComponent at [...], path assignee, focus [...]" in problems


def test_an_anonymous_party_fails():
    problems = _broken(lambda p: [p["assignee"].pop("uid")] + [r.pop("assignee") for r in p["permission"]])
    assert "a party has no uid (IRI)" in problems


def test_the_loader_fetches_nothing_but_the_odrl_context():
    policy = license_policy(BASE, public=True)
    policy["@context"] = ["https://example.org/elsewhere.jsonld"] + policy["@context"][1:]
    with pytest.raises(Exception, match="loading remote context failed") as refused:
        odrl.expand(policy)
    causes, error = [], refused.value
    while error is not None:
        causes.append(str(error))
        error = getattr(error, "cause", None) or error.__cause__
    assert any("no network in the tests: refused to load https://example.org/elsewhere.jsonld" in c for c in causes)


# ---------------------------------------------------------------- the reference files

@pytest.mark.parametrize("name", ["odrl.jsonld", "ODRL22.ttl", "poe_rightsml.ttl", "shapes.ttl", "shapesv2.ttl"])
def test_the_in_repo_reference_copy_is_the_published_file(name):
    shared = odrl.SHARED / name
    if not shared.is_file():
        pytest.skip("../shared/standards is not next to this checkout")
    ours = (odrl.REFERENCE / name).read_text(encoding="utf-8")
    if name.endswith(".ttl"):
        ours = ours.split("# ---- end of provenance header ----\n", 1)[1]
    assert ours == shared.read_text(encoding="utf-8")
