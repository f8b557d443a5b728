"""The desk's rights vocabulary served at its namespace's path (/ns/rights/1.0): every desk: term a
license uses is explained there for people, and the Turtle and JSON-LD for software carry the same
statements (read back by rdflib and by pyld, two independent parsers)."""
from __future__ import annotations

import json
import re

from pyld import jsonld
from rdflib import Graph

from tests.documents_helpers import approve, license_of
from tests.functional.conftest import parse
from tests.staff_fixtures import add_user, submit

VOCABULARY = "/ns/rights/1.0"


def desk_terms_used(jsonld_text: str) -> set[str]:
    return set(re.findall(r'"desk:([A-Za-z]+)"', jsonld_text))


def undocumented(terms: set[str], page) -> set[str]:  # noqa: ANN001
    """The terms without an entry (an element whose id is the term, as the IRI's fragment)."""
    return {term for term in terms if page.find(id=term) is None}


def test_every_term_a_license_uses_is_explained_on_the_vocabulary_page(client, seeded):
    made = submit(seeded, media_wanted=True)
    approve(seeded, made.reference, add_user(seeded, "rev@desk.test", "Rae", ["staff"]))
    used = desk_terms_used(client.get(f"/licenses/{license_of(seeded, made.reference).number}.jsonld")
                           .get_data(as_text=True))
    assert {"audience", "readers", "creditLine", "linkTo", "exclusion", "thirdParty"} <= used

    response = client.get(VOCABULARY, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    page = parse(response.data)
    assert undocumented(used, page) == set()
    assert "The exact credit text an attribution must show." in page.by_id("terms").text
    assert undocumented(used | {"madeUpTerm"}, page) == {"madeUpTerm"}  # the check can fail


def turtle_triples(text: str) -> int:
    return len(Graph().parse(data=text, format="turtle"))


def test_software_gets_the_same_statements_as_turtle_and_as_json_ld(client):
    turtle = client.get(VOCABULARY, headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    assert turtle.get_data(as_text=True).count("desk:") > 30
    statements = turtle_triples(turtle.get_data(as_text=True))
    assert statements > 60
    assert client.get(f"{VOCABULARY}?format=ttl").data == turtle.data

    as_jsonld = client.get(VOCABULARY, headers={"Accept": "application/ld+json"})
    assert as_jsonld.mimetype == "application/ld+json"
    quads = jsonld.to_rdf(json.loads(as_jsonld.data), {"format": "application/n-quads"})
    assert len([line for line in quads.splitlines() if line.strip()]) == statements
    assert "<https://syndication-desk.org/ns/rights/1.0#creditLine>" in quads
