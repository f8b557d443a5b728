"""Form submission speed: POST /republish (action=submit with the confirmed amount, as the browser
sends it) through the Flask test client, CSRF off, on a SQLite file migrated by the real
migrations and, when it answers, on a fresh PostgreSQL database. Each submission stores a
request, its event and its confirmation e-mail. Aim: under 30 ms.

    .venv/bin/python bench/submit_bench.py [runs]
"""
from __future__ import annotations

import sys
from datetime import date, timedelta

from common import make_app, postgres_database, print_table, row, seed_demo, sqlite_database, timed

from licensing.pricing.rules import DEMO_RATE_CARD, RateCardTerms, RequestedUse, quote_for

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
AIM_MS = 30.0
EXAMPLE_URL = "https://www.middleeasteye.net/news/us-turkey-work-closely-deal-lasting-defeat-us-defence-secretary"


def form_data(n: int) -> dict:
    """What a browser sends for a filled form (unticked boxes are not sent)."""
    amount = quote_for(RateCardTerms.from_dict(1, DEMO_RATE_CARD),
                       RequestedUse("website", 500_000, ("GB", "IE"), "1_year")).amount
    return {
        "article_url": EXAMPLE_URL, "organisation": f"Leeds Evening Post {n}", "contact_name": "Jo Editor",
        "email": f"editor{n}@leeds-post.example", "country": "GB", "vat_id": "GB 123 4567 89",
        "publication": "Leeds Evening Post", "publication_url": "https://leeds-post.example", "medium": "website",
        "audience": "500,000", "territory_kind": "countries", "region": "eu", "territory_countries": ["GB", "IE"],
        "language": "en", "term": "1_year", "start_date": (date.today() + timedelta(days=7)).isoformat(),
        "notes": "Print edition too, if possible.", "terms_accepted": "y", "website": "",
        "confirmed_amount": str(amount), "action": "submit",
    }


def submit_rows(label: str, url: str) -> list[tuple]:
    application = make_app(url)
    seed_demo(application)
    client = application.test_client()
    counter = iter(range(10**9))
    locations: list[str] = []

    def submit() -> None:
        response = client.post("/republish", data=form_data(next(counter)))
        assert response.status_code == 302 and "/confirmation" in response.location, (
            response.status_code, response.get_data(as_text=True)[:2000])
        locations.append(response.location)

    def confirmation() -> None:
        assert client.get(locations[len(locations) // 2]).status_code == 200

    def preview() -> None:
        data = form_data(0) | {"action": "preview", "confirmed_amount": ""}
        assert client.post("/republish", data=data).status_code == 200

    def form_page() -> None:
        assert client.get("/republish?article=" + EXAMPLE_URL).status_code == 200

    rows = [row(f"POST /republish submit ({label})", timed(submit, RUNS, warmup=20), AIM_MS),
            row(f"  POST /republish preview ({label})", timed(preview, RUNS // 4, warmup=10), AIM_MS),
            row(f"  GET /republish, the form ({label})", timed(form_page, RUNS // 4, warmup=10), AIM_MS),
            row(f"  GET confirmation page ({label})", timed(confirmation, RUNS // 4, warmup=10), AIM_MS)]
    application.extensions["database"].dispose()
    return rows


def main() -> None:
    rows: list[tuple] = []
    with sqlite_database() as url:
        rows += submit_rows("SQLite", url)
    with postgres_database() as url:
        if url:
            rows += submit_rows("PostgreSQL", url)
    print_table(f"Request form submission ({RUNS:,} submissions per database)", rows)


if __name__ == "__main__":
    main()
