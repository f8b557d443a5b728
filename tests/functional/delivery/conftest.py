"""Fixtures of the delivery tests: documents left unrendered, and a signed-in staff member."""
from __future__ import annotations

import pytest

from tests.documents_helpers import no_rendering
from tests.staff_fixtures import add_user, login


@pytest.fixture
def quiet(monkeypatch):
    """Documents stay pending: these tests are about the package, not the PDFs."""
    return no_rendering(monkeypatch)


@pytest.fixture
def staff(seeded):
    uid = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    client = seeded.test_client()
    login(client, uid)
    return uid, client
