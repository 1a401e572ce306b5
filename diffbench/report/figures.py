"""Report figures of a case parameter on x: the swell figure and the x axes it shares with the cost grid."""
from __future__ import annotations

import numpy as np
import pandas as pd

from diffbench.report import svgplot
from diffbench.report.aggregate import ordered
from diffbench.report.svgplot import Canvas, Entry, Panel, Scale

SCHEMES = ("forward", "backward", "central", "central4", "complex_step")   # fixed colour order of FD schemes
# matplotlib's tab10, then the light half of tab20: the colours the figures had when matplotlib drew them
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
           "#dbdb8d", "#9edae5")
SWELL_PANEL = (200.0, 150.0)   # px of one swell panel at most; narrower when a family has more than three cases


def palette(names) -> dict[str, str]:
    return {n: COLOURS[i % len(COLOURS)] for i, n in enumerate(ordered(names))}


def swell(name: str, family: str, table: pd.DataFrame, colours: dict[str, str]) -> str:
    """Derivative size (nodes) vs case parameter, one panel per case, one line per representation."""
    cases = ordered(table["case"])
    width = min(SWELL_PANEL[0], 640 / len(cases))
    drawn = table[table["nodes"] > 0]
    reps = [r for r in ordered(table["representation"]) if (drawn["representation"] == r).any()]
    entries = [Entry(r, colours[r], "dots") for r in reps]
    legend_width, legend_height = svgplot.legend_size(entries, 1)
    left, gap, top = 66.0, 62.0, 52.0
    canvas = Canvas(left + len(cases) * width + (len(cases) - 1) * gap + 24 + legend_width,
                    max(top + SWELL_PANEL[1] + 44, top + legend_height + 10))
    for i, case in enumerate(cases):
        rows = table[table["case"] == case]
        x_scale, x_ticks, x_label = x_axis(rows)
        panel = Panel(left + i * (width + gap), top, width, SWELL_PANEL[1], x_scale,
                      Scale.fit(rows["nodes"], log=True))
        title = str(case) if len(cases) > 1 or case != family else ""
        svgplot.frame(canvas, panel, title, x_label, "size of derivative (nodes)" if i == 0 else "", x_ticks=x_ticks)
        for rep in reps:
            group = rows[(rows["representation"] == rep) & (rows["nodes"] > 0)]
            svgplot.line(canvas, panel, x_values(group, rows), group["nodes"].to_numpy(float), colours[rep],
                         dashed=rep == "function", dots=2.2)
    svgplot.legend(canvas, entries, canvas.width - legend_width - 8, top - 6, 1)
    canvas.text(6, 16, f"family {family}", "t")
    return canvas.svg(name)


def x_values(rows: pd.DataFrame, panel: pd.DataFrame) -> np.ndarray:
    """x positions of rows: their size, or the index of their param in the panel when sizes are missing."""
    if panel["sweep_value"].notna().all():
        return rows["sweep_value"].to_numpy(float)
    params = _params(panel)
    return np.array([params.index(p) for p in rows["param"]], float)


def _params(panel: pd.DataFrame) -> list[str]:
    """The panel's params when they stand in for missing sizes, else []."""
    return [] if panel["sweep_value"].notna().all() else ordered(panel["param"])


def x_axis(rows: pd.DataFrame) -> tuple[Scale, list[tuple[float, str]] | None, str]:
    """The x scale of a panel of rows, its ticks when they are the sizes themselves, and its label: log x when
    sizes span a decade, ticks at the sizes when there are few, params by position when sizes are missing."""
    params = _params(rows)
    if params:
        return Scale.fit([0, len(params) - 1], log=False, pad=0.08), list(enumerate(params)), "parameter"
    sizes = np.unique(rows["sweep_value"].dropna().to_numpy(float))
    log = bool(sizes.size and sizes.min() > 0 and sizes.max() / sizes.min() >= 8)
    if sizes.size == 1:
        scale = Scale.fit([sizes[0] - 1, sizes[0] + 1], log=False, pad=0)
    else:
        scale = Scale.fit(sizes, log=log)
    ticks = [(s, f"{s:g}") for s in sizes] if sizes.size <= 8 else None
    return scale, ticks, _size_name(rows)


def _size_name(rows: pd.DataFrame) -> str:
    """The name in the param text ("d=2, N=50") whose value is the size in every row, else "size"."""
    names = None
    for param, size in zip(rows["param"], rows["sweep_value"]):
        pairs = (item.split("=", 1) for item in str(param).split(",") if "=" in item)
        found = {k.strip() for k, v in pairs if _float(v) == size}
        names = found if names is None else names & found
    return names.pop() if names and len(names) == 1 else "size"


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
