"""Server-side SVG bar charts (pure: plain values in, SVG text out; no script, no inline style,
so the page's Content-Security-Policy holds). The chart is an image with a title and a
description for screen readers; the page shows the same figures in a table beside it."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#0b5cad", "#1d7a3a", "#b3261e", "#8a5a00", "#5b2a86")  # legible on white, distinct in grey too
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 40, 44


def nice_step(top: int, lines: int = 4) -> int:
    """A round gridline step (1, 2 or 5 times a power of ten) so that `lines` steps reach `top`."""
    if top <= 0:
        return 1
    raw = -(-top // lines)
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover


CHAR_W = 7  # px per character of 11 px text, generously (labels must not run into each other)


def axis_label(text: str, max_chars: int, lines: int = 2) -> tuple[list[str], bool]:
    """A category label that fits its slot: wrapped at spaces onto at most `lines` lines of
    `max_chars` characters, the last cut with "…" when it is still too long. Returns the lines and
    whether anything was cut (then the full label goes in a tooltip)."""
    max_chars = max(3, max_chars)
    words, out = text.split(), []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= max_chars:
            line += " " + words.pop(0)
        out.append(line)
    cut = bool(words) or any(len(line) > max_chars for line in out)
    if cut:
        last = " ".join([out[-1], *words]) if words else out[-1]
        short = last[: max_chars - 1]
        if short.rfind(" ") > max_chars // 2:  # end at a word's end where one is near
            short = short[: short.rfind(" ")]
        out[-1] = short.rstrip(" ,;") + "…"
        out[:-1] = [line if len(line) <= max_chars else line[: max_chars - 1] + "…" for line in out[:-1]]
    return out, cut


def bar_chart(chart_id: str, title: str, description: str, categories: Sequence[str],
              series: Sequence[tuple[str, Sequence[int]]], label: Callable[[int], str]) -> str:
    """Grouped vertical bars: one group per category, one bar per series (values >= 0)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max([max(0, v) for _name, values in series for v in values] + [0])
    step = nice_step(top)
    ceiling = step * max(1, -(-top // step))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
           f'<title id="{chart_id}-title">{escape(title)}</title>',
           f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    for i in range(0, ceiling // step + 1):  # gridlines and their values
        y = TOP + plot_h - (plot_h * i * step) // ceiling
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="#d7dce2" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" font-size="11" fill="#5b6470">'
                   f'{escape(label(i * step))}</text>')
    groups = max(1, len(categories))
    group_w = plot_w // groups
    bar_w = max(1, (group_w * 8 // 10) // max(1, len(series)))
    every = max(1, -(-groups * 48 // plot_w))  # thin out the axis labels so they never overlap
    for g, category in enumerate(categories):
        x0 = LEFT + g * group_w + group_w // 10
        for s, (name, values) in enumerate(series):
            value = max(0, values[g])
            h = (plot_h * value) // ceiling
            out.append(f'<rect x="{x0 + s * bar_w}" y="{TOP + plot_h - h}" width="{max(1, bar_w - 1)}" height="{h}" '
                       f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(category)}, {escape(name)}: '
                       f'{escape(label(value))}</title></rect>')
        if g % every == 0:
            x_mid = LEFT + g * group_w + group_w // 2
            lines, cut = axis_label(category, group_w * every // CHAR_W)
            spans = "".join(f'<tspan x="{x_mid}" dy="{0 if i == 0 else 13}">{escape(line)}</tspan>'
                            for i, line in enumerate(lines))
            tooltip = f"<title>{escape(category)}</title>" if cut else ""  # the full label on hover
            out.append(f'<text x="{x_mid}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                       f'font-size="11" fill="#1b1f24">{tooltip}{spans}</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#1b1f24"/>')
    x = LEFT
    for s, (name, _values) in enumerate(series):  # the legend, in words as well as colours
        out.append(f'<rect x="{x}" y="12" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 16}" y="22" font-size="12" fill="#1b1f24">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    out.append("</svg>")
    return "".join(out)
