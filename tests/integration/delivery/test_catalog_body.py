"""The catalog keeps each article's body sanitised and asset-linked (on SQLite and PostgreSQL): a feed's
script never reaches the database, each image is tied to its catalog asset by id, an unknown one to
none, and a re-import of the same body is no correction (asset ids change, the fingerprint does not)."""
from __future__ import annotations

from sqlalchemy import select

from tests.conftest import EXAMPLE_URL
from tests.delivery_helpers import PHOTO_NOT, PHOTO_OK, import_body

BODY = (f'<p onclick="x()">Hello<script>alert(1)</script></p><img src="{PHOTO_OK}">'
        f'<figure><img src="{PHOTO_NOT}"><figcaption>AFP</figcaption></figure>'
        '<img src="https://elsewhere.example/unknown.jpg">')


def stored(app):  # noqa: ANN001, ANN201
    from licensing.catalog.models import Article
    from licensing.core.db import new_session

    with app.app_context(), new_session() as s:
        article = s.scalars(select(Article).where(Article.canonical_url == EXAMPLE_URL)).one()
        return article.body_html, article.body_text, article.body_sha256, {a.url: a.id for a in article.assets}


def test_body_is_sanitised_and_linked_to_assets(seeded, tmp_path):
    assert import_body(seeded, tmp_path, BODY) == 1  # it replaces the demo body: a correction (no licensee yet)
    html, text, sha, assets = stored(seeded)
    assert html == (f'<p>Hello</p><img src="{PHOTO_OK}" data-asset="{assets[PHOTO_OK]}">'
                    f'<figure data-asset="{assets[PHOTO_NOT]}"><img src="{PHOTO_NOT}"><figcaption>AFP</figcaption>'
                    '</figure><img src="https://elsewhere.example/unknown.jpg" data-asset="">')
    assert text == "Hello\n\nAFP"
    assert len(sha) == 64

    assert import_body(seeded, tmp_path, BODY + " ") == 0  # the same body again: no correction
    html_again, _text, sha_again, assets_again = stored(seeded)
    assert assets_again != assets and sha_again == sha  # new asset rows, same fingerprint
    assert f'data-asset="{assets_again[PHOTO_OK]}"' in html_again
