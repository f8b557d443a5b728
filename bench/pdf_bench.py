"""PDF rendering: the issued license and invoice documents rendered again from their stored inputs
(licensing.core.documents.render_bytes: the real templates, licensing.core.pdf.render_pdf, the shared font
configuration), beside a bare WeasyPrint render of a minimal page and render_pdf of that page.

- warm median render time (wall clock and CPU time of the process), after a few warm-up renders;
- documents per second with one and with two worker processes (two processes spawned, as RQ's
  workers are separate processes, and warmed up once; then one or both render for a few seconds);
- memory: VmRSS of a fresh worker process after 20 warm-up renders and after 500 more (license
  and invoice alternating), and the growth between the two.

Aims: invoice < 70 ms, license < 150 ms (warm median), two processes >= 1.8x one, growth < 10 MiB.
The invoice is issued as Factur-X (layout v3: PDF/A-3b with its EN 16931 XML built from the frozen
context on each render); the same invoice as a plain layout-v2 PDF is timed in the same round robin,
and their ratio printed (aim: Factur-X at most 1.3x plain).
The documents come from two requests submitted and approved through the real services on a
SQLite file migrated by the real migrations (removed afterwards).

    .venv/bin/python bench/pdf_bench.py [--runs 40] [--seconds 4] [--rounds 5] [--renders 500]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import statistics
import time
from types import SimpleNamespace

from common import make_app, p95, seed_demo, sqlite_database
from common.issued import add_user, submit_and_approve

from licensing.core.gctune import settle_heap  # noqa: E402 - after common, which puts the repo on sys.path

MINIMAL_HTML = "<!doctype html><html lang=en><head><meta charset=utf-8><title>x</title></head><body><p>Hello</p></body></html>"
AIMS_MS = {"invoice": 70.0, "license": 150.0}
FACTURX_AIM = 1.3  # Factur-X invoice / plain invoice, warm median
SPEEDUP_AIM = 1.8
GROWTH_AIM_MIB = 10.0


def rss_kib(pid: int | str = "self") -> tuple[int, int]:
    """(VmRSS, VmHWM) in KiB from /proc/<pid>/status."""
    found = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                found[key] = int(value.split()[0])
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


def load_documents(url: str):  # noqa: ANN201
    """The app and {kind: Document} of the bench database (detached, context loaded)."""
    from sqlalchemy import select

    from licensing.core.db import new_session
    from licensing.core.models import Document

    application = make_app(url)
    with application.app_context(), new_session() as session:
        docs = {}
        for document in session.scalars(select(Document).order_by(Document.id)):
            docs.setdefault(document.kind, document)
            document.context  # noqa: B018 - loaded before the session closes
        session.expunge_all()
    return application, docs


# ------------------------------------------------------------------ in worker processes

def _throughput_worker(url: str, conn) -> None:  # noqa: ANN001
    """A rendering worker kept for the whole run: warmed up once, then told ("run", kind, seconds)
    renders that document for that long and answers (renders done, seconds they took)."""
    from licensing.core.documents import render_bytes

    application, docs = load_documents(url)
    with application.test_request_context("/"):
        for document in docs.values():
            for _ in range(3):
                render_bytes(document)
        settle_heap()  # as an RQ worker does once it is ready
        conn.send("ready")
        while (command := conn.recv()) != "stop":
            _, kind, seconds = command
            began = time.perf_counter()
            done, last = 0, began
            while last - began < seconds:
                render_bytes(docs[kind])
                done, last = done + 1, time.perf_counter()
            conn.send((done, last - began))


def _memory_worker(url: str, renders: int, results) -> None:  # noqa: ANN001
    from licensing.core.documents import render_bytes

    application, docs = load_documents(url)
    order = [docs["license"], docs["invoice"]]
    with application.test_request_context("/"):
        for n in range(20):
            render_bytes(order[n % 2])
        settle_heap()
        marks = [(0, *rss_kib())]
        for n in range(1, renders + 1):
            render_bytes(order[n % 2])
            if n % 100 == 0 or n == renders:
                marks.append((n, *rss_kib()))
    results.put(marks)


class RenderingWorkers:
    """Two warmed-up worker processes (spawned, as RQ's workers are separate processes)."""

    def __init__(self, ctx, url: str, count: int = 2):  # noqa: ANN001
        self.pipes, self.processes = [], []
        for _ in range(count):
            mine, theirs = ctx.Pipe()
            process = ctx.Process(target=_throughput_worker, args=(url, theirs))
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)
        for pipe in self.pipes:
            if not pipe.poll(180) or pipe.recv() != "ready":
                raise RuntimeError("a rendering worker did not start")

    def rate(self, kind: str, processes: int, seconds: float) -> float:
        """Documents per second of `processes` workers rendering at the same time for `seconds`: each
        worker's renders over the time they took, summed (steady state: no worker waits for another)."""
        busy = self.pipes[:processes]
        for pipe in busy:
            pipe.send(("run", kind, seconds))
        return sum(done / took for done, took in (pipe.recv() for pipe in busy))

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send("stop")
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()


# ------------------------------------------------------------------ the bench

def _older(context: dict) -> dict:
    """A layout-3 context as the older layouts read it: exclusions as bare labels."""
    return {**context, "exclusions": [e["label"] if isinstance(e, dict) else e for e in context.get("exclusions", [])]}


def timings(application, docs: dict, runs: int) -> list[tuple]:  # noqa: ANN001
    from weasyprint import HTML

    from licensing.core.documents import TEMPLATES, render_bytes, stylesheet_for
    from licensing.core.pdf import font_config, render_pdf

    css = stylesheet_for(TEMPLATES["invoice"])  # the layout version new documents are issued with
    # the same documents in the older layouts, for comparison: version 1 (templates/pdf/*.html) and, for
    # the license, version 2 (its exclusions as bare labels, as version 2 licenses were issued)
    version_1 = {kind: SimpleNamespace(template=re.sub(r"pdf/v\d+/", "pdf/", doc.template), number=doc.number,
                                       kind=kind, context=_older(doc.context)) for kind, doc in docs.items()}
    license_v2 = SimpleNamespace(template="pdf/v2/license.html", number=docs["license"].number, kind="license",
                                 context=_older(docs["license"].context))
    # the same invoice, plain: layout v2 and no e-invoice, so no PDF/A-3b and no XML
    plain = SimpleNamespace(template="pdf/v2/invoice.html", number=docs["invoice"].number, kind="invoice",
                            context={k: v for k, v in docs["invoice"].context.items() if k != "einvoice"})
    cases = [
        ("bare WeasyPrint, minimal page", lambda: HTML(string=MINIMAL_HTML).write_pdf(font_config=font_config()), None),
        ("render_pdf, minimal page (app CSS, fetcher)", lambda: render_pdf(MINIMAL_HTML, stylesheet=css), None),
        ("invoice: render_bytes (template + PDF)", lambda: render_bytes(docs["invoice"]), AIMS_MS["invoice"]),
        ("invoice, plain (layout v2, no Factur-X)", lambda: render_bytes(plain), None),
        (f"license: render_bytes, {docs['license'].template.split('/')[1]} (PDF/A-3)", lambda: render_bytes(docs["license"]),
         AIMS_MS["license"]),
        ("license, layout version 2 (issued before v4)", lambda: render_bytes(license_v2), None),
        ("invoice, layout version 1", lambda: render_bytes(version_1["invoice"]), None),
        ("license, layout version 1", lambda: render_bytes(version_1["license"]), None),
    ]
    rows = []
    with application.test_request_context("/"):
        for _, fn, _ in cases:  # warm-up
            for _ in range(5):
                fn()
        settle_heap()  # as a worker does once it is ready (licensing/gctune.py)
        samples: dict[str, tuple[list, list]] = {label: ([], []) for label, _, _ in cases}
        for _ in range(runs):  # round robin: a burst of load on the machine hits every case alike
            for label, fn, _ in cases:
                wall, cpu = time.perf_counter(), time.process_time()
                fn()
                samples[label][1].append((time.process_time() - cpu) * 1000)
                samples[label][0].append((time.perf_counter() - wall) * 1000)
        for label, _, aim in cases:
            wall, cpu = samples[label]
            median = statistics.median(wall)
            verdict = "" if aim is None else ("ok" if median < aim else f"MISSES {aim:g} ms")
            rows.append((label, runs, median, p95(wall), statistics.median(cpu), aim, verdict))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="timed renders of each case")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of a throughput run")
    parser.add_argument("--rounds", type=int, default=5, help="throughput runs of each kind and process count")
    parser.add_argument("--renders", type=int, default=500, help="renders of the memory run")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    with sqlite_database() as url:
        application = make_app(url)
        seed_demo(application)
        staff = add_user(application, "bench-staff@desk.bench", "Bench Staff", ["staff"])
        submit_and_approve(application, 1, staff)  # jobs inline in TESTING: both PDFs rendered once
        application.extensions["database"].dispose()
        application, docs = load_documents(url)
        from weasyprint import __version__ as weasyprint_version

        rows = timings(application, docs, args.runs)
        application.extensions["database"].dispose()

        ctx = mp.get_context("spawn")
        # One and two processes by turns, a few rounds each: this machine's speed drifts (other
        # virtual machines share its cores), and a drift must not fall on one of the two alone.
        workers = RenderingWorkers(ctx, url)
        samples: dict[tuple[str, int], list[float]] = {}
        try:
            for _ in range(args.rounds):
                for kind in ("invoice", "license"):
                    for processes in (1, 2):
                        samples.setdefault((kind, processes), []).append(
                            workers.rate(kind, processes, args.seconds))
        finally:
            workers.close()
        rates = {key: statistics.median(values) for key, values in samples.items()}
        results = ctx.Queue()
        worker = ctx.Process(target=_memory_worker, args=(url, args.renders, results))
        worker.start()
        marks = results.get(timeout=1800)
        worker.join(timeout=30)

    cores = os.cpu_count()
    print(f"\nPDF rendering (WeasyPrint {weasyprint_version}; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after, on {cores} cores; took {time.perf_counter() - began:.0f} s)")
    print(f"  templates: {docs['invoice'].template}, {docs['license'].template}")
    print(f"  {'warm render':<46}  {'runs':>5}  {'median ms':>9}  {'p95 ms':>8}  {'cpu ms':>7}  {'aim':>7}  verdict")
    for label, runs, median, worst, cpu, aim, verdict in rows:
        aim_text = f"< {aim:g}" if aim else ""
        print(f"  {label:<46}  {runs:>5}  {median:>9.1f}  {worst:>8.1f}  {cpu:>7.1f}  {aim_text:>7}  {verdict}")
    print("  (wall-clock median and p95; cpu ms: median CPU time of the process per render)")
    by_label = {row[0]: row for row in rows}
    facturx, plain = by_label["invoice: render_bytes (template + PDF)"], by_label["invoice, plain (layout v2, no Factur-X)"]
    ratio, cpu_ratio = facturx[2] / plain[2], facturx[4] / plain[4]
    print(f"  Factur-X invoice (v3) {facturx[2]:.1f} ms beside the plain one (v2) {plain[2]:.1f} ms: {ratio:.2f}x wall, "
          f"{cpu_ratio:.2f}x CPU (aim <= {FACTURX_AIM}x: {'ok' if ratio <= FACTURX_AIM else 'MISSES'})")

    print(f"\n  {'documents per second':<22}  {'1 process':>9}  {'2 processes':>11}  {'speed-up':>8}  aim")
    for kind in ("invoice", "license"):
        one, two = rates[(kind, 1)], rates[(kind, 2)]
        ratio = two / one
        verdict = "ok" if ratio >= SPEEDUP_AIM else f"MISSES {SPEEDUP_AIM}x"
        print(f"  {kind:<22}  {one:>9.1f}  {two:>11.1f}  {ratio:>7.2f}x  >= {SPEEDUP_AIM}x {verdict}")
    print(f"  (median of {args.rounds} runs of {args.seconds:g} s, taken by turns, by the same two warmed-up worker "
          "processes; a run's rate: each process's renders over the time they took, summed)")

    print("\n  memory of one worker process (license and invoice alternating, after 20 warm-up renders)")
    print(f"  {'renders':>8}  {'VmRSS MiB':>10}  {'VmHWM MiB':>10}")
    for n, rss, hwm in marks:
        print(f"  {n:>8}  {rss / 1024:>10.1f}  {hwm / 1024:>10.1f}")
    growth = (marks[-1][1] - marks[0][1]) / 1024
    verdict = "ok" if growth < GROWTH_AIM_MIB else f"MISSES {GROWTH_AIM_MIB:g} MiB"
    print(f"  growth over {marks[-1][0]} renders: {growth:+.1f} MiB  (aim < {GROWTH_AIM_MIB:g} MiB: {verdict})")


if __name__ == "__main__":
    main()
