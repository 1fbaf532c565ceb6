"""Charts as inline SVG, drawn on the server: how many subjects got each grade, how that spread
moved from run to run, how many are on a list month by month, and one subject's grades over
time. Each chart is an image with a title and a description for screen readers (the page puts
the same numbers in a table beside it), uses presentation attributes only (the portal's
content policy allows no inline style), and colours grades by what they mean: the best band
green, the worst red, the ones between in order, a result outside the bands grey."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

#: Best to worst; each has at least 3:1 contrast against white (WCAG 1.4.11).
GOOD_TO_BAD = ("#1b7f3b", "#2f6f9f", "#8a6d00", "#c0500c", "#b3261e")
OUTSIDE = "#6b6b6b"
LINE = "#7a1712"


def _width(text: str) -> int:
    """Roughly how wide ``text`` is at the charts' 12 px: a Chinese character as two."""
    return sum(13 if ord(c) > 0x2E80 else 7 for c in text)


def grade_colours(grades: Sequence[str]) -> dict[str, str]:
    """A colour for each grade of a scheme, listed best first."""
    n = len(grades)
    if n == 0:
        return {}
    if n == 1:
        return {grades[0]: GOOD_TO_BAD[0]}
    last = len(GOOD_TO_BAD) - 1
    return {g: GOOD_TO_BAD[round(i * last / (n - 1))] for i, g in enumerate(grades)}


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    colour: str


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t '
        f'{chart_id}-d" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{Markup.escape(title)}'
        f'</title><desc id="{chart_id}-d">{Markup.escape(desc)}</desc>{body}</svg>'
    )


def bars(chart_id: str, title: str, items: Sequence[Bar]) -> Markup:
    """A column per item, its value above it and its label below."""
    peak = max((b.value for b in items), default=0) or 1
    step, top, plot = max([84, *(_width(b.label) + 16 for b in items)]), 24, 150
    width = 30 + step * len(items)
    parts = []
    for i, b in enumerate(items):
        h = round(plot * b.value / peak)
        x = 24 + step * i + (step - 84) // 2
        parts.append(
            f'<rect x="{x}" y="{top + plot - h}" width="56" height="{max(h, 1)}" '
            f'fill="{b.colour}"><title>{Markup.escape(b.label)}: {b.value}</title></rect>'
            f'<text x="{x + 28}" y="{top + plot - h - 6}" text-anchor="middle">{b.value}</text>'
            f'<text x="{x + 28}" y="{top + plot + 20}" text-anchor="middle" class="label">'
            f"{Markup.escape(b.label)}</text>"
        )
    desc = "; ".join(f"{b.label}: {b.value}" for b in items)
    return _svg(chart_id, width, top + plot + 34, title, desc, "".join(parts))


def stacked(
    chart_id: str,
    title: str,
    periods: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
) -> Markup:
    """A column per period, split by series (label, colour, one value per period), each
    column scaled to its own total: how the shares moved."""
    step, top, plot = 86, 12, 150
    width = 30 + step * len(periods)
    parts = []
    for i, period in enumerate(periods):
        total = sum(values[i] for _, _, values in series) or 1
        y = float(top + plot)
        x = 24 + step * i
        for label, colour, values in series:
            h = plot * values[i] / total
            y -= h
            if values[i]:
                parts.append(
                    f'<rect x="{x}" y="{y:.1f}" width="48" height="{h:.1f}" fill="{colour}">'
                    f"<title>{Markup.escape(period)} {Markup.escape(label)}: {values[i]}</title>"
                    "</rect>"
                )
        parts.append(
            f'<text x="{x + 24}" y="{top + plot + 18}" text-anchor="middle" class="label">'
            f"{Markup.escape(period)}</text>"
        )
    legend = "".join(
        f'<rect x="{24 + 110 * k}" y="{top + plot + 30}" width="12" height="12" fill="{c}"/>'
        f'<text x="{40 + 110 * k}" y="{top + plot + 41}" class="label">{Markup.escape(label)}'
        "</text>"
        for k, (label, c, _) in enumerate(series)
    )
    width = max(width, 30 + 110 * len(series))
    desc = "; ".join(
        f"{p}: " + ", ".join(f"{label} {values[i]}" for label, _, values in series)
        for i, p in enumerate(periods)
    )
    return _svg(chart_id, width, top + plot + 52, title, desc, "".join(parts) + legend)


def line(chart_id: str, title: str, points: Sequence[tuple[str, int]]) -> Markup:
    """Values over time, as a line with a dot and a label at each point."""
    step, top, plot, left = 58, 20, 120, 36
    width = 2 * left + step * max(len(points) - 1, 1)
    peak = max((v for _, v in points), default=0) or 1
    xy = [(left + step * i, top + plot - round(plot * v / peak)) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x},{y}" for x, y in xy)
    parts = [f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>']
    for (label, value), (x, y) in zip(points, xy, strict=True):
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3.5" fill="{LINE}"><title>{Markup.escape(label)}: '
            f'{value}</title></circle><text x="{x}" y="{y - 8}" text-anchor="middle">{value}'
            f'</text><text x="{x}" y="{top + plot + 18}" text-anchor="middle" class="label">'
            f"{Markup.escape(label)}</text>"
        )
    desc = "; ".join(f"{label}: {value}" for label, value in points)
    return _svg(chart_id, width, top + plot + 30, title, desc, "".join(parts))


def steps(
    chart_id: str,
    title: str,
    grades: Sequence[str],
    colours: dict[str, str],
    points: Sequence[tuple[str, str]],
) -> Markup:
    """One subject's grade at each evaluation: the grades as rows, best on top; a dot in
    the grade's colour for each day."""
    rows = list(grades) + [g for _, g in points if g not in grades]
    step, row = 84, 24
    left = min(240, max(64, 16 + max((_width(g) for g in rows), default=0)))
    width = left + 48 + step * max(len(points) - 1, 0) + 24
    height = 12 + row * len(rows) + 28
    parts = []
    for k, g in enumerate(rows):
        y = 12 + row * k + row // 2
        parts.append(
            f'<text x="{left - 10}" y="{y + 4}" text-anchor="end" class="label">'
            f'{Markup.escape(g)}</text><line x1="{left}" y1="{y}" x2="{width - 12}" y2="{y}" '
            'stroke="#d9d9d9"/>'
        )
    xy = []
    for i, (day, g) in enumerate(points):
        x, y = left + 40 + step * i, 12 + row * rows.index(g) + row // 2
        xy.append((x, y))
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="6" fill="{colours.get(g, OUTSIDE)}"><title>'
            f"{Markup.escape(day)}: {Markup.escape(g)}</title></circle>"
            f'<text x="{x}" y="{height - 8}" text-anchor="middle" class="label">'
            f"{Markup.escape(day)}</text>"
        )
    if len(xy) > 1:
        path = " ".join(f"{x},{y}" for x, y in xy)
        parts.insert(0, f'<polyline points="{path}" fill="none" stroke="#9a9a9a"/>')
    desc = "; ".join(f"{day}: {g}" for day, g in points)
    return _svg(chart_id, width, height, title, desc, "".join(parts))


@dataclass(frozen=True, slots=True)
class Estimate:
    label: str
    rate: float
    low: float
    high: float


def intervals(chart_id: str, title: str, items: Sequence[Estimate], overall: float) -> Markup:
    """A row per group: its rate as a dot on a 0-100% scale with its interval as a line, and
    the whole population's rate as a dashed rule across the rows."""
    left = 24 + max([60, *(_width(e.label) for e in items)])
    plot, row, top = 320, 26, 20
    width, height = left + plot + 70, top + row * len(items) + 24

    def x(rate: float) -> int:
        return left + round(plot * min(max(rate, 0.0), 1.0))

    parts = [
        f'<line x1="{x(overall)}" y1="{top - 8}" x2="{x(overall)}" y2="{height - 20}" '
        f'stroke="{OUTSIDE}" stroke-dasharray="4 3"/>',
        f'<text x="{x(overall)}" y="{height - 6}" text-anchor="middle">{overall:.1%}</text>',
    ]
    for i, e in enumerate(items):
        y = top + row * i + row // 2
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" class="label">'
            f"{Markup.escape(e.label)}</text>"
            f'<line x1="{x(e.low)}" y1="{y}" x2="{x(e.high)}" y2="{y}" stroke="{LINE}" '
            f'stroke-width="2"/><circle cx="{x(e.rate)}" cy="{y}" r="4" fill="{LINE}">'
            f"<title>{Markup.escape(e.label)}: {e.rate:.1%} ({e.low:.1%}-{e.high:.1%})</title>"
            f'</circle><text x="{left + plot + 8}" y="{y + 4}">{e.rate:.1%}</text>'
        )
    desc = "; ".join(f"{e.label}: {e.rate:.1%} ({e.low:.1%} to {e.high:.1%})" for e in items)
    desc += f"; all subjects: {overall:.1%}"
    return _svg(chart_id, width, height, title, desc, "".join(parts))
