"""Draw a ladder as a funnel: an SVG made on the server, shared by the page and the PDF."""

from __future__ import annotations

import math
from collections.abc import Mapping

from markupsafe import Markup, escape

from ..numbers import percent, whole
from .ladder import LadderResult

WIDTH, ROW, GAP, PAD = 640, 40, 26, 8
GOOD, SHORT, NEUTRAL, BAR = "#1b7a3d", "#b35900", "#4a4a4a", "#1d3f63"
LIGHT_TEXT, DARK_TEXT = "#ffffff", "#1a1a1a"
CHAR_WIDTH = 7.6  # px of a bold 13 px character, generously: a label must fit on its bar


def _blend(colour: str, opacity: float) -> tuple[float, float, float]:
    """The colour a bar of `colour` at `opacity` shows on white paper, as 0..1 RGB."""
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return tuple(opacity * c + (1 - opacity) for c in rgb)  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def label_colour(background: tuple[float, float, float]) -> str:
    """White or near-black, whichever reads better on the background (WCAG AA needs 4.5)."""
    white = contrast(background, (1.0, 1.0, 1.0))
    dark = contrast(background, _blend(DARK_TEXT, 1.0))
    return LIGHT_TEXT if white >= dark else DARK_TEXT


def funnel_svg(result: LadderResult, names: Mapping[str, str], title: str,
               words: Mapping[str, str] | None = None, language: str = "en",
               font_family: str = "sans-serif") -> Markup:
    """The ladder as centred bars, top rung on top, with each step's conversion and goal.

    Bar widths follow log10 of the count, so a market of 20,000 and a top rung of 20 both stay
    readable; the numbers are always printed. `font_family` is the SVG's font (the PDF passes
    its embedded font).
    """
    words = {"goal": "goal", "people": "people", "scale": "bar width on a log scale",
             **(words or {})}
    rungs = list(result.rungs)
    counts = list(result.counts)
    top_count = max((c for c in counts if c), default=0)
    scale = math.log10(top_count + 1) if top_count else 1
    height = PAD * 2 + len(rungs) * ROW + (len(rungs) - 1) * GAP + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="funnel-title funnel-desc" '
        f'class="funnel" font-family="{escape(font_family)}" font-size="13">',
        f'<title id="funnel-title">{escape(title)}</title>',
    ]
    desc = "; ".join(
        f"{names.get(r, r)}: {whole(counts[n])}"
        for n, r in enumerate(rungs)
    )
    parts.append(f'<desc id="funnel-desc">{escape(desc)}</desc>')
    y = PAD
    # Draw top rung first: the ladder is climbed upwards.
    order = list(range(len(rungs)))[::-1]
    for pos, n in enumerate(order):
        count = counts[n]
        share = math.log10(count + 1) / scale if count else 0
        label = f"{names.get(rungs[n], rungs[n])}: {whole(count)}"
        # Wide enough for its label, so no letter stands on the white paper beside it.
        bar = min(WIDTH - 2 * PAD, max(60.0, 420 * share, len(label) * CHAR_WIDTH + 24))
        x = (WIDTH - bar) / 2
        # Lighter for the wide lower rungs, never so light that a label loses contrast.
        opacity = round(0.72 + 0.28 * (n + 1) / len(rungs), 2)
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{ROW}" rx="4" '
                     f'fill="{BAR}" fill-opacity="{opacity:.2f}"/>')
        text_fill = label_colour(_blend(BAR, opacity))
        parts.append(f'<text x="{WIDTH / 2}" y="{y + ROW / 2 + 5}" text-anchor="middle" '
                     f'fill="{text_fill}" font-weight="bold">{escape(label)}</text>')
        y += ROW
        if pos < len(order) - 1:
            step = result.steps[n - 1]
            ok = step.actual is not None and step.goal is not None and step.actual >= step.goal
            known = step.actual is not None and step.goal is not None
            colour = (GOOD if ok else SHORT) if known else NEUTRAL
            text = (f"↑ {percent(step.actual, language)}  "
                    f"({words['goal']} {percent(step.goal, language)})")
            parts.append(f'<text x="{WIDTH / 2}" y="{y + GAP / 2 + 5}" text-anchor="middle" '
                         f'fill="{colour}">{escape(text)}</text>')
            y += GAP
    parts.append(f'<text x="{WIDTH - 4}" y="{height - 4}" text-anchor="end" font-size="10" '
                 f'fill="{NEUTRAL}">{escape(words["scale"])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
