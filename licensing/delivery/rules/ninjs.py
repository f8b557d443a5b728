"""The licensed article as IPTC ninjs 2.1 (News in JSON): what a newsroom system ingests without a
human copying it, with the license in `rightsinfo` (a link to the license's RightsML policy).

ninjs 2.1 requires only `uri`; `rightsinfo` takes exactly one of `linkedrights` or `encodedrights`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

NINJS_SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"
RIGHTSML_PROFILE = "https://iptc.org/std/RightsML/odrl-profile/"
MEDIUM_TYPES = {"photo": "picture", "image": "picture", "graphic": "graphic", "video": "video", "audio": "audio"}


@dataclass(frozen=True)
class NinjsAsset:
    """An included asset, as an association: its source URL, kind (catalog kind), credit and caption."""

    url: str
    kind: str
    credit: str
    description: str = ""


@dataclass(frozen=True)
class NinjsInput:
    uri: str
    title: str
    standfirst: str
    byline: str
    language: str
    first_created: datetime | None
    version_created: datetime
    html: str
    text: str
    copyright_holder: str
    usage_terms: str
    license_number: str
    rights_url: str
    renditions: Sequence[tuple[str, str, str]] = ()  # (name, href, content type)
    assets: Sequence[NinjsAsset] = ()


def iso_utc(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z; a naive datetime is UTC (as the database stores it)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def ninjs_document(item: NinjsInput) -> dict:
    words = len(item.text.split())
    doc: dict = {
        "uri": item.uri,
        "standard": {"name": "ninjs", "version": "2.1", "schema": NINJS_SCHEMA_URI},
        "type": "text",
        "representationtype": "full",
        "pubstatus": "usable",
        "versioncreated": iso_utc(item.version_created),
        "language": item.language,
        "headlines": [{"role": "main", "value": item.title}],
        "copyrightholder": item.copyright_holder,
        "copyrightnotice": f"Copyright {item.copyright_holder}. Republished under license {item.license_number}.",
        "usageterms": item.usage_terms,
        "bodies": [
            {"role": "main", "contenttype": "text/html", "value": item.html, "wordcount": words},
            {"role": "main", "contenttype": "text/plain", "value": item.text, "wordcount": words,
             "charcount": len(item.text)},
        ],
        "altids": [{"role": "license-number", "value": item.license_number}],
        "rightsinfo": {"langid": RIGHTSML_PROFILE, "linkedrights": item.rights_url},
    }
    if item.first_created is not None:
        doc["firstcreated"] = iso_utc(item.first_created)
    if item.byline:
        doc["by"] = item.byline
    if item.standfirst:
        doc["descriptions"] = [{"role": "summary", "value": item.standfirst}]
    if item.renditions:
        doc["renditions"] = [{"name": name, "href": href, "contenttype": kind} for name, href, kind in item.renditions]
    if item.assets:
        doc["associations"] = [_association(n, asset) for n, asset in enumerate(item.assets, start=1)]
    return doc


def _association(n: int, asset: NinjsAsset) -> dict:
    kind = MEDIUM_TYPES.get(asset.kind, "component")
    association = {"name": f"{kind}{n}", "uri": asset.url, "type": kind, "by": asset.credit,
                   "renditions": [{"name": "original", "href": asset.url}]}
    if asset.description:
        association["descriptions"] = [{"role": "caption", "value": asset.description}]
    return association
