"""A license as IPTC RightsML 2.0 (an ODRL 2.2 profile), in JSON-LD (pure)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

ISO3166 = "http://cvx.iptc.org/iso3166-1a2/"
CONTEXT = ["http://www.w3.org/ns/odrl.jsonld", {"rightsml": "http://iptc.org/std/RightsML/2.0/"}]


def license_jsonld(lic: dict[str, Any]) -> dict[str, Any]:
    """`lic` holds plain values: number, uri, licensor, licensee, article_url, territory (list of ISO
    3166 codes or "worldwide"), start, end (ISO dates or None), fee, currency, exclusions, status."""
    constraints: list[dict[str, Any]] = []
    if lic["territory"] != "worldwide":
        constraints.append({"leftOperand": "spatial", "operator": "isAnyOf",
                            # IPTC's ISO 3166-1 alpha-2 codes as IRIs: a JSON-LD value object may hold
                            # nothing but keywords, so {"@value": ..., "dataType": ...} was invalid
                            "rightOperand": [{"@id": f"{ISO3166}{c}"} for c in lic["territory"]]})
    constraints.append({"leftOperand": "dateTime", "operator": "gteq",
                        "rightOperand": {"@value": lic["start"], "@type": "xsd:date"}})
    if lic["end"]:
        constraints.append({"leftOperand": "dateTime", "operator": "lteq",
                            "rightOperand": {"@value": lic["end"], "@type": "xsd:date"}})
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Agreement",
        "uid": lic["uri"],
        "profile": "http://iptc.org/std/RightsML/2.0/",
        "rightsml:licenseNumber": lic["number"],
        "assigner": {"@type": "Party", "uid": lic["licensor_uri"], "name": lic["licensor"]},
        "assignee": {"@type": "Party", "name": lic["licensee"]},
        "permission": [{
            "target": lic["article_url"],
            "action": "distribute",
            "constraint": constraints,
            "duty": [{
                "action": "compensate",
                "constraint": [{"leftOperand": "payAmount", "operator": "eq",
                                "rightOperand": {"@value": lic["fee_decimal"], "@type": "xsd:decimal"},
                                "unit": f"http://cvx.iptc.org/iso4217a/{lic['currency']}"}],
            }],
        }],
    }
    if lic.get("status"):
        document["rightsml:status"] = lic["status"]
    if lic["exclusions"]:
        document["prohibition"] = [{"target": f"{lic['article_url']}#asset:{quote(credit, safe='')}",
                                    "action": "use", "rightsml:excludedMaterial": credit}
                                   for credit in lic["exclusions"]]
    return document
