"""The staff review queue at 100,000 requests, through the test client (routing, auth, queries,
template), on a migrated temporary SQLite file and, when a server answers, a temporary PostgreSQL
database: the default view (open requests, oldest first), other tabs, filters, search, sort by fee
and a deep page; each twice: as a view repeated while the table is unchanged (the counts per status
come from the process's cache) and as the first view after a change (they are counted again).
Median and p95 in ms. Aim: under 50 ms.

    .venv/bin/python bench/queue_bench.py [--requests 100000] [--runs 30]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import make_app, postgres_database, print_table, row, seed_demo, sqlite_database, timed  # noqa: E402
from bench.common.bulk import analyze, insert_requests  # noqa: E402
from bench.common.issued import add_user  # noqa: E402
from licensing.review.queries import counts_cache  # noqa: E402

AIM_MS = 50
VIEWS = (
    ("open, oldest first (default)", "/staff/requests"),
    ("all statuses", "/staff/requests?status=all"),
    ("approved tab", "/staff/requests?status=approved"),
    ("overdue", "/staff/requests?overdue=1"),
    ("medium = print", "/staff/requests?medium=print&status=all"),
    ("territory = FR", "/staff/requests?territory=FR&status=all"),
    ("search organisation", "/staff/requests?q=herald&status=all"),
    ("search e-mail", "/staff/requests?q=editor4242@x.example&status=all"),
    ("sort by fee", "/staff/requests?sort=fee_high"),
    ("page 50 of all", "/staff/requests?status=all&page=50"),
)


def measure(label: str, url: str, count: int, runs: int) -> list[tuple]:
    application = make_app(url)
    seed_demo(application)
    engine = application.extensions["database"].engine
    counts = insert_requests(engine, count)
    analyze(engine)
    staff = add_user(application, "staff@desk.bench", "Sam Staff", ["staff"])
    client = application.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = str(staff), True
    print(f"{label}: {sum(counts.values()):,} requests ({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))})")
    rows = []
    for name, path in VIEWS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        rows.append(row(f"{label}: {name}", timed(lambda p=path: client.get(p), runs, warmup=3), AIM_MS))
    # The same views as the first one after a change to the requests table (a submission, a
    # decision): the counts per status are counted again instead of taken from the process's cache.
    cache = counts_cache(application)

    def recounted(path: str):  # noqa: ANN202
        cache.clear()
        return client.get(path)

    for name, path in VIEWS:
        rows.append(row(f"{label}: {name}, recounted", timed(lambda p=path: recounted(p), runs, warmup=3), AIM_MS))
    application.extensions["database"].dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rows = []
    with sqlite_database() as url:
        rows += measure("SQLite", url, args.requests, args.runs)
    with postgres_database() as url:
        if url:
            rows += measure("PostgreSQL", url, args.requests, args.runs)
    print_table(f"Staff queue at {args.requests:,} requests (ms; aim < {AIM_MS})", rows)


if __name__ == "__main__":
    main()
