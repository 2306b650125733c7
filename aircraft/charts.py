"""Charts as SVG text, drawn on the server: bar rows, a scatter plot, a timeline.

Pure functions over plain values, like aircraft.drawings: the caller converts
figures to the unit system the visitor chose and formats the labels, so a
chart shows exactly the numbers the table beside it shows. Presentation
attributes only (no style), so the site's Content Security Policy allows them.

Accessibility: every chart has a <title> and a text alternative; bars and
points carry their value as text, not only as length or position; series are
told apart by marker shape as well as colour; each colour has at least 4.5:1
contrast on white.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from .drawings import FONT, INK, MUTED

BAR = "#0b5394"  # 7.6:1 on white
GRID = "#c9d2dc"  # decorative only
TEXT = 13
ROW = 26
PAD = 12

# Series: colour and marker shape, so a series is never told by colour alone.
SERIES_STYLES = (
    ("#0b5394", "circle"),
    ("#9a3412", "square"),
    ("#14532d", "triangle"),
    ("#6b21a8", "diamond"),
    ("#17212b", "cross"),
)


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x, y, text, *, size=TEXT, anchor="start", fill=INK, weight="") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-family="{FONT}" font-size="{size}" fill="{fill}"'
        f' text-anchor="{anchor}"{bold}>{escape(str(text))}</text>'
    )


def _svg(width, height, label, body, *, role="img", css_class="chart") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {_n(width)} {_n(height)}"'
        f' width="{_n(width)}" height="{_n(height)}" role="{role}" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def _text_width(text: str, size: int = TEXT) -> float:
    """A conservative estimate of rendered width (no font metrics on the server)."""
    return len(text) * size * 0.58


# --- Bar rows (compare) ----------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str  # the aircraft
    value: float | None  # in the displayed unit; None when the catalogue lacks it
    display: str = ""  # the value as the page shows it, e.g. "2,414 km/h"


def bar_chart(title: str, bars: list[Bar], *, width: float = 480, note: str = "") -> str:
    """One figure for several aircraft, as horizontal bars from a zero baseline.

    Bars share one linear scale from zero so their lengths compare honestly;
    every bar is labelled with its value, and a missing value says so.
    """
    label_width = max((_text_width(b.label) for b in bars), default=0) + 12
    label_width = min(label_width, width * 0.42)
    value_room = max((_text_width(b.display or "Not in the catalogue yet") for b in bars), default=0) + 10
    plot = max(width - PAD * 2 - label_width - value_room, 40)
    known = [b.value for b in bars if b.value is not None and b.value > 0]
    top = max(known, default=0)
    body = [_text(PAD, PAD + TEXT, title, weight="600")]
    y = PAD + TEXT + 10
    x0 = PAD + label_width
    summary = []
    for bar in bars:
        centre = y + ROW / 2
        body.append(_text(x0 - 8, centre + 4, bar.label, anchor="end"))
        if bar.value is None or top <= 0:
            body.append(_text(x0, centre + 4, "Not in the catalogue yet", fill=MUTED))
            summary.append(f"{bar.label}: not in the catalogue yet")
        else:
            length = plot * max(bar.value, 0) / top
            body.append(
                f'<rect x="{_n(x0)}" y="{_n(y + 5)}" width="{_n(length)}" height="{ROW - 10}" fill="{BAR}"'
                f' data-value="{bar.value}"/>'
            )
            body.append(_text(x0 + length + 6, centre + 4, bar.display))
            summary.append(f"{bar.label}: {bar.display}")
        y += ROW
    body.append(f'<path d="M{_n(x0)} {_n(PAD + TEXT + 6)} V{_n(y + 2)}" stroke="{INK}" stroke-width="1" fill="none"/>')
    if note:
        y += 6
        body.append(_text(PAD, y + TEXT, note, size=12, fill=MUTED))
        y += TEXT + 4
    label = f"{title}. " + "; ".join(summary) + "."
    return _svg(width, y + PAD, label, body, css_class="chart chart--bars")


# --- Axes --------------------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 x 10^n apart) covering low..high."""
    if high < low:
        low, high = high, low
    if high == low:
        high, low = high + 1, low - 1 if low >= 1 else 0
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def log_ticks(low: float, high: float) -> list[float]:
    """Decades covering low..high (both > 0), with 2 and 5 between when there are few."""
    lo = math.floor(math.log10(low))
    hi = math.ceil(math.log10(high))
    if hi == lo:
        hi += 1
    ticks = [10.0**e for e in range(lo, hi + 1)]
    if hi - lo <= 2:
        ticks = sorted({t * m for t in ticks[:-1] for m in (1, 2, 5)} | {ticks[-1]})
    return ticks


def format_tick(value: float, *, year: bool = False) -> str:
    if year:
        return str(round(value))
    if abs(value) >= 1000 or value == round(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Axis:
    label: str  # with its unit, e.g. "Maximum speed (km/h)"
    log: bool = False
    year: bool = False


class _Scale:
    def __init__(self, values: list[float], axis: Axis, start: float, end: float):
        self.axis, self.start, self.end = axis, start, end
        if axis.log:
            positive = [v for v in values if v > 0] or [1.0]
            self.ticks = log_ticks(min(positive), max(positive))
        else:
            self.ticks = nice_ticks(min(values, default=0), max(values, default=1))
        self.low, self.high = self.ticks[0], self.ticks[-1]

    def __call__(self, value: float) -> float:
        if self.axis.log:
            share = (math.log10(value) - math.log10(self.low)) / (math.log10(self.high) - math.log10(self.low))
        else:
            share = (value - self.low) / (self.high - self.low) if self.high != self.low else 0.5
        return self.start + (self.end - self.start) * share


# --- Scatter (explore) --------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float
    url: str = ""
    series: str = ""  # e.g. a status; each series has its own marker shape


def _marker(shape: str, x: float, y: float, colour: str, r: float = 5) -> str:
    fill = f'fill="{colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {fill}/>'
    if shape == "square":
        return f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}" {fill}/>'
    if shape == "triangle":
        pts = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)]
    elif shape == "diamond":
        pts = [(x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y)]
    else:  # cross
        return (
            f'<path d="M{_n(x - r)} {_n(y - r)} L{_n(x + r)} {_n(y + r)} M{_n(x - r)} {_n(y + r)}'
            f' L{_n(x + r)} {_n(y - r)}" stroke="{colour}" stroke-width="2.5" fill="none"/>'
        )
    d = "M" + " L".join(f"{_n(px)} {_n(py)}" for px, py in pts) + " Z"
    return f'<path d="{d}" {fill}/>'


def scatter(
    points: list[Point],
    x_axis: Axis,
    y_axis: Axis,
    *,
    width: float = 720,
    height: float = 460,
    title: str = "",
    series_labels: dict[str, str] | None = None,
) -> str:
    """Every point placed by its two values, each a link to its page, with ticks and a legend.

    Points that cannot be placed (a zero or negative value on a log axis) are
    left out; the caller's table still lists them.
    """
    placeable = [p for p in points if (not x_axis.log or p.x > 0) and (not y_axis.log or p.y > 0)]
    series = list(dict.fromkeys(p.series for p in placeable if p.series))
    styles = {name: SERIES_STYLES[i % len(SERIES_STYLES)] for i, name in enumerate(series)}
    legend_height = (ROW if series else 0) + 4
    left, right, top, bottom = 78, width - 16, PAD + (TEXT + 10 if title else 0), height - 52 - legend_height
    xs = _Scale([p.x for p in placeable], x_axis, left, right)
    ys = _Scale([p.y for p in placeable], y_axis, bottom, top)
    body = [_text(PAD, PAD + TEXT, title, weight="600")] if title else []
    for tick in xs.ticks:
        x = xs(tick)
        body.append(f'<path d="M{_n(x)} {_n(top)} V{_n(bottom)}" stroke="{GRID}" stroke-width="1" fill="none"/>')
        body.append(_text(x, bottom + 18, format_tick(tick, year=x_axis.year), size=12, anchor="middle"))
    for tick in ys.ticks:
        y = ys(tick)
        body.append(f'<path d="M{_n(left)} {_n(y)} H{_n(right)}" stroke="{GRID}" stroke-width="1" fill="none"/>')
        body.append(_text(left - 6, y + 4, format_tick(tick, year=y_axis.year), size=12, anchor="end"))
    body.append(
        f'<path d="M{_n(left)} {_n(top)} V{_n(bottom)} H{_n(right)}" stroke="{INK}" stroke-width="1.25" fill="none"/>'
    )
    body.append(
        _text((left + right) / 2, bottom + 38, x_axis.label + (" (log scale)" if x_axis.log else ""), anchor="middle")
    )
    body.append(
        f'<text x="16" y="{_n((top + bottom) / 2)}" font-family="{FONT}" font-size="{TEXT}" fill="{INK}"'
        f' text-anchor="middle" transform="rotate(-90 16 {_n((top + bottom) / 2)})">'
        f"{escape(y_axis.label + (' (log scale)' if y_axis.log else ''))}</text>"
    )
    for point in placeable:
        colour, shape = styles.get(point.series, SERIES_STYLES[0])
        name = f"{point.label}: {format_tick(point.x, year=x_axis.year)}, {format_tick(point.y, year=y_axis.year)}"
        marker = _marker(shape, xs(point.x), ys(point.y), colour)
        if point.url:
            body.append(
                f'<a href="{escape(point.url)}" aria-label="{escape(name)}" data-point="">'
                f"<title>{escape(name)}</title>{marker}</a>"
            )
        else:
            body.append(f'<g data-point=""><title>{escape(name)}</title>{marker}</g>')
    if series:
        x = left
        y = height - PAD - 6
        for name in series:
            colour, shape = styles[name]
            text = (series_labels or {}).get(name, name)
            body.append(_marker(shape, x + 5, y - 4, colour))
            body.append(_text(x + 14, y, text, size=12))
            x += 30 + _text_width(text, 12)
    omitted = len(points) - len(placeable)
    label = (
        f"{title + '. ' if title else ''}Scatter plot of {len(placeable)} aircraft: {y_axis.label} against"
        f" {x_axis.label}. Each point links to its aircraft; the table beside the chart lists the same values."
        + (f" {omitted} aircraft with a value of zero are left off the log scale." if omitted else "")
    )
    # A group, not an image: the points inside are links a keyboard can reach.
    return _svg(width, height, label, body, role="group", css_class="chart chart--scatter")


# --- Timeline (manufacturer) --------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    label: str
    start: int | None  # first flight year
    end: int | None  # retirement year; None while in service (drawn to `today`)
    milestone: int | None = None  # entry into service
    url: str = ""
    ongoing: bool = True  # with no end: still flying (drawn to today) or its end not in the catalogue


def timeline(spans: list[Span], *, today: int, width: float = 720, title: str = "") -> str:
    """Each aircraft a bar from first flight to retirement (or to today), on one time axis."""
    placed = [s for s in spans if s.start]
    label_width = min(max((_text_width(s.label) for s in spans), default=0) + 12, width * 0.38)
    left, right = PAD + label_width, width - 24
    years = [s.start for s in placed] + [s.end or today for s in placed] + [today]
    ticks = nice_ticks(min(years), max(years), count=6) if placed else [today - 10, today]
    low, high = ticks[0], ticks[-1]

    def x_of(year: float) -> float:
        return left + (right - left) * (year - low) / (high - low)

    y = PAD + (TEXT + 12 if title else 0)
    body = [_text(PAD, PAD + TEXT, title, weight="600")] if title else []
    axis_top = y
    rows = []
    summary = []
    for span in spans:
        centre = y + ROW / 2
        name = _text(left - 8, centre + 4, span.label, anchor="end")
        if span.url:
            name = f'<a href="{escape(span.url)}">{name}</a>'
        rows.append(name)
        if not span.start:
            rows.append(_text(left, centre + 4, "First flight not in the catalogue yet", fill=MUTED, size=12))
            summary.append(f"{span.label}: first flight not in the catalogue yet")
        else:
            end_unknown = span.end is None and not span.ongoing
            end = span.end or (max(span.start, span.milestone or span.start) if end_unknown else today)
            x0, x1 = x_of(span.start), x_of(max(end, span.start + 0.5))
            rows.append(
                f'<rect x="{_n(x0)}" y="{_n(y + 6)}" width="{_n(x1 - x0)}" height="{ROW - 12}" fill="{BAR}"'
                f' data-start="{span.start}" data-end="{end}"/>'
            )
            if end_unknown:
                rows.append(_text(x1 + 6, centre + 4, "end not in the catalogue yet", fill=MUTED, size=12))
            elif span.end is None:  # still flying: an open end, said in words too
                rows.append(
                    f'<path d="M{_n(x1)} {_n(y + 4)} L{_n(x1 + 8)} {_n(centre)} L{_n(x1)} {_n(y + ROW - 4)} Z"'
                    f' fill="{BAR}" data-part="ongoing"/>'
                )
            if span.milestone and span.start <= span.milestone <= end:
                xm = x_of(span.milestone)
                rows.append(
                    f'<path d="M{_n(xm)} {_n(y + 2)} V{_n(y + ROW - 2)}" stroke="{INK}" stroke-width="2.5" fill="none"'
                    ' data-milestone=""/>'
                )
            words = f"first flight {span.start}"
            if span.milestone:
                words += f", in service {span.milestone}"
            if span.end:
                words += f", retired {span.end}"
            else:
                words += ", end not in the catalogue yet" if end_unknown else ", still flying"
            summary.append(f"{span.label}: {words}")
        y += ROW
    for tick in ticks:
        x = x_of(tick)
        body.append(f'<path d="M{_n(x)} {_n(axis_top)} V{_n(y)}" stroke="{GRID}" stroke-width="1" fill="none"/>')
        body.append(_text(x, y + 16, format_tick(tick, year=True), size=12, anchor="middle"))
    body += rows
    y += 28
    body.append(
        f'<rect x="{PAD}" y="{_n(y)}" width="18" height="10" fill="{BAR}"/>'
        + _text(PAD + 24, y + 9, "first flight to retirement (arrow: still flying)", size=12)
    )
    y += 18
    body.append(
        f'<path d="M{PAD + 9} {_n(y - 2)} V{_n(y + 12)}" stroke="{INK}" stroke-width="2.5" fill="none"/>'
        + _text(PAD + 24, y + 9, "entry into service", size=12)
    )
    y += 16
    label = f"{title + '. ' if title else ''}Timeline: " + "; ".join(summary) + "."
    return _svg(width, y + PAD, label, body, role="group", css_class="chart chart--timeline")
