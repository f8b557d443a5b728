"""Independent checks of an ODRL 2.2 / RightsML 2.0 policy in JSON-LD, offline.

A rights engine reads our license as RDF, not as the JSON we wrote: a key its context does not
know vanishes on expansion without an error, a term nobody defined means nothing, and a currency
given as text is not the currency's IRI. So the policy is checked the way such a reader sees it:

1. expanded with pyld, the ODRL context served from a local file: no key may be dropped;
2. turned into RDF: every predicate, class and vocabulary value must be defined in ODRL 2.2, the
   RightsML terms or the desk's vocabulary (licensing/licenses/rules/vocabulary.ttl), or be one of
   a few well-known terms listed here (vCard, Dublin Core, ISO 3166 / 4217 code IRIs);
3. values that must be IRIs (unit, target, profile, spatial, parties) are IRIs; the profile is
   RightsML 2.0's; a payment is a refinement of the compensate action;
4. pyshacl with the W3C POE working group's shapes (shapes.ttl, shapesv2.ttl) conforms.

`problems(policy)` returns every failure as a sentence; an empty list means the policy passed.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pycountry
from pyld import jsonld
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef

REPO = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).resolve().parent / "reference" / "odrl"
SHARED = REPO.parent / "shared" / "standards" / "odrl"  # the checkout sits next to shared/
DESK_VOCABULARY = REPO / "licensing" / "licenses" / "rules" / "vocabulary.ttl"

ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
SH = Namespace("http://www.w3.org/ns/shacl#")
RIGHTSML_NAMESPACES = ("http://iptc.org/std/RightsML/", "https://iptc.org/std/RightsML/")
RIGHTSML_PROFILE = "https://iptc.org/std/RightsML/odrl-profile/"
DESK = "https://syndication-desk.org/ns/rights/1.0#"
ODRL_CONTEXT_URLS = ("http://www.w3.org/ns/odrl.jsonld", "https://www.w3.org/ns/odrl.jsonld")
ISO3166 = "http://cvx.iptc.org/iso3166-1a2/"
ISO4217 = "http://cvx.iptc.org/iso4217a/"
RDF_NS = str(RDF)
XSD = "http://www.w3.org/2001/XMLSchema#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
DCT = "http://purl.org/dc/terms/"
# Terms of other well-known vocabularies a license may use (an explicit list, so a typo such as
# vcard:name fails like an invented ODRL term would)
WELL_KNOWN = frozenset({
    f"{RDF_NS}type", f"{RDF_NS}value",
    f"{VCARD}fn", f"{VCARD}hasEmail", f"{VCARD}Organization", f"{VCARD}Individual",
    f"{DCT}identifier", f"{DCT}issued", f"{DCT}title",
})
# Positions whose value must be an IRI, not text
IRI_VALUED = (ODRL.unit, ODRL.target, ODRL.profile, ODRL.assigner, ODRL.assignee, ODRL.action)
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": XSD, "skos": "http://www.w3.org/2004/02/skos/core#",
}


def reference_file(name: str) -> Path:
    """The in-repo copy of a reference file, else the one in ../shared/standards/odrl."""
    for folder in (REFERENCE, SHARED):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} is neither in {REFERENCE} nor in {SHARED}")


def _turtle(path: Path) -> Graph:
    """Parse a Turtle file, declaring first any standard prefix it uses without declaring (two of
    the W3C files use owl: or rdf: undeclared, which rdflib rightly refuses)."""
    text = path.read_text(encoding="utf-8")
    declared = set(re.findall(r"@prefix\s+(\w*):", text))
    missing = [f"@prefix {p}: <{iri}> .\n" for p, iri in STANDARD_PREFIXES.items()
               if p not in declared and re.search(rf"(?<![\w<]){p}:\w", text)]
    base = re.search(r"@base\s+<([^>]+)>", text)
    if "" not in declared and base and re.search(r"^:\w", text, re.MULTILINE):  # poe_rightsml.ttl's ":removeFromService"
        missing.append(f"@prefix : <{base.group(1)}> .\n")
    graph = Graph()
    graph.parse(data="".join(missing) + text, format="turtle", publicID=path.as_uri())
    return graph


@lru_cache(maxsize=1)
def _odrl_context() -> dict:
    return json.loads(reference_file("odrl.jsonld").read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict:
    """Serves the ODRL context from the reference file; refuses every other URL (no network)."""
    if url in ODRL_CONTEXT_URLS:
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": _odrl_context()}
    raise jsonld.JsonLdError(f"no network in the tests: refused to load {url}", "loading document failed",
                             code="loading document failed")


def expand(policy: dict) -> tuple[list, list[str]]:
    """(expanded document, keys dropped on expansion)."""
    dropped: list[str] = []
    expanded = jsonld.expand(policy, {"documentLoader": document_loader},
                             on_property_dropped=lambda key: dropped.append(str(key)))
    return expanded, dropped


def to_graph(policy: dict) -> Graph:
    nquads = jsonld.to_rdf(policy, {"documentLoader": document_loader, "format": "application/n-quads"})
    graph = Graph()
    graph.parse(data=nquads, format="nt")  # one default graph: N-Quads without a graph name are N-Triples
    return graph


@lru_cache(maxsize=1)
def vocabularies() -> tuple[Graph, Graph, Graph]:
    """(ODRL 2.2, RightsML terms, the desk's vocabulary)."""
    return (_turtle(reference_file("ODRL22.ttl")), _turtle(reference_file("poe_rightsml.ttl")),
            _turtle(DESK_VOCABULARY))


@lru_cache(maxsize=1)
def _defined() -> frozenset[str]:
    terms = {str(s) for g in vocabularies() for s in g.subjects() if isinstance(s, URIRef)}
    return frozenset(terms | {RIGHTSML_PROFILE})  # the profile is an IRI of IPTC's, not a term


def _is_vocabulary_iri(iri: str) -> bool:
    return iri.startswith((str(ODRL), DESK) + RIGHTSML_NAMESPACES)


def _code_iri_problem(iri: str) -> str | None:
    """None if `iri` is a real ISO 3166 country or ISO 4217 currency IRI, else why not."""
    for base, lookup, what in ((ISO3166, lambda c: pycountry.countries.get(alpha_2=c), "country"),
                               (ISO4217, lambda c: pycountry.currencies.get(alpha_3=c), "currency")):
        if iri.startswith(base):
            code = iri[len(base):]
            return None if code.isupper() and lookup(code) else f"{iri} names no ISO {what} code"
    return f"{iri} is not an ISO 3166 country or ISO 4217 currency IRI"


def unknown_terms(graph: Graph) -> list[str]:
    """Every predicate, class and vocabulary value that is not defined where it must be."""
    defined = _defined() | WELL_KNOWN
    found: set[str] = set()
    vocabulary_positions = {ODRL.action, ODRL.leftOperand, ODRL.operator, ODRL.function, RDF.type, RDF.value}
    for s, p, o in graph:
        found |= {f"{iri} is not defined in ODRL 2.2, RightsML or the desk's vocabulary" for iri in (s, p, o)
                  if isinstance(iri, URIRef) and _is_vocabulary_iri(str(iri)) and str(iri) not in defined}
        if str(p) not in defined:
            found.add(f"predicate {p} is not a known term")
        if not isinstance(o, URIRef):
            continue
        if p in vocabulary_positions and str(o) not in defined:
            found.add(f"{graph.qname(p)} value {o} is not a known term")
        code_problem = _code_iri_problem(str(o))
        if (p == ODRL.unit and str(o) not in defined) or str(o).startswith((ISO3166, ISO4217)):
            found |= {f"{graph.qname(p)}: {code_problem}"} if code_problem else set()
    return sorted(found)


def wrong_kinds(graph: Graph) -> list[str]:
    """Values that must be IRIs but are text, a profile that is not RightsML 2.0's, a payment that is
    not a refinement of compensate, a party without an IRI."""
    found: set[str] = set()
    for p in IRI_VALUED:
        for _s, o in graph.subject_objects(p):
            if isinstance(o, Literal):
                found.add(f"{graph.qname(p)} is the text {str(o)!r}, not an IRI")
    for constraint in graph.subjects(ODRL.leftOperand, ODRL.spatial):
        for o in graph.objects(constraint, ODRL.rightOperand):
            if not isinstance(o, URIRef):
                found.add(f"a spatial constraint's value {o!r} is not an IRI")
    profiles = {str(o) for o in graph.objects(None, ODRL.profile)}
    if profiles != {RIGHTSML_PROFILE}:
        found.add(f"profile is {sorted(profiles)}, not RightsML 2.0's {RIGHTSML_PROFILE}")
    for amount in graph.subjects(ODRL.leftOperand, ODRL.payAmount):
        refined = [action for action in graph.subjects(ODRL.refinement, amount)
                   if graph.value(action, RDF.value) == ODRL.compensate]
        if not refined:  # ODRL 2.2 and IPTC put a payment in a refinement of compensate
            found.add("a payAmount is not a refinement of a compensate action")
    for party in set(graph.objects(None, ODRL.assigner)) | set(graph.objects(None, ODRL.assignee)):
        if isinstance(party, BNode):
            found.add("a party has no uid (IRI)")
    return sorted(found)


@lru_cache(maxsize=1)
def _shapes() -> tuple[tuple[str, Graph], ...]:
    """The W3C shapes, with shapesv2's odrl:ActionShape switched off: it asks every odrl:Action to
    be `includedIn` another, a rule for defining an action in a vocabulary (ODRL's own odrl:use
    breaks it), not for using one; under RDFS inference it fires on every action a policy names
    and on the node of a refined action (ODRL 2.2's own form for a refinement). Whether an action
    is a defined term is checked by unknown_terms instead."""
    shapes = []
    for name in ("shapes.ttl", "shapesv2.ttl"):
        graph = _turtle(reference_file(name))
        if (ODRL.ActionShape, RDF.type, SH.NodeShape) in graph:
            graph.add((ODRL.ActionShape, SH.deactivated, Literal(True)))
        shapes.append((name, graph))
    return tuple(shapes)


@lru_cache(maxsize=1)
def _vocabulary() -> Graph:
    odrl, rightsml, desk = vocabularies()
    return odrl + rightsml + desk


def with_types(graph: Graph) -> Graph:
    """`graph` plus the rdf:type triples RDFS would infer from the vocabularies: a node is typed by
    the range of the property that holds it and the domain of those it has, a vocabulary term by
    its declared type, each type with its superclasses. Without this, the shapes that target
    odrl:Constraint or odrl:Rule never meet the untyped nodes of JSON-LD (a constraint with no
    operator passes). pyshacl's own `inference="rdfs"` does the same over the whole vocabulary
    (about 1.5 s a policy); this takes milliseconds."""
    vocabulary = _vocabulary()
    typed = Graph()
    typed += graph
    found: set[tuple] = set()
    for s, p, o in graph:
        if not isinstance(o, Literal):
            found |= {(o, c) for c in vocabulary.objects(p, RDFS.range) if isinstance(c, URIRef)}
        found |= {(s, c) for c in vocabulary.objects(p, RDFS.domain) if isinstance(c, URIRef)}
        found |= {(node, c) for node in (s, o) if isinstance(node, URIRef)
                  for c in vocabulary.objects(node, RDF.type) if isinstance(c, URIRef)}
        if p == RDF.type and isinstance(o, URIRef):
            found.add((s, o))
    for node, cls in found:
        for superclass in vocabulary.transitive_objects(cls, RDFS.subClassOf):
            if isinstance(superclass, URIRef):
                typed.add((node, RDF.type, superclass))
    return typed


def shacl_failures(graph: Graph) -> list[str]:
    """The W3C ODRL shapes' violations, over the graph with its RDFS types (with_types)."""
    from pyshacl import validate

    data = with_types(graph)
    failures = set()
    for name, shapes in _shapes():
        conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                       allow_warnings=False)
        if not conforms:
            failures |= {f"{name}: {line}" for line in _results(report)}
    return sorted(failures)


def _results(report: Graph) -> list[str]:
    """One short line per violation (the text report repeats whole nodes)."""
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        focus = report.value(result, SH.focusNode)
        lines.append(f"{_short(component)} at {_short(shape)}, path {_short(path)}, focus {_short(focus)}")
    return lines


def _short(node) -> str:
    if isinstance(node, URIRef):
        return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return "[...]" if isinstance(node, BNode) else str(node)


def problems(policy: dict) -> list[str]:
    """Everything wrong with `policy` as an ODRL 2.2 / RightsML 2.0 document; [] when it passes."""
    _, dropped = expand(policy)
    found = [f"key dropped on expansion: {key}" for key in sorted(set(dropped))]
    graph = to_graph(policy)
    return found + unknown_terms(graph) + wrong_kinds(graph) + shacl_failures(graph)


def public_copy_problems(policy: dict) -> list[str]:
    """What a public copy must not hold, read from its RDF (so no spelling of a key escapes): a
    payment amount, a party's e-mail, any mailto: address."""
    graph = to_graph(policy)
    found = []
    odrl_ns, vcard_email = "http://www.w3.org/ns/odrl/2/", "http://www.w3.org/2006/vcard/ns#hasEmail"
    for s, p, o in graph:
        if str(o) == f"{odrl_ns}payAmount" or str(p) == f"{odrl_ns}payAmount":
            found.append("a fee (odrl:payAmount)")
        if str(p) == vcard_email or any(str(term).startswith("mailto:") for term in (s, o)):
            found.append(f"an e-mail address ({o})")
    return sorted(set(found))
