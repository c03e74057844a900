"""Server-side SVG charts: plain data in, an <svg> string out (no JavaScript, nothing fetched).

Readable without colour: every bar carries its label and its value as text, series differ by hatching pattern,
line dash and marker shape as well as by colour (Okabe–Ito's colour-blind-safe palette), and each chart has a
<title> and <desc>. Only presentation attributes are used (the pages' Content-Security-Policy forbids inline
styles). Ids are prefixed with the chart's id, so several charts can share a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# (name, pattern body drawn in a 8×8 tile; "" = solid)
PATTERNS = ("", "M0,8 L8,0", "M0,4 L8,4", "M4,0 L4,8", "M0,0 L8,8 M0,8 L8,0", "dots")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle")
FONT = 13


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, the text shown for it and its series (colour and pattern)."""

    label: str
    value: float
    text: str
    series: int = 0


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a label and its (day, value) points."""

    label: str
    points: Sequence[tuple[date, float]]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _exact(value: float) -> str:
    """A value for a data- attribute: what was drawn, to four decimals (tests and scripts read it)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _defs(chart_id: str, count: int) -> str:
    parts = []
    for index in range(count):
        colour = PALETTE[index % len(PALETTE)]
        pattern = PATTERNS[index % len(PATTERNS)]
        if not pattern:
            continue
        body = ('<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>' if pattern == "dots"
                else f'<path d="{pattern}" stroke="#ffffff" stroke-width="1.6"/>')
        parts.append(f'<pattern id="{chart_id}-p{index}" width="8" height="8" patternUnits="userSpaceOnUse">'
                     f'<rect width="8" height="8" fill="{colour}"/>{body}</pattern>')
    return f"<defs>{''.join(parts)}</defs>" if parts else ""


def _fill(chart_id: str, series: int) -> str:
    if PATTERNS[series % len(PATTERNS)]:
        return f"url(#{chart_id}-p{series % len(PATTERNS)})"
    return PALETTE[series % len(PALETTE)]


def _open(chart_id: str, width: int, height: int, title: str, desc: str, kind: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" id={quoteattr(chart_id)} '
            f'viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="system-ui, sans-serif" '
            f'font-size="{FONT}"><title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>')


def bar_chart(chart_id: str, bars: Sequence[Bar], *, maximum: float, title: str, desc: str, width: int = 640,
              label_width: int = 190) -> str:
    """Horizontal bars, one row each: label, bar (scaled to `maximum`), value text."""
    row, top = 30, 8
    height = top * 2 + row * max(len(bars), 1)
    # room after the longest bar for its value text (about 7 px a character at the chart's font size)
    plot = width - label_width - max(90, 7 * max((len(b.text) for b in bars), default=0) + 12)
    out = [_open(chart_id, width, height, title, desc, "bars"), _defs(chart_id, 1 + max((b.series for b in bars),
                                                                                        default=0))]
    out.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" stroke="#4a5360"/>')
    for index, bar in enumerate(bars):
        y = top + index * row
        length = 0.0 if maximum <= 0 else max(0.0, min(bar.value, maximum)) / maximum * plot
        out.append(f'<g class="bar-row"><text class="label" x="{label_width - 8}" y="{y + row / 2 + 4:.1f}" '
                   f'text-anchor="end" fill="#1b1f24">{escape(bar.label)}</text>'
                   f'<rect class="bar" x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" '
                   f'fill="{_fill(chart_id, bar.series)}" stroke="#1b1f24" stroke-width="0.5" '
                   f'data-label={quoteattr(bar.label)} data-value="{_exact(bar.value)}"><title>'
                   f'{escape(bar.label)}: {escape(bar.text)}</title></rect>'
                   f'<text class="value" x="{label_width + length + 6:.1f}" y="{y + row / 2 + 4:.1f}" '
                   f'fill="#1b1f24">{escape(bar.text)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def histogram(chart_id: str, bars: Sequence[Bar], *, title: str, desc: str, width: int = 640,
              height: int = 240) -> str:
    """Vertical bars side by side (a distribution): count on top, band below."""
    bottom, top, left = 40, 24, 12
    plot_h = height - bottom - top
    slot = (width - 2 * left) / max(len(bars), 1)
    highest = max((b.value for b in bars), default=0) or 1
    out = [_open(chart_id, width, height, title, desc, "histogram"),
           _defs(chart_id, 1 + max((b.series for b in bars), default=0))]
    out.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
               f'stroke="#4a5360"/>')
    for index, bar in enumerate(bars):
        x = left + index * slot
        h = bar.value / highest * plot_h
        y = height - bottom - h
        out.append(f'<g class="bar-row"><rect class="bar" x="{x + 4:.1f}" y="{y:.1f}" width="{slot - 8:.1f}" '
                   f'height="{h:.1f}" fill="{_fill(chart_id, bar.series)}" stroke="#1b1f24" stroke-width="0.5" '
                   f'data-label={quoteattr(bar.label)} data-value="{_exact(bar.value)}"><title>{escape(bar.label)}: '
                   f'{escape(bar.text)}</title></rect>'
                   f'<text class="value" x="{x + slot / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" '
                   f'fill="#1b1f24">{escape(bar.text)}</text>'
                   f'<text class="label" x="{x + slot / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                   f'font-size="11" fill="#1b1f24">{escape(bar.label)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z" ' \
               f'fill="{colour}"/>'
    if kind == "cross":
        return (f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},{y + 4:.1f} '
                f'L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(chart_id: str, series: Sequence[Series], *, maximum: float, title: str, desc: str,
               width: int = 640, height: int = 260) -> str:
    """Lines over days: each series its own dash and marker, labelled at its end with its last value."""
    left, right, top, bottom = 44, 110, 14, 36
    days = sorted({d for s in series for d, _ in s.points})
    out = [_open(chart_id, width, height, title, desc, "lines")]
    plot_w, plot_h = width - left - right, height - top - bottom
    for tick in (0.0, maximum / 2, maximum):
        y = top + plot_h - tick / maximum * plot_h if maximum else top + plot_h
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d5dbe3"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#1b1f24">'
                   f'{_num(tick)}</text>')
    if not days:
        out.append("</svg>")
        return "".join(out)
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)

    def x_of(day: date) -> float:
        return left + ((day - first).days / span * plot_w if len(days) > 1 else plot_w / 2)

    for day in (first, last) if first != last else (first,):
        out.append(f'<text x="{x_of(day):.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="11" '
                   f'fill="#1b1f24">{day.isoformat()}</text>')
    ends: list[tuple[float, float, str]] = []  # (x, y, text) of each series' end label
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        points = sorted(line.points)
        coords = [(x_of(d), top + plot_h - (v / maximum * plot_h if maximum else 0)) for d, v in points]
        dash = DASHES[index % len(DASHES)]
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(coords))
        out.append(f'<g class="series" data-label={quoteattr(line.label)}>')
        if len(coords) > 1:
            out.append(f'<path class="line" d="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                       + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        for (x, y), (day, value) in zip(coords, points, strict=True):
            out.append(f'<g class="point" data-day="{day.isoformat()}" data-value="{_exact(value)}">'
                       f'{_marker(MARKERS[index % len(MARKERS)], x, y, colour)}'
                       f'<title>{escape(line.label)} {day.isoformat()}: {_num(value)}</title></g>')
        if coords:
            ends.append((coords[-1][0], coords[-1][1], f"{line.label} {_num(points[-1][1])}"))
        out.append("</g>")
    placed = -1e9
    for x, y, label in sorted(ends, key=lambda end: end[1]):  # end labels kept 14 px apart, top to bottom
        placed = max(y + 4, placed + 14)
        out.append(f'<text class="label" x="{x + 8:.1f}" y="{placed:.1f}" fill="#1b1f24">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)
