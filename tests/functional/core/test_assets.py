"""Static files are linked with a fingerprint and cached for a year under it; never served stale."""
from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from licensing.core.assets import IMMUTABLE, Fingerprints

STATIC = Path(__file__).resolve().parents[3] / "licensing" / "core" / "static"


def _linked(html: str, name: str) -> str:
    match = re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]+)"', html)
    assert match, f"{name} is not linked with a fingerprint"
    return match.group(1)


def test_pages_link_static_files_by_content_fingerprint(client, seeded) -> None:
    html = client.get("/republish").get_data(as_text=True)
    for name in ("css/app.css", "js/quote.js", "favicon.svg"):
        url = _linked(html, name)
        expected = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
        assert url.endswith(f"?v={expected}")


def test_a_fingerprinted_file_is_immutable_for_a_year(client, seeded) -> None:
    url = _linked(client.get("/republish").get_data(as_text=True), "css/app.css")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.get_data() == (STATIC / "css" / "app.css").read_bytes()
    response.close()


def test_an_old_or_missing_fingerprint_is_revalidated(client) -> None:
    for url in ("/static/css/app.css?v=000000000000", "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
        assert "no-cache" in response.headers.get("Cache-Control", "")
        response.close()
    assert client.get("/static/nothing-here.css?v=000000000000").status_code == 404


def test_a_changed_file_gets_a_new_fingerprint(tmp_path) -> None:
    (tmp_path / "a.css").write_text("p { color: red }")
    fingerprints = Fingerprints(tmp_path)
    first = fingerprints.of("a.css")
    assert first == fingerprints.of("a.css")
    time.sleep(0.01)
    (tmp_path / "a.css").write_text("p { color: blue }")
    assert fingerprints.of("a.css") not in (None, first)
    assert fingerprints.of("missing.css") is None
    assert fingerprints.of("../" + tmp_path.name + "/a.css") is not None  # inside the folder after all
    assert fingerprints.of("../outside.css") is None
