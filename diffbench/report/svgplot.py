"""Line charts written as SVG text directly (log or linear axes, panels, legends): fast, small, styled once."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape

import numpy as np

FONT_PX, SMALL_PX, TITLE_PX = 12.0, 11.0, 12.5   # at natural size; every text stays >= 9 px down to 75 %
# NB: one stylesheet, the same in every figure, scoped to svg.dbp so it cannot restyle the page around it
STYLE = ("<style>svg.dbp text{font-family:'Helvetica Neue',Helvetica,Arial,'DejaVu Sans',sans-serif;"
         f"font-size:{FONT_PX:g}px;fill:#222}}svg.dbp .s{{font-size:{SMALL_PX:g}px}}"
         f"svg.dbp .t{{font-size:{TITLE_PX:g}px;font-weight:bold}}svg.dbp .e{{text-anchor:end}}"
         "svg.dbp .m{text-anchor:middle}svg.dbp .ax{stroke:#222;stroke-width:.8;fill:none}"
         "svg.dbp .g{stroke:#ccc;stroke-width:.5;fill:none}svg.dbp .l{fill:none;stroke-width:1.4;"
         "stroke-linejoin:round;stroke-linecap:round}svg.dbp .d{stroke-dasharray:5 3}</style>")
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
CHAR_PX = 0.56   # a sans-serif character's mean width per px of font size, to lay out legends


def text_width(text: str, size: float = FONT_PX) -> float:
    return len(text) * size * CHAR_PX


def _n(value: float) -> str:
    """A coordinate to 0.1 px, the fewest characters."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


def power_label(value: float) -> str:
    """10ⁿ, 2×10ⁿ in plain unicode, or the plain number from 1 to 1000."""
    exponent = int(math.floor(math.log10(value) + 1e-9))
    mantissa = round(value / 10.0**exponent, 6)
    if 0 <= exponent <= 3:
        return f"{value:g}"
    power = "10" + str(exponent).translate(SUPERSCRIPT)
    return power if mantissa == 1 else f"{mantissa:g}×{power}"


@dataclass
class Scale:
    """Data -> pixels on one axis: log or linear, limits padded around the data, ticks chosen once."""
    lo: float
    hi: float
    log: bool
    ticks: list[tuple[float, str]] = field(default_factory=list)

    @classmethod
    def fit(cls, values, log: bool, lo: float | None = None, hi: float | None = None, pad: float = 0.05) -> "Scale":
        values = np.asarray(values, float)
        values = values[np.isfinite(values) & ((values > 0) if log else True)]
        if not values.size:
            values = np.array([1.0, 10.0] if log else [0.0, 1.0])
        low = lo if lo is not None else float(values.min())
        high = hi if hi is not None else float(values.max())
        if log:
            a, b = math.log10(low), math.log10(high)
            if b - a < 1e-9:
                a, b = a - 0.5, b + 0.5
            span = b - a
            scale = cls(10 ** (a - pad * span if lo is None else a), 10 ** (b + pad * span if hi is None else b), True)
        else:
            if high - low < 1e-12:
                low, high = low - 1, high + 1
            span = high - low
            scale = cls(low - pad * span if lo is None else low, high + pad * span if hi is None else high, False)
        scale.ticks = scale.log_ticks() if log else scale.linear_ticks()
        return scale

    def unit(self, value: float) -> float:
        """0 at lo, 1 at hi (clamped: a value outside the limits sits on the frame)."""
        if self.log:
            value = math.log10(max(value, 1e-300))
            lo, hi = math.log10(self.lo), math.log10(self.hi)
        else:
            lo, hi = self.lo, self.hi
        return min(1.0, max(0.0, (value - lo) / (hi - lo)))

    def log_ticks(self, most: int = 7) -> list[tuple[float, str]]:
        first, last = math.ceil(math.log10(self.lo) - 1e-9), math.floor(math.log10(self.hi) + 1e-9)
        step = max(1, math.ceil((last - first + 1) / most))
        ticks = [10.0**k for k in range(first, last + 1) if (k - first) % step == 0]
        for mantissas in ((1, 2, 5), range(1, 10)):   # under two decades: 2 and 5 between, or every digit
            if len(ticks) >= 3:
                break
            ticks = sorted(m * 10.0**k for k in range(first - 1, last + 1) for m in mantissas
                           if self.lo <= m * 10.0**k <= self.hi)
        return [(t, power_label(t)) for t in ticks]

    def linear_ticks(self, most: int = 6) -> list[tuple[float, str]]:
        raw = (self.hi - self.lo) / most
        magnitude = 10 ** math.floor(math.log10(raw))
        step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
        start = math.ceil(self.lo / step) * step
        ticks = np.arange(start, self.hi + step * 1e-9, step)
        return [(float(t), f"{t:g}") for t in np.round(ticks, 12)]


@dataclass
class Panel:
    """One set of axes: its box on the canvas in px and its two scales."""
    left: float
    top: float
    width: float
    height: float
    x: Scale
    y: Scale

    def px(self, x: float, y: float) -> tuple[float, float]:
        return self.left + self.x.unit(x) * self.width, self.top + (1 - self.y.unit(y)) * self.height


class Canvas:
    """An SVG drawing built from parts, written once by svg()."""

    def __init__(self, width: float, height: float):
        self.width, self.height, self.parts = width, height, []

    def text(self, x: float, y: float, text: str, cls: str = "", rotate: bool = False, colour: str = "") -> None:
        lines = str(text).split("\n")
        attrs = f' class="{cls}"' if cls else ""
        attrs += f' fill="{colour}"' if colour else ""
        attrs += f' transform="rotate(-90 {_n(x)} {_n(y)})"' if rotate else ""
        if len(lines) == 1:
            self.parts.append(f'<text x="{_n(x)}" y="{_n(y)}"{attrs}>{escape(lines[0])}</text>')
            return
        spans = "".join(f'<tspan x="{_n(x)}" dy="{0 if i == 0 else 1.2}em">{escape(line)}</tspan>'
                        for i, line in enumerate(lines))
        self.parts.append(f'<text x="{_n(x)}" y="{_n(y)}"{attrs}>{spans}</text>')

    def path(self, points, cls: str, colour: str = "", width: float | None = None) -> None:
        """A polyline through points (px), consecutive points closer than 0.3 px merged."""
        kept, last = [], None
        for x, y in points:
            if last is None or abs(x - last[0]) + abs(y - last[1]) >= 0.3:
                kept.append((x, y))
                last = (x, y)
        if len(kept) < 2:
            return
        d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in kept)
        style = f' stroke="{colour}"' if colour else ""
        style += f' stroke-width="{width:g}"' if width else ""
        self.parts.append(f'<path class="{cls}" d="{d}"{style}/>')

    def dots(self, points, colour: str, radius: float = 2.0) -> None:
        """Round markers as one path of zero-length round-capped strokes (far fewer bytes than circles)."""
        if points:
            d = "".join(f"M{_n(x)} {_n(y)}h0" for x, y in points)
            self.parts.append(f'<path d="{d}" stroke="{colour}" stroke-width="{2 * radius:g}" '
                              'stroke-linecap="round" fill="none"/>')

    def star(self, x: float, y: float, colour: str, radius: float = 6.0) -> None:
        corners = []
        for k in range(10):
            r = radius if k % 2 == 0 else radius * 0.42
            angle = math.pi / 2 + k * math.pi / 5
            corners.append(f"{_n(x + r * math.cos(angle))} {_n(y - r * math.sin(angle))}")
        self.parts.append(f'<path d="M{"L".join(corners)}Z" fill="{colour}" stroke="#000" stroke-width=".6"/>')

    def svg(self, name: str) -> str:
        size = f'width="{_n(self.width)}" height="{_n(self.height)}" viewBox="0 0 {_n(self.width)} {_n(self.height)}"'
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="dbp" data-name="{escape(name)}" {size}>{STYLE}'
                + "".join(self.parts) + "</svg>")


def frame(canvas: Canvas, panel: Panel, title: str = "", xlabel: str = "", ylabel: str = "",
          y_tick_labels: bool = True, x_ticks: list[tuple[float, str]] | None = None) -> None:
    """Grid lines, the left and bottom axes with their tick labels, the axis labels and the panel's title."""
    left, top, right, bottom = panel.left, panel.top, panel.left + panel.width, panel.top + panel.height
    grid = []
    for value, label in x_ticks if x_ticks is not None else panel.x.ticks:
        x = panel.px(value, panel.y.lo)[0]
        grid.append(f"M{_n(x)} {_n(top)}V{_n(bottom)}")
        canvas.parts.append(f'<path class="ax" d="M{_n(x)} {_n(bottom)}v3.5"/>')
        canvas.text(x, bottom + 15, label, "s m")
    for value, label in panel.y.ticks:
        y = panel.px(panel.x.lo, value)[1]
        grid.append(f"M{_n(left)} {_n(y)}H{_n(right)}")
        canvas.parts.append(f'<path class="ax" d="M{_n(left)} {_n(y)}h-3.5"/>')
        if y_tick_labels:
            canvas.text(left - 5, y + 4, label, "s e")
    canvas.parts.insert(0, f'<path class="g" d="{"".join(grid)}"/>')
    canvas.parts.append(f'<path class="ax" d="M{_n(left)} {_n(top)}V{_n(bottom)}H{_n(right)}"/>')
    if title:
        canvas.text(left, top - 6 - 14.4 * title.count("\n"), title)
    if xlabel:
        canvas.text(left + panel.width / 2, bottom + 30, xlabel, "m")
    if ylabel:
        canvas.text(left - 46, top + panel.height / 2, ylabel, "m", rotate=True)


def line(canvas: Canvas, panel: Panel, xs, ys, colour: str, dashed: bool = False, dots: float = 0.0,
         width: float | None = None) -> None:
    points = [panel.px(x, y) for x, y in zip(np.asarray(xs, float), np.asarray(ys, float))
              if math.isfinite(x) and math.isfinite(y) and (not panel.y.log or y > 0) and (not panel.x.log or x > 0)]
    canvas.path(points, "l d" if dashed else "l", colour, width)
    if dots:
        canvas.dots(points, colour, dots)


@dataclass
class Entry:
    """A legend entry: a line (dashed or not, with dots or not) or a star, and its label."""
    label: str
    colour: str
    kind: str = "line"   # line, dashed, dots (a line with round markers), star


def legend_size(entries: list[Entry], columns: int) -> tuple[float, float]:
    widths = [max(text_width(e.label, SMALL_PX) for e in entries[c::columns]) + 30 for c in range(columns)]
    return sum(widths) + 12 * (columns - 1), 15 * math.ceil(len(entries) / columns)


def legend(canvas: Canvas, entries: list[Entry], left: float, top: float, columns: int) -> None:
    """Entries in `columns` columns filled row by row, from (left, top)."""
    widths = [max(text_width(e.label, SMALL_PX) for e in entries[c::columns]) + 30 for c in range(columns)]
    for i, entry in enumerate(entries):
        column, row = i % columns, i // columns
        x, y = left + sum(widths[:column]) + 12 * column, top + 15 * row + 7
        if entry.kind == "star":
            canvas.star(x + 10, y, entry.colour, 5.0)
        else:
            canvas.path([(x, y), (x + 20, y)], "l d" if entry.kind == "dashed" else "l", entry.colour)
            if entry.kind == "dots":
                canvas.dots([(x + 10, y)], entry.colour)
        canvas.text(x + 26, y + 4, entry.label, "s")


def slim(svg: str) -> str:
    """Another tool's SVG in fewer bytes: ids nothing refers to dropped, coordinates to 0.01, no indentation."""
    used = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))
    svg = re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in used else "", svg)
    svg = re.sub(r'( (?:d|x|y|points)=")([^"]*)"',
                 lambda m: m.group(1) + re.sub(r"(\d+\.\d\d)\d+", r"\1", m.group(2)) + '"', svg)
    return re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", "\n", svg))
