"""Garbage collection for long-lived worker processes (gunicorn workers, RQ workers).

After start-up a worker holds a large heap that never dies (the app, SQLAlchemy's mappers,
WeasyPrint's fonts and stylesheet). Python's full collections walk all of it: ~100 ms each in a
worker that renders PDFs, a few times a second under load, which shows as a slow request or a
slow document now and then (p95 of an invoice render 132 ms against a median of 55 ms). Freezing
that start-up heap takes it out of every later collection, and a higher first threshold makes
collections rarer; reference counting still frees everything at once, so memory stays flat
(bench/pdf_bench.py measures it over 500 renders)."""
from __future__ import annotations

import gc

THRESHOLDS = (10_000, 20, 20)  # Python's default: (700, 10, 10)


def settle_heap() -> None:
    """Call once a worker is ready to take work."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
