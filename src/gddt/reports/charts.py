"""Charts drawn on the server as inline SVG: no script, no external asset, nothing the Content-Security-Policy
forbids (colours come from classes in reports.css). Each chart has a title and a description for screen readers,
and the page puts a table of the same figures under it."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 960, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 54


@dataclass(frozen=True)
class Series:
    name: str  # shown in the legend
    css: str  # the class that colours it
    values: Sequence[float]


def _ceiling(value: float) -> int:
    """A round top for the axis: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 < value:
        power *= 10
    return next(power * step for step in (1, 2, 5, 10) if power * step >= value)


def _frame(
    title: str, description: str, body: list[str], *, legend: Sequence[Series], top: int, labels: Sequence[str]
) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{{id}}-t {{id}}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{{id}}-t">{escape(title)}</title><desc id="{{id}}-d">{escape(description)}</desc>',
    ]
    for i in range(5):  # grid and axis values
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    parts += body
    every = max(1, len(labels) // 12)
    slot = plot_w / max(len(labels), 1)
    for index, label in enumerate(labels):
        if index % every == 0 or (index == len(labels) - 1 and len(labels) < 24):
            x = LEFT + slot * (index + 0.5)
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
            )
    x = LEFT
    for series in legend:
        parts.append(f'<rect class="{series.css}" x="{x}" y="{HEIGHT - 18}" width="12" height="12"/>')
        parts.append(f'<text class="legend" x="{x + 16}" y="{HEIGHT - 8}">{escape(series.name)}</text>')
        x += 24 + 8 * len(series.name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped, every number formatted


def bar_chart(
    *, chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """Grouped bars: one group per label, one bar per series."""
    top = _ceiling(max((v for s in series for v in s.values), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = max(slot * 0.8 / max(len(series), 1), 0.5)
    body = []
    for index in range(len(labels)):
        for number, s in enumerate(series):
            value = s.values[index]
            if not value:
                continue
            h = plot_h * value / top
            x = LEFT + slot * index + slot * 0.1 + bar * number
            body.append(
                f'<rect class="{s.css}" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}"><title>{escape(labels[index])}: {escape(s.name)} {value:g}</title></rect>'
            )
    svg = str(_frame(title, description, body, legend=series, top=top, labels=labels)).replace("{id}", escape(chart_id))
    return mark_safe(svg)  # noqa: S308


def line_chart(*, chart_id: str, title: str, description: str, labels: Sequence[str], series: Series) -> SafeString:
    """One line through the values, a point per label."""
    top = _ceiling(max(series.values, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    points = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * v / top) for i, v in enumerate(series.values)]
    body = []
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="line {series.css}" points="{path}"/>')
        if len(points) <= 62:
            body += [
                f'<circle class="{series.css}" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(labels[i])}: '
                f"{series.values[i]:g}</title></circle>"
                for i, (x, y) in enumerate(points)
            ]
    svg = str(_frame(title, description, body, legend=[series], top=top, labels=labels)).replace(
        "{id}", escape(chart_id)
    )
    return mark_safe(svg)  # noqa: S308
