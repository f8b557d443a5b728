from datetime import date, timedelta

import pytest

from licensing.intake.rules.validation import RequestInput, validate_request
from tests.conftest import EXAMPLE_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_kind(request) -> str:
    """Integration tests run on SQLite and on PostgreSQL."""
    return request.param


def given_request(**overrides) -> RequestInput:  # noqa: ANN003
    """A valid request as the intake rules return it (website, 25,000, GB + FR, 1 year), with overrides."""
    data = {
        "article_url": EXAMPLE_URL, "organisation": "Leeds Evening Post Ltd", "contact_name": "Jo Bloggs",
        "email": "jo@leeds-post.example", "country": "GB", "publication": "Leeds Evening Post",
        "publication_url": "https://leeds-post.example", "medium": "website", "audience": 25000,
        "territory": ["GB", "FR"], "language": "en", "term": "1_year",
        "start_date": (date.today() + timedelta(days=7)).isoformat(), "terms_accepted": True,
    }
    data.update(overrides)
    given, errors = validate_request(data, date.today())
    assert not errors, errors
    return given
