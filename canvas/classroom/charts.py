"""The class picture's charts drawn on the server as SVG, and the same data as table rows
(pure; the funnel's pattern: worksheets/funnel.py).

Every chart is an <svg role="img"> named by its <title> and described by its <desc>
(aria-labelledby), written in the class's language like the rest of its words; the page
puts a table with the same data beside it. Colours keep WCAG AA contrast on white (text
4.5:1, marks 3:1), and colour is never the only cue: the economics chart draws points that
cover their cost as circles and the rest as squares. Given `names` (the teacher's view),
each mark carries a tooltip naming whose answer it is and the id of its table row, where
the name links to the student's work; without (the projector) no name is anywhere in it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..i18n import gettext_in, ngettext_in
from ..numbers import decimal, whole
from ..worksheets.funnel import contrast
from .picture import BARS, DOTS, SCATTER, Chart

WIDTH, PAD = 640, 10
LABEL = 20  # a label line above a bar or a row of dots
BAR_HEIGHT, BAR_GAP = 18, 12
BAND = 36  # the strip a row of dots is drawn in
INK, MUTED, LINE = "#1a1a1a", "#5a6473", "#d5dae1"
BAR = "#1d3f63"
GOOD, SHORT = "#1b7a3d", "#a34f00"
COLOURS = (INK, MUTED, BAR, GOOD, SHORT)  # every colour that carries meaning
MAX_NAMES = 12  # names in one tooltip before "and N more"


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def contrast_on_white(colour: str) -> float:
    """WCAG contrast of a colour of the charts against the white page."""
    return contrast(_rgb(colour), (1.0, 1.0, 1.0))


# --- numbers as the chart writes them ---------------------------------------------------------

def amount(value: float, unit: str, language: str) -> str:
    """A value with its unit: '25 %' for goals, '40' for weights, '31 500' for money."""
    if unit == "%":
        return decimal(value, 1, language) + " %"
    if unit == "points":
        return decimal(value, 1, language)
    return whole(value)


def _who(keys: Sequence[int], names: Mapping[int, str], language: str) -> str:
    shown = [names.get(k, "?") for k in keys[:MAX_NAMES]]
    text = ", ".join(shown)
    if len(keys) > MAX_NAMES:
        text = gettext_in(language, "%(names)s and %(num)d more", names=text,
                          num=len(keys) - MAX_NAMES)
    return text


# --- the table beside each chart ----------------------------------------------------------------

@dataclass(frozen=True)
class TableRow:
    """One row of the table beside a chart: `group` heads rows of one option (a motivation,
    an option of the weights, a ladder step), `label` is what the row counts or shows, and
    `who` are the students whose answer it is. `id` is the row's element id, which the
    chart's mark of the same data names."""

    id: str
    group: str
    label: str
    count: int
    who: tuple[int, ...]
    value: str = ""  # a value's text (dots), or "cost → value" (scatter)
    median: str = ""  # the group's median (dots), on its first row
    above: bool | None = None  # scatter: the value exceeds the cost


def table_rows(chart: Chart, language: str) -> list[TableRow]:
    """The chart's data as rows, in the order the chart draws it."""
    rows: list[TableRow] = []
    if chart.kind == BARS:
        for n, group in enumerate(chart.groups):
            for bar in group.bars:
                rows.append(TableRow(f"{chart.id}-{n}-{bar.id}", group.label, bar.label,
                                     bar.count, bar.who))
    elif chart.kind == DOTS:
        for row in chart.rows:
            median = amount(row.median, chart.unit, language) if row.points else ""
            for m, (value, keys) in enumerate(row.values()):
                rows.append(TableRow(f"{chart.id}-{row.id}-{m}", row.label,
                                     amount(value, chart.unit, language), len(keys), keys,
                                     amount(value, chart.unit, language),
                                     median if m == 0 else ""))
    elif chart.kind == SCATTER:
        ordered = sorted(enumerate(chart.pairs), key=lambda item: (item[1].x, item[1].y))
        for n, pair in ordered:
            rows.append(TableRow(f"{chart.id}-p{n}", "", whole(pair.x), 1, (pair.key,),
                                 whole(pair.y), above=pair.above))
    return rows


# --- drawing ------------------------------------------------------------------------------------

def _open(chart: Chart, height: float, desc: str, language: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{chart.id}-title {chart.id}-desc" class="chart chart-{chart.kind}" '
        f'lang="{escape(language)}" font-family="sans-serif" font-size="13" fill="{INK}">',
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart.id}-desc">{escape(desc)}</desc>',
    ]


def _mark(row_id: str, tip: str | None, body: str) -> str:
    """A chart mark; in the teacher's view with its tooltip and the id of its table row."""
    if tip is None:
        return body
    return (f'<g class="point" data-row="{escape(row_id)}"><title>{escape(tip)}</title>'
            f"{body}</g>")


def _bars(chart: Chart, language: str, names: Mapping[int, str] | None) -> Markup:
    top = max((bar.count for group in chart.groups for bar in group.bars), default=0)
    room = WIDTH - 2 * PAD - 70  # the count is written after the longest bar
    parts: list[str] = []
    y = PAD
    rows = iter(table_rows(chart, language))
    summary = []
    for group in chart.groups:
        if group.label:
            parts.append(f'<text x="{PAD}" y="{y + 15}" font-weight="bold" font-size="14">'
                         f"{escape(group.label)}</text>")
            y += LABEL + 4
        for bar in group.bars:
            row = next(rows)
            parts.append(f'<text x="{PAD}" y="{y + 14}">{escape(bar.label)}</text>')
            y += LABEL
            width = room * bar.count / top if top else 0
            tip = None
            if names is not None:
                tip = (f"{bar.label}: {_who(bar.who, names, language)}" if bar.who
                       else f"{bar.label}: 0")
            parts.append(_mark(row.id, tip, (
                f'<rect x="{PAD}" y="{y}" width="{max(width, 2):.1f}" height="{BAR_HEIGHT}" '
                f'rx="3" fill="{BAR}"/>')))
            parts.append(f'<text x="{PAD + max(width, 2) + 6:.1f}" y="{y + 14}" '
                         f'font-weight="bold">{bar.count}</text>')
            y += BAR_HEIGHT + BAR_GAP
            summary.append(f"{bar.label}: {bar.count}")
    desc = "; ".join(summary)
    return Markup("".join([*_open(chart, y + PAD, desc, language), *parts, "</svg>"]))


def _radius(count: int) -> float:
    """A dot's radius grows with how many gave that value (by area), within the strip."""
    return min(BAND / 2 - 2, 5 * math.sqrt(count))


def _x(value: float, scale_max: float) -> float:
    left, right = PAD + 16, WIDTH - PAD - 16
    share = min(max(value / scale_max, 0.0), 1.0) if scale_max else 0.0
    return left + share * (right - left)


def _dots(chart: Chart, language: str, names: Mapping[int, str] | None) -> Markup:
    parts: list[str] = []
    y = PAD
    summary = []
    for row in chart.rows:
        parts.append(f'<text x="{PAD}" y="{y + 14}" font-weight="bold">{escape(row.label)}</text>')
        median = row.median
        if median is not None:
            words = gettext_in(language, "median %(value)s",
                               value=amount(median, chart.unit, language))
            parts.append(f'<text x="{WIDTH - PAD}" y="{y + 14}" text-anchor="end" '
                         f'fill="{SHORT}">{escape(words)}</text>')
        y += LABEL
        middle = y + BAND / 2
        parts.append(f'<line x1="{_x(0, chart.scale_max):.1f}" y1="{middle}" '
                     f'x2="{_x(chart.scale_max, chart.scale_max):.1f}" y2="{middle}" '
                     f'stroke="{LINE}" stroke-width="2"/>')
        for m, (value, keys) in enumerate(row.values()):
            tip = None
            if names is not None:
                tip = f"{amount(value, chart.unit, language)}: {_who(keys, names, language)}"
            parts.append(_mark(f"{chart.id}-{row.id}-{m}", tip, (
                f'<circle cx="{_x(value, chart.scale_max):.1f}" cy="{middle}" '
                f'r="{_radius(len(keys)):.1f}" fill="{BAR}" fill-opacity="0.45" '
                f'stroke="{BAR}" stroke-width="1.5"/>')))
        if median is not None:
            x = _x(median, chart.scale_max)
            parts.append(f'<line x1="{x:.1f}" y1="{y + 2}" x2="{x:.1f}" y2="{y + BAND - 2}" '
                         f'stroke="{SHORT}" stroke-width="3"/>')
            summary.append(gettext_in(language, "%(label)s: median %(value)s, %(answers)s",
                                      label=row.label,
                                      value=amount(median, chart.unit, language),
                                      answers=ngettext_in(language, "%(num)d answer",
                                                          "%(num)d answers", len(row.points))))
        else:
            summary.append(gettext_in(language, "%(label)s: no answers", label=row.label))
        y += BAND + 6
    # The axis, under the last row.
    ticks = [chart.scale_max * n / 4 for n in range(5)]
    parts.append(f'<line x1="{_x(0, chart.scale_max):.1f}" y1="{y}" '
                 f'x2="{_x(chart.scale_max, chart.scale_max):.1f}" y2="{y}" stroke="{MUTED}"/>')
    for tick in ticks:
        x = _x(tick, chart.scale_max)
        parts.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 5}" stroke="{MUTED}"/>')
        parts.append(f'<text x="{x:.1f}" y="{y + 19}" text-anchor="middle" fill="{MUTED}" '
                     f'font-size="12">{escape(amount(tick, chart.unit, language))}</text>')
    y += 26
    return Markup("".join([*_open(chart, y + PAD, "; ".join(summary), language), *parts,
                           "</svg>"]))


def _decades(values: Sequence[float]) -> tuple[float, float]:
    """The powers of ten around the positive values (a log scale's ends)."""
    positive = [v for v in values if v > 0] or [1.0]
    low = 10 ** math.floor(math.log10(min(positive)))
    high = 10 ** math.ceil(math.log10(max(positive)))
    return low, high if high > low else low * 10


def _scatter(chart: Chart, language: str, names: Mapping[int, str] | None) -> Markup:
    left, top, size = 90, 64, 400
    low, high = _decades([v for p in chart.pairs for v in (p.x, p.y)])
    span = math.log10(high) - math.log10(low)

    def pos(value: float) -> float:
        share = (math.log10(max(value, low)) - math.log10(low)) / span
        return min(max(share, 0.0), 1.0) * size

    parts = [
        # The legend: the shapes say what colour also says.
        f'<circle cx="{PAD + 6}" cy="{PAD + 10}" r="5" fill="{GOOD}"/>',
        f'<text x="{PAD + 16}" y="{PAD + 14}">'
        f'{escape(gettext_in(language, "The value exceeds the cost"))}</text>',
        f'<rect x="{PAD + 1}" y="{PAD + 25}" width="10" height="10" fill="{SHORT}"/>',
        f'<text x="{PAD + 16}" y="{PAD + 34}">'
        f'{escape(gettext_in(language, "The value does not cover the cost"))}</text>',
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" '
        f'stroke="{MUTED}"/>',
    ]
    decade = low
    while decade <= high * 1.0001:
        offset = pos(decade)
        label = escape(whole(decade))
        parts.append(f'<line x1="{left + offset:.1f}" y1="{top}" x2="{left + offset:.1f}" '
                     f'y2="{top + size}" stroke="{LINE}"/>')
        parts.append(f'<line x1="{left}" y1="{top + size - offset:.1f}" x2="{left + size}" '
                     f'y2="{top + size - offset:.1f}" stroke="{LINE}"/>')
        parts.append(f'<text x="{left + offset:.1f}" y="{top + size + 18}" text-anchor="middle" '
                     f'fill="{MUTED}" font-size="12">{label}</text>')
        parts.append(f'<text x="{left - 6}" y="{top + size - offset + 4:.1f}" text-anchor="end" '
                     f'fill="{MUTED}" font-size="12">{label}</text>')
        decade *= 10
    # Where the value equals the cost: the same scale on both axes makes it the diagonal.
    parts.append(f'<line x1="{left}" y1="{top + size}" x2="{left + size}" y2="{top}" '
                 f'stroke="{MUTED}" stroke-width="2" stroke-dasharray="6 4"/>')
    parts.append(f'<text x="{left + size - 4}" y="{top + 16}" text-anchor="end" fill="{MUTED}" '
                 f'font-size="12">{escape(gettext_in(language, "value = cost"))}</text>')
    parts.append(f'<text x="{left + size / 2}" y="{top + size + 40}" text-anchor="middle">'
                 f'{escape(gettext_in(language, "The relationship’s cost (log scale)"))}</text>')
    parts.append(f'<text x="18" y="{top + size / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 18 {top + size / 2})">'
                 f'{escape(gettext_in(language, "Lifetime value (log scale)"))}</text>')
    for n, pair in sorted(enumerate(chart.pairs), key=lambda item: (item[1].x, item[1].y)):
        x, y = left + pos(pair.x), top + size - pos(pair.y)
        tip = None
        if names is not None:
            tip = gettext_in(language, "%(name)s: value %(value)s, cost %(cost)s",
                             name=names.get(pair.key, "?"), value=whole(pair.y),
                             cost=whole(pair.x))
        shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{GOOD}" stroke="#ffffff"/>'
                 if pair.above else
                 f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{SHORT}" '
                 f'stroke="#ffffff"/>')
        parts.append(_mark(f"{chart.id}-p{n}", tip, shape))
    above = sum(p.above for p in chart.pairs)
    desc = ngettext_in(language, "%(num)d student: the value exceeds the cost for %(above)d, "
                                 "not for %(below)d.",
                       "%(num)d students: the value exceeds the cost for %(above)d, not for "
                       "%(below)d.", len(chart.pairs), above=above,
                       below=len(chart.pairs) - above)
    height = top + size + 52
    return Markup("".join([*_open(chart, height, desc, language), *parts, "</svg>"]))


def chart_svg(chart: Chart, language: str, names: Mapping[int, str] | None = None) -> Markup:
    """The chart as SVG in `language`; with `names` (student id -> name), each mark names
    whose answer it is in a tooltip and points at its table row."""
    draw = {BARS: _bars, DOTS: _dots, SCATTER: _scatter}[chart.kind]
    return draw(chart, language, names)

