"""Garbage collection for long-lived worker processes (gunicorn workers, RQ workers).

After start-up a worker holds a large heap that never dies (the app, SQLAlchemy's mappers,
WeasyPrint's fonts and stylesheet). Python's full collections walk all of it: ~100 ms each in a
worker that renders PDFs, which shows as a slow request or a slow document now and then. Freezing
that start-up heap takes it out of every later collection. The collection thresholds stay
Python's own: raising them (fewer collections) saved no measurable time per document but let the
resident size of a rendering worker grow by 17-23 MiB over 1,500 documents, against ~1 MiB with
freezing alone (bench/pdf_bench.py measures it over 500 renders)."""
from __future__ import annotations

import gc


def settle_heap() -> None:
    """Call once a worker is ready to take work."""
    gc.collect()
    gc.freeze()
