"""The licensor's logo (SELLER_LOGO) heads the license PDF, and stays in it: the logo travels in the
license's frozen inputs, so replacing the file later changes no issued document."""
from __future__ import annotations

import io

import pikepdf
import pytest

from tests.documents_helpers import approve, document_of, license_of
from tests.staff_fixtures import add_user, submit
from tests.unit.core.test_seller_logo import png


def images_of(pdf: bytes) -> list[tuple[int, int]]:
    """The (width, height) of every image drawn on the PDF's pages, read by pikepdf."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return sorted((int(image.Width), int(image.Height)) for page in document.pages
                      for image in page.images.values())


@pytest.fixture
def app_config(tmp_path) -> dict:
    (tmp_path / "licensor.png").write_bytes(png(240, 80))
    return {"SELLER_LOGO": str(tmp_path / "licensor.png")}


def test_the_license_carries_the_licensors_logo_and_keeps_it(seeded, tmp_path):
    made = submit(seeded)
    approve(seeded, made.reference, add_user(seeded, "rev@desk.test", "Rae", ["staff"]))
    document = document_of(seeded, license_of(seeded, made.reference).number)
    assert document.status == "ready"
    assert (240, 80) in images_of(document.pdf)

    (tmp_path / "licensor.png").write_bytes(png(60, 20))  # a new logo: issued licenses keep the old one
    result = seeded.test_cli_runner().invoke(args=["documents", "verify"])
    assert result.exit_code == 0, result.output


def test_without_a_logo_the_license_draws_no_logo(client, seeded, monkeypatch):
    """The broken counterpart of the check above: with SELLER_LOGO unset, no 240 x 80 image."""
    monkeypatch.setattr(seeded.config["SETTINGS"], "seller_logo", "")
    made = submit(seeded)
    approve(seeded, made.reference, add_user(seeded, "rev@desk.test", "Rae", ["staff"]))
    assert (240, 80) not in images_of(document_of(seeded, license_of(seeded, made.reference).number).pdf)
