"""Chart axis labels fit their slot: wrapped, then cut with a tooltip (bug 5: "United Kingdom, Ir")."""
from __future__ import annotations

import re

import pytest

from licensing.core.charts import axis_label, bar_chart


@pytest.mark.parametrize(("text", "max_chars", "expected"), [
    ("2026-01", 10, (["2026-01"], False)),
    ("United Kingdom, Ireland", 16, (["United Kingdom,", "Ireland"], False)),
    ("United Kingdom, Ireland", 10, (["United", "Kingdom…"], True)),
    ("Germany, France, Italy, Spain", 16, (["Germany, France,", "Italy, Spain"], False)),
    ("Germany, France, Italy, Spain, Portugal", 16, (["Germany, France,", "Italy, Spain…"], True)),
    ("Worldwide", 5, (["Worl…"], True)),
    ("Bosnia-Herzegovina", 8, (["Bosnia-…"], True)),
])
def test_axis_label(text, max_chars, expected):
    assert axis_label(text, max_chars) == expected


def test_a_cut_label_keeps_the_full_text_in_a_tooltip_and_no_line_runs_over_its_slot():
    categories = ["United Kingdom, Ireland", "France", "Germany, Austria, Switzerland", "Worldwide",
                  "Spain", "Italy", "Portugal, Brazil", "Japan"]
    svg = bar_chart("t", "Revenue", "By territory", categories, [("Net", [1] * 8)], str)

    assert "<title>United Kingdom, Ireland</title>" in svg
    assert "<title>Germany, Austria, Switzerland</title>" in svg
    assert "<title>France</title>" not in svg  # whole labels get no tooltip
    slot = (720 - 84 - 12) // 8
    spans = re.findall(r"<tspan [^>]*>([^<]*)</tspan>", svg)
    assert spans and all(len(s) * 7 <= slot for s in spans), spans
    assert "United Kingdom, Ir<" not in svg
