"""What Factur-X costs: the real layout-version-2 invoice rendered plain (as render_pdf does today)
and as Factur-X PDF/A-3b with its EN 16931 XML (licensing/core/pdf.py), in one process with one
shared FontConfiguration and stylesheet, renders alternating so both see the same machine load.

Prints the warm median (and p90) of each, and their ratio. Aim: Factur-X at most 1.3x plain.
`xml+render` also builds the XML from the frozen context on each render (from_context + build_cii).

    .venv/bin/python bench/facturx_bench.py [--runs 60] [--warmup 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from invoices.billing.rules.einvoice import build_cii  # noqa: E402
from invoices.billing.rules.einvoice_context import from_context, to_context  # noqa: E402
from licensing.core.pdf import FacturX, render_facturx_pdf  # noqa: E402
from tests.integration.billing.invoice_html import STATIC, STYLESHEET, invoice_html  # noqa: E402
from tests.unit.billing.einvoice_cases import domestic_invoice  # noqa: E402

AIM = 1.3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    fonts = FontConfiguration()
    css = CSS(filename=str(STYLESHEET), font_config=fonts)
    base_url = STATIC.as_uri() + "/"
    html = invoice_html()
    doc = domestic_invoice()
    frozen = to_context(doc)

    def plain() -> bytes:
        return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[css], font_config=fonts)

    def facturx() -> bytes:
        return render_facturx_pdf(html, FacturX(build_cii(doc), doc.issue_date), stylesheets=(css,),
                                  base_url=base_url, font_config=fonts)

    def facturx_from_context() -> bytes:
        again = from_context(frozen)
        return render_facturx_pdf(html, FacturX(build_cii(again), again.issue_date), stylesheets=(css,),
                                  base_url=base_url, font_config=fonts)

    kinds = {"plain": plain, "factur-x": facturx, "factur-x xml+render": facturx_from_context}
    for render in kinds.values():
        for _ in range(args.warmup):
            render()
    wall: dict[str, list[float]] = {name: [] for name in kinds}
    cpu: dict[str, list[float]] = {name: [] for name in kinds}
    sizes = {name: len(render()) for name, render in kinds.items()}
    for _ in range(args.runs):
        for name, render in kinds.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            render()
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    base, base_cpu = statistics.median(wall["plain"]), statistics.median(cpu["plain"])
    print(f"invoice, {args.runs} warm renders each (alternating)   wall ms: median  p90  ratio"
          f"   cpu ms: median ratio    bytes")
    for name in kinds:
        median, median_cpu = statistics.median(wall[name]), statistics.median(cpu[name])
        p90 = statistics.quantiles(wall[name], n=10)[-1]
        print(f"  {name:<22}{median:>30.1f}{p90:>6.1f}{median / base:>6.2f}x"
              f"{median_cpu:>15.1f}{median_cpu / base_cpu:>6.2f}x{sizes[name]:>9}")
    ratio = statistics.median(wall["factur-x"]) / base
    print(f"Factur-X / plain (wall): {ratio:.2f}x (aim <= {AIM}x): {'ok' if ratio <= AIM else 'OVER'}")


if __name__ == "__main__":
    main()
