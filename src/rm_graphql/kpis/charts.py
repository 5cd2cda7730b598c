"""Server-side SVG charts for the KPI dashboard: plain strings, no JavaScript, no downloads.

Every chart draws withheld figures (fewer than 3 people, pairs or responses) as hatched
placeholders, so a reader sees that something exists without seeing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from rm_graphql.kpis.figures import Bucket, KpiValue

WIDTH = 640
BLUE, TEAL, AMBER, RED = "#2f5bea", "#0f9d8a", "#e8a33d", "#d64545"
GRID, INK, MUTED, TRACK = "#e5e7eb", "#1f2937", "#6b7280", "#f1f3f7"
DASH = "\u2013"
UPLIFT_LABEL, UPLIFT_TRACK, UPLIFT_LOW, UPLIFT_HIGH = 150, WIDTH - 320, -2.0, 4.0


@dataclass(frozen=True)
class Bar:
    label: str
    value: KpiValue
    color: str = BLUE


def percent(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{100 * value:.{digits}f}%"


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return DASH
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{digits}f}"


def _attributes(attributes: dict[str, str]) -> str:
    """Keyword arguments as SVG attributes: font_weight= is font-weight, class_= is class."""
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for name, value in attributes.items()
    )


def _text(x: float, y: float, content: str, **attributes: str) -> str:
    extra = _attributes(attributes)
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _rect(x: float, y: float, width: float, height: float, fill: str, **attributes: str) -> str:
    extra = _attributes(attributes)
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" '
        f'height="{max(height, 0):.1f}" fill="{fill}"{extra}/>'
    )


def _svg(chart_id: str, height: float, title: str, body: list[str]) -> str:
    hatch = (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{TRACK}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#b8bfcc" stroke-width="2"/></pattern></defs>'
    )
    return (
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif" font-size="12" fill="{INK}">'
        f"<title>{escape(title)}</title>{hatch}{''.join(body)}</svg>"
    )


def _withheld_note(figure: KpiValue) -> str:
    return f"withheld (n={figure.sample_size})" if figure.withheld else "no data"


def bar_chart(
    chart_id: str, title: str, bars: Sequence[Bar], *, scale: float = 1.0, as_percent: bool = True
) -> str:
    """Horizontal bars on a 0-to-`scale` axis (rates as percentages by default)."""
    label_width, right, row = 190, 70, 30
    track = WIDTH - label_width - right
    body: list[str] = []
    for index, bar in enumerate(bars):
        y = 10 + index * row
        body.append(_text(label_width - 10, y + 15, bar.label, text_anchor="end"))
        body.append(_rect(label_width, y + 3, track, 18, TRACK, rx="3"))
        figure = bar.value
        if figure.value is None:
            if figure.withheld:
                body.append(_hatched(chart_id, label_width, y + 3, track, 18))
            body.append(_text(label_width + 8, y + 16, _withheld_note(figure), fill=MUTED))
            continue
        share = max(0.0, min(1.0, figure.value / scale))
        body.append(_rect(label_width, y + 3, track * share, 18, bar.color, rx="3", class_="bar"))
        shown = percent(figure.value) if as_percent else f"{figure.value:.2f}"
        body.append(_text(label_width + track + 8, y + 16, shown, font_weight="600"))
    return _svg(chart_id, 20 + len(bars) * row, title, body)


@dataclass(frozen=True)
class _Plot:
    """Where a chart's plotting area sits inside its SVG."""

    left: float = 44
    top: float = 20
    width: float = WIDTH - 88
    height: float = 200

    def rating_y(self, rating: float) -> float:
        """Height of a 1-5 rating on the right-hand axis."""
        return self.top + self.height * (1 - (rating - 1) / 4)


def series_chart(chart_id: str, title: str, buckets: Sequence[Bucket], *, weekly: bool) -> str:
    """Sessions per period as columns, satisfaction (1-5) as a line on its own axis."""
    if not buckets:
        note = _text(WIDTH / 2, 45, "No activity yet", text_anchor="middle", fill=MUTED)
        return _svg(chart_id, 80, title, [note])
    plot = _Plot()
    peak = max([b.sessions.value or 0 for b in buckets] + [1])
    step = plot.width / len(buckets)
    body = _axes(plot.left, plot.top, plot.width, plot.height, peak)
    points: list[str] = []
    every = max(1, len(buckets) // 8)
    for index, bucket in enumerate(buckets):
        x = plot.left + index * step
        body.append(_column(chart_id, x, step, plot.top, plot.height, bucket.sessions, peak))
        if bucket.satisfaction.value is not None:
            point = f"{x + step / 2:.1f},{plot.rating_y(bucket.satisfaction.value):.1f}"
            points.append(point)
        if index % every == 0:
            label = bucket.starts_on.strftime("%d %b" if weekly else "%b %y")
            y = plot.top + plot.height + 16
            body.append(_text(x + step / 2, y, label, text_anchor="middle", fill=MUTED))
    body.append(_satisfaction_line(points))
    body += [_text(WIDTH - 38, plot.rating_y(v) + 4, str(v), fill=AMBER) for v in (1, 3, 5)]
    body.append(_legend(plot.left, 252))
    return _svg(chart_id, 260, title, body)


def _satisfaction_line(points: list[str]) -> str:
    dots = "".join(
        f'<circle cx="{point.split(",")[0]}" cy="{point.split(",")[1]}" r="3.5" fill="{AMBER}"/>'
        for point in points
    )
    if len(points) < 2:
        return dots
    line = " ".join(points)
    return (
        f'<polyline class="line" points="{line}" fill="none" stroke="{AMBER}" '
        f'stroke-width="2.5"/>{dots}'
    )


def _axes(
    left: float, top: float, width: float, height: float, peak: float, *, as_percent: bool = False
) -> list[str]:
    """Three horizontal grid lines (0, half, peak) with their values on the left."""
    lines = []
    for fraction in (0.0, 0.5, 1.0):
        y = top + height * (1 - fraction)
        value = percent(fraction) if as_percent else number(peak * fraction, 0)
        lines.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        lines.append(_text(left - 6, y + 4, value, text_anchor="end", fill=MUTED))
    return lines


def _column(
    chart_id: str, x: float, step: float, top: float, height: float, figure: KpiValue, peak: float
) -> str:
    width = min(36.0, step - 2 * min(6.0, step * 0.2))
    left = x + (step - width) / 2
    if figure.withheld:
        return _hatched(chart_id, left, top + height - 14, width, 14)
    size = height * (figure.value or 0) / peak
    return _rect(left, top + height - size, width, size, BLUE, rx="2", class_="bar")


def _legend(x: float, y: float) -> str:
    keys = [(BLUE, "held sessions"), (AMBER, f"satisfaction (1{DASH}5)")]
    keys.append(("#cfd4dc", "withheld (fewer than 3 pairs)"))
    return "".join(
        _rect(x + 130 * i, y - 9, 10, 10, color) + _text(x + 130 * i + 14, y, label)
        for i, (color, label) in enumerate(keys)
    )


@dataclass(frozen=True)
class Uplift:
    label: str
    uplift: KpiValue
    pre: KpiValue
    post: KpiValue


def _hatched(chart_id: str, x: float, y: float, width: float, height: float) -> str:
    return _rect(x, y, width, height, f"url(#{chart_id}-hatch)", class_="withheld")


def _centred(x: float, y: float, content: str, **attributes: str) -> str:
    return _text(x, y, content, text_anchor="middle", **attributes)


def uplift_chart(chart_id: str, title: str, topics: Sequence[Uplift]) -> str:
    """Post - pre self-assessed level by topic, on a -2 to +4 axis around zero."""
    rows = max(1, len(topics))
    zero = UPLIFT_LABEL + UPLIFT_TRACK * (-UPLIFT_LOW) / (UPLIFT_HIGH - UPLIFT_LOW)
    axis = f'<line x1="{zero:.1f}" y1="4" x2="{zero:.1f}" y2="{14 + 30 * rows}" stroke="{MUTED}"/>'
    body = [axis]
    if not topics:
        body.append(_centred(WIDTH / 2, 30, "No topic assessed before and after yet", fill=MUTED))
    for index, topic in enumerate(topics):
        body += _uplift_row(chart_id, 10 + index * 30, topic, zero)
    return _svg(chart_id, 24 + 30 * rows, title, body)


def _uplift_row(chart_id: str, y: float, topic: Uplift, zero: float) -> list[str]:
    marks = [_text(UPLIFT_LABEL - 10, y + 15, topic.label, text_anchor="end")]
    value = topic.uplift.value
    if value is None:
        placeholder = UPLIFT_TRACK * 0.25
        marks.append(_hatched(chart_id, zero, y + 3, placeholder, 18))
        marks.append(
            _text(zero + placeholder + 6, y + 16, _withheld_note(topic.uplift), fill=MUTED)
        )
        return marks
    clipped = max(UPLIFT_LOW, min(UPLIFT_HIGH, value))
    width = UPLIFT_TRACK * abs(clipped) / (UPLIFT_HIGH - UPLIFT_LOW)
    x = zero if clipped >= 0 else zero - width
    marks.append(_rect(x, y + 3, width, 18, TEAL if clipped >= 0 else RED, rx="3", class_="bar"))
    detail = f"{value:+.2f}  ({number(topic.pre.value, 1)} \u2192 {number(topic.post.value, 1)})"
    marks.append(_text(UPLIFT_LABEL + UPLIFT_TRACK + 8, y + 16, detail, font_weight="600"))
    return marks


def comparison_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> str:
    """Vertical bars on a 0-100 % axis, e.g. mentors' retention against a comparison group."""
    plot = _Plot(left=60, top=24, width=WIDTH - 80, height=160)
    column = plot.width / max(1, len(bars))
    body = _axes(plot.left, plot.top, plot.width, plot.height, 1.0, as_percent=True)
    for index, bar in enumerate(bars):
        body += _comparison_column(chart_id, plot, plot.left + index * column, column, bar)
    return _svg(chart_id, 230, title, body)


def _comparison_column(chart_id: str, plot: _Plot, x: float, column: float, bar: Bar) -> list[str]:
    width, base = column * 0.6, plot.top + plot.height
    x, middle = x + column * 0.2, x + column / 2
    marks = [_centred(middle, base + 18, bar.label)]
    figure = bar.value
    if figure.value is None:
        marks.append(_hatched(chart_id, x, base - 30, width, 30))
        marks.append(_centred(middle, base - 36, _withheld_note(figure), fill=MUTED))
        return marks
    size = plot.height * max(0.0, min(1.0, figure.value))
    marks.append(_rect(x, base - size, width, size, bar.color, rx="3", class_="bar"))
    marks.append(_centred(middle, base - size - 6, percent(figure.value, 1), font_weight="600"))
    marks.append(_centred(middle, base + 34, f"n = {figure.sample_size}", fill=MUTED))
    return marks
