"""Accessibility checks of a page in the browser tests: axe-core (the copy bundled by
axe-playwright-python, no network) with the WCAG 2.0/2.1 A and AA rules, and the one WCAG 2.1 AA
check axe-core does not make: that the keyboard focus ring contrasts 3:1 with what is around it
(success criterion 1.4.11, non-text contrast).

`assert_accessible(page)` raises AccessibilityViolations with a readable list: each rule broken,
its impact, axe's help link, and every element with axe's own explanation."""
from __future__ import annotations

import re
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
FOCUS_RING_MINIMUM = 3.0  # WCAG 2.1 SC 1.4.11: user interface components' visual indicators

_AXE = Axe()


class AccessibilityViolations(AssertionError):
    """axe-core (or the focus ring check) found something people cannot use."""


def _short_text_below_contrast(incomplete: list[dict]) -> list[dict]:
    """axe-core leaves colour contrast "to review" on text of one or two characters (it might be an
    icon); here such text is a number (a count, a day), so a measured ratio under the one required
    is a violation like any other."""
    found = []
    for rule in incomplete:
        if rule["id"] != "color-contrast":
            continue
        nodes = []
        for node in rule["nodes"]:
            for check in node.get("any", []):
                data = check.get("data") or {}
                expected = str(data.get("expectedContrastRatio") or "").split(":")[0]
                if (data.get("messageKey") == "shortTextContent" and data.get("contrastRatio") and expected
                        and float(data["contrastRatio"]) < float(expected)):
                    nodes.append({**node, "failureSummary": f"Fix the following: {check['message'].rstrip('.')}: "
                                                            f"{data['contrastRatio']}:1 ({data['fgColor']} on "
                                                            f"{data['bgColor']}, {data['fontSize']}), "
                                                            f"{data['expectedContrastRatio']} needed."})
        if nodes:
            found.append({**rule, "id": "color-contrast", "impact": rule.get("impact") or "serious",
                          "help": rule["help"] + " (short text)", "nodes": nodes})
    return found


def axe_violations(page: Page, tags: tuple[str, ...] = WCAG_21_AA) -> list[dict]:
    """axe-core's violations of the page as it is now (the rules tagged `tags`), plus contrast
    failures on short text that axe-core only lists for review."""
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": list(tags)},
                                      "resultTypes": ["violations", "incomplete"]})
    return results.response["violations"] + _short_text_below_contrast(results.response["incomplete"])


def format_violations(violations: list[dict], where: str = "") -> str:
    lines = [f"{len(violations)} accessibility rule(s) broken{' on ' + where if where else ''}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']} "
                     f"[{violation['helpUrl'].split('?')[0]}]")
        for node in violation["nodes"]:
            target = " > ".join(str(t) for t in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary}")
            lines.append(f"      {' '.join(node['html'].split())[:200]}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str | None = None) -> None:
    """Fail with a readable list when axe-core finds any WCAG 2.1 A/AA violation on the page."""
    violations = axe_violations(page)
    if violations:
        raise AccessibilityViolations(format_violations(violations, where or page.url))


# ---------------------------------------------------------------- the focus ring (SC 1.4.11)

def parse_css_color(value: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' (what getComputedStyle gives) as (r, g, b, alpha)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", value)]
    if not value.startswith("rgb") or len(numbers) not in (3, 4):
        raise ValueError(f"not a computed colour: {value!r}")
    return (numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) == 4 else 1.0)


def relative_luminance(rgb: tuple[float, float, float] | tuple[float, float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour given as 0-255 channels."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one, other) -> float:  # noqa: ANN001
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class FocusRing:
    element: str  # a short description of the focused element
    style: str  # the outline's computed style, e.g. "solid"
    width: float  # px
    color: str
    background: str  # the first opaque background behind the ring
    ratio: float

    def __str__(self) -> str:
        return (f"{self.element}: outline {self.width:g}px {self.style} {self.color} on {self.background} "
                f"= {self.ratio:.2f}:1")


_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let node = el.parentElement, background = 'rgb(255, 255, 255)';
  while (node) {  // the ring is drawn outside the element (outline-offset): what is behind it counts
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== 'transparent' && !bg.startsWith('rgba(0, 0, 0, 0)')) { background = bg; break; }
    node = node.parentElement;
  }
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
  return {element: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (text ? ` "${text}"` : ''),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0,
          color: style.outlineColor, background};
}"""


def focus_rings(page: Page, presses: int = 8) -> list[FocusRing]:
    """Press Tab `presses` times from the top of the page; the ring of each element focused."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    rings = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        found = page.evaluate(_FOCUSED)
        if found is None:
            continue
        ratio = 0.0 if found["style"] == "none" or found["width"] == 0 else contrast_ratio(
            parse_css_color(found["color"]), parse_css_color(found["background"]))
        rings.append(FocusRing(found["element"], found["style"], found["width"], found["color"],
                               found["background"], ratio))
    return rings


def weak_focus_rings(page: Page, presses: int = 8) -> list[FocusRing]:
    """The focus rings, among the first `presses` Tab stops, that are missing or under 3:1."""
    return [ring for ring in focus_rings(page, presses) if ring.ratio < FOCUS_RING_MINIMUM]


# ---------------------------------------------------------------- every page a browser test visits

BROWSER_ERROR_PAGE = "chrome-error://"


class AxeWatch:
    """Runs axe-core on every page a browser test loads. A page's "load" only marks it (an event
    handler runs beside the test, so it may not touch the page); the check runs before the test's
    next action on that page (a click, fill, goto, reload... see conftest.py) and when the test
    ends, so each page is checked as it stood, settled, before the test left it. A page whose HTML
    was checked already is not checked again. Violations are collected and fail the test at its end,
    all of them listed with the page they were on."""

    def __init__(self) -> None:
        self.pending: dict[int, Page] = {}
        self.without_scripts: set[int] = set()  # pages of a context with JavaScript off
        self.seen: set[tuple[str, int]] = set()
        self.found: list[str] = []
        self.checked = 0

    def watch(self, page: Page, scripts: bool = True) -> Page:
        page.on("load", lambda loaded: self.pending.__setitem__(id(loaded), loaded))
        if not scripts:
            self.without_scripts.add(id(page))
        return page

    def settle(self, page: Page) -> None:
        if self.pending.pop(id(page), None) is None or page.is_closed():
            return
        if page.url.startswith(BROWSER_ERROR_PAGE):  # the browser's own page for a failed load, not ours
            return
        try:
            html = page.content()
        except Exception:  # noqa: BLE001 - the page went away meanwhile (closed, navigating): nothing to check
            return
        key = (page.url, len(html))
        if key in self.seen:
            return
        self.seen.add(key)
        self.checked += 1
        violations = self._check_copy(page, html) if id(page) in self.without_scripts else axe_violations(page)
        if violations:
            self.found.append(format_violations(violations, page.url))

    @staticmethod
    def _check_copy(page: Page, html: str) -> list[dict]:
        """axe-core is a script: a page shown without JavaScript is checked as a copy of its HTML
        in a page of the same browser that runs scripts (its own scripts left out, the stylesheet
        loaded from the same address)."""
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)
        html = re.sub(r"<head([^>]*)>", lambda m: f'<head{m.group(1)}><base href="{page.url}">', html, count=1)
        browser = page.context.browser
        context = browser.new_context()
        try:
            copy = context.new_page()
            copy.set_content(html, wait_until="load")
            return axe_violations(copy)
        finally:
            context.close()

    def settle_all(self) -> None:
        for page in list(self.pending.values()):
            self.settle(page)
