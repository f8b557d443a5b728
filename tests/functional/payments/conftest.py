"""Payment tests: the app talks to ONE local Stripe stand-in for the whole run (over HTTP; the
`stripe` package is never mocked here except in the unit tests, which put a FakeGateway in
app.extensions). Approvals in these tests skip PDF rendering unless a test needs the PDFs."""
from __future__ import annotations

import pytest

from tests.documents_helpers import no_rendering
from tests.staff_fixtures import add_user
from tests.stripe_fixtures import live_server, standin, standin_server, stripe_client, stripe_config, stripe_switch  # noqa: F401, F811 - pytest fixtures, used by name


@pytest.fixture
def app_config(standin) -> dict:  # noqa: F811 - pytest injects the fixture by name
    return stripe_config(standin.base_url)


@pytest.fixture
def quick_documents(monkeypatch) -> list[int]:
    """Approvals leave their PDFs pending (rendering takes ~0.3 s a document)."""
    return no_rendering(monkeypatch)


@pytest.fixture
def staff(seeded) -> int:
    return add_user(seeded, "reviewer@desk.test", "Rae Reviewer", ["staff"])


@pytest.fixture
def finance(seeded) -> int:
    return add_user(seeded, "finance@desk.test", "Fin Ance", ["finance"])
