"""Licenses and invoices issued through the app print a licensee's name in every script the desk
sells to (Latin, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, Chinese, Japanese, Korean):
pdftotext reads each name back. A name with a character no installed font has fails the render
(a .notdef box), is retried, reported, and never marked ready.

Needs fonts-noto-core, fonts-noto-cjk and poppler-utils (.ci/system-deps.sh)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.documents_helpers import approve, document_of, license_of
from tests.integration.documents.test_scripts_print import NAMES, NO_FONT_HAS
from tests.staff_fixtures import add_user, submit


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "reviewer@desk.test", "Rae Reviewer", ["staff"])


def _text(pdf: bytes, tmp_path) -> str:  # noqa: ANN001
    assert shutil.which("pdftotext"), "pdftotext is missing: run .ci/system-deps.sh test (poppler-utils)"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


@pytest.mark.parametrize("script", NAMES)
def test_the_license_and_invoice_print_the_name(seeded, staff, script, tmp_path):
    name = NAMES[script]
    made = submit(seeded, organisation=name, contact_name=name)
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    for number in (lic.number, lic.invoice_number):
        doc = document_of(seeded, number)
        assert (doc.status, doc.last_error) == ("ready", "")
        assert name in _text(doc.pdf, tmp_path), f"{script} name missing from {number}"


def test_a_name_no_font_has_fails_the_render_and_is_never_ready(seeded, staff, caplog):
    name = f"Box {NO_FONT_HAS} Ltd"
    made = submit(seeded, organisation=name)
    approve(seeded, made.reference, staff)
    lic = license_of(seeded, made.reference)
    for number in (lic.number, lic.invoice_number):
        doc = document_of(seeded, number)
        assert doc.status == "failed" and doc.pdf is None
        assert doc.attempts == 3  # retried like any failed render
        assert "MissingGlyphs" in doc.last_error and "U+E000" in doc.last_error
    assert any("rendering" in r.getMessage() and "U+E000" in r.getMessage() for r in caplog.records)  # reported
