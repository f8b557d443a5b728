"""Renders in one process take turns: WeasyPrint's text layout (Pango, GLib and fontconfig through
cffi, outside the GIL) corrupts the C heap when two threads lay out text at once, which killed the
development server, whose job threads render a license and an invoice together."""
from __future__ import annotations

import threading
import time

from licensing.core import pdf

HTML_TEXT = ("<html><body><h1>Licence LIC-2026-00042</h1>"
             + "<p>Zoë Müller, École de journalisme: £1,234.00</p>" * 20 + "</body></html>")


def test_renders_from_several_threads_never_overlap_and_give_the_same_bytes(monkeypatch):
    inside, most = 0, 0
    count_lock = threading.Lock()
    render = pdf.HTML.render  # the layout (render_pdf then writes the laid-out document)

    def counted(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        nonlocal inside, most
        with count_lock:
            inside += 1
            most = max(most, inside)
        try:
            time.sleep(0.005)  # lets go of the GIL, as WeasyPrint's C calls do
            return render(self, *args, **kwargs)
        finally:
            with count_lock:
                inside -= 1

    monkeypatch.setattr(pdf.HTML, "render", counted)
    results: list[bytes] = []

    def work() -> None:
        for _ in range(3):
            results.append(pdf.render_pdf(HTML_TEXT, stylesheet="pdf/v2/document.css"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 12
    assert most == 1
    assert len(set(results)) == 1  # deterministic whichever thread rendered it
