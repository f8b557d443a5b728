"""Quote speed: the pure pricing function, and POST /api/v1/quotes through the Flask test client
(SQLite file migrated by the real migrations, demo catalog and rate card; PostgreSQL too when it
answers). Aim: a quote under 1 ms.

    .venv/bin/python bench/quote_bench.py [runs]
"""
from __future__ import annotations

import itertools
import sys

from common import make_app, postgres_database, print_table, row, seed_demo, sqlite_database, timed

from licensing.pricing.rules import DEMO_RATE_CARD, MEDIA, TERMS, RateCardTerms, RequestedUse, quote_for

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
AIM_MS = 1.0
EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"


def uses() -> itertools.cycle:
    """A varied stream of requested uses, so no single branch is all that is measured."""
    territories = ["worldwide", ("GB",), ("GB", "IE"), tuple(["AT", "BE", "BG", "HR", "CY", "CZ", "DK"])]
    combos = itertools.product(MEDIA, (0, 5_000, 250_000, 50_000_000), territories, TERMS, (False, True))
    return itertools.cycle([RequestedUse(m, a, t, term, translation=x, exclusive=x, media_assets=int(x))
                            for m, a, t, term, x in combos])


def api_bodies() -> itertools.cycle:
    bodies = []
    for medium, audience, territory, term in itertools.product(
            MEDIA, (5000, 500_000), ("worldwide", ["GB", "IE"]), TERMS):
        bodies.append({"article_url": EXAMPLE_URL, "medium": medium, "audience": audience, "territory": territory,
                       "language": "en", "term": term, "exclusive": False, "media_wanted": False})
    return itertools.cycle(bodies)


def api_rows(label: str, url: str) -> list[tuple]:
    application = make_app(url)
    seed_demo(application)
    client = application.test_client()
    bodies = api_bodies()

    def post() -> None:
        response = client.post("/api/v1/quotes", json=next(bodies))
        assert response.status_code == 200, response.get_data(as_text=True)

    def floor() -> None:  # the app's fixed cost: a session, no SQL, a JSON 404
        assert client.get("/api/v1/requests/REQ-222222").status_code == 404

    samples = timed(post, RUNS, warmup=50)
    floor_samples = timed(floor, RUNS, warmup=50)
    application.extensions["database"].dispose()
    return [row(f"POST /api/v1/quotes ({label})", samples, AIM_MS),
            row(f"  floor: GET a JSON 404, no SQL ({label})", floor_samples)]


def main() -> None:
    terms = RateCardTerms.from_dict(1, DEMO_RATE_CARD)
    stream = uses()
    rows = [
        row("quote_for (pure)", timed(lambda: quote_for(terms, next(stream)), RUNS, warmup=200), AIM_MS),
        row("RateCardTerms.from_dict + quote_for",
            timed(lambda: quote_for(RateCardTerms.from_dict(1, DEMO_RATE_CARD), next(stream)), RUNS, warmup=200),
            AIM_MS),
    ]
    with sqlite_database() as url:
        rows += api_rows("SQLite", url)
    with postgres_database() as url:
        if url:
            rows += api_rows("PostgreSQL", url)
    print_table(f"Quote ({RUNS:,} runs each)", rows)


if __name__ == "__main__":
    main()
