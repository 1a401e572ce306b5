"""Small-multiples figures (one panel per case, shared axes, one legend) and the survey's Figure 3 analogue."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from diffbench.fd_model import fit_error_model
from diffbench.methods.finite_diff import SCHEMES as FD_SCHEMES
from diffbench.report import svgplot
from diffbench.report.aggregate import FLOOR, clip_error
from diffbench.report.figures import SCHEMES, palette, x_axis, x_values
from diffbench.report.svgplot import Canvas, Entry, Panel, Scale

PANEL_PX = (226.0, 150.0)   # width, height of one panel: three fit the page column at 1280 px, text at 11-12 px
MAX_COLUMNS = 3
REST_COLOUR = "#111111"   # the most accurate method that is not a finite difference
LEFT, TOP, UNDER, LINE = 66.0, 30.0, 40.0, 14.4   # margins in px: y labels, figure title, x labels; a title line


def _panels(n_panels: int, titles: list[str], entries: list[Entry]) \
        -> tuple[Canvas, list[tuple[float, float]], int, tuple[float, float]]:
    """A canvas for n panels in up to MAX_COLUMNS columns sharing their y axis (tick labels on the first column
    only), room for each row's titles and the legend below.

    Returns it, each panel's top-left corner, the legend's number of columns and its top-left corner."""
    columns = min(MAX_COLUMNS, n_panels)
    rows = math.ceil(n_panels / columns)
    gap = 18.0
    width = LEFT + columns * PANEL_PX[0] + (columns - 1) * gap + 14
    legend_columns = min(len(entries), max(2, columns))
    while legend_columns > 1 and svgplot.legend_size(entries, legend_columns)[0] > width - 20:
        legend_columns -= 1
    legend_width, legend_height = svgplot.legend_size(entries, legend_columns)
    corners, y_top = [], TOP
    for row in range(rows):
        lines = max(t.count("\n") + 1 for t in titles[row * columns:(row + 1) * columns])
        y_top += 8 + LINE * lines
        corners += [(LEFT + c * (PANEL_PX[0] + gap), y_top) for c in range(columns)][:n_panels - row * columns]
        y_top += PANEL_PX[1] + UNDER
    canvas = Canvas(max(width, legend_width + 20), y_top + legend_height + 8)
    # NB: left-aligned under the first column, so on a narrow screen (the figure scrolls) the legend starts in view
    return canvas, corners, legend_columns, (LEFT - 40, y_top)


def fd_grid(name: str, title: str, panels: list[dict]) -> str:
    """Error vs h per FD scheme, a panel per case: the model's optimum starred, the best other method as a line.

    Each panel dict: label, sweep (rows of one case, param, point, direction), best (method, error) or None."""
    schemes = [s for s in SCHEMES if any((p["sweep"]["scheme"] == s).any() for p in panels)]
    extra = sorted({s for p in panels for s in p["sweep"]["scheme"].dropna()} - set(schemes))
    colours = palette([*SCHEMES, *extra])
    errors = np.concatenate([clip_error(p["sweep"]["rel_error"].dropna()) for p in panels])
    x = Scale.fit(np.concatenate([p["sweep"]["h"].to_numpy(float) for p in panels]), log=True)
    y = Scale.fit(errors, log=True, lo=max(errors.min(), FLOOR) / 4, hi=max(1.0, errors.max()) * 4)
    entries = [Entry(s, colours[s]) for s in [*schemes, *extra]]
    entries += [Entry("optimum of the fitted C hᵖ + R/h", "#ffffff", "star"),
                Entry("best non-FD method (named, +ties)", REST_COLOUR, "dashed")]
    titles = [_wrapped(p["label"]) for p in panels]
    canvas, corners, legend_columns, legend_at = _panels(len(panels), titles, entries)
    columns = min(MAX_COLUMNS, len(panels))
    for i, (panel, (left, top)) in enumerate(zip(panels, corners)):
        box = Panel(left, top, *PANEL_PX, x, y)
        bottom_row = i >= len(panels) - columns
        svgplot.frame(canvas, box, titles[i], "step h" if bottom_row else "",
                      "relative error" if i % columns == 0 else "", y_tick_labels=i % columns == 0)
        stars = []
        for scheme, group in panel["sweep"].groupby("scheme", sort=False):
            group = group.dropna(subset=["h", "rel_error"]).sort_values("h")
            h, err = group["h"].to_numpy(float), clip_error(group["rel_error"])
            svgplot.line(canvas, box, h, err, colours[scheme], width=1.2)
            model = _optimum(scheme, h, err)
            if model is not None:
                stars.append((box.px(model.opt_h, model.opt_error), colours[scheme]))
        if panel["best"] is not None:
            names, error = panel["best"]
            level = box.px(x.lo, max(error, FLOOR))[1]
            canvas.path([(left, level), (left + PANEL_PX[0], level)], "l d", REST_COLOUR, 1.0)
            first, *others = names.split(", ")
            canvas.text(left + 6, level - 3, first + (f" +{len(others)}" if others else ""), "s", colour="#333")
        for (sx, sy), colour in stars:
            canvas.star(sx, sy, colour)
    svgplot.legend(canvas, entries, *legend_at, legend_columns)
    canvas.text(6, 17, title, "t")
    return canvas.svg(name)


def _wrapped(label: str, limit: int = 34) -> str:
    """A panel title on as many lines as keep each within `limit` characters (about a panel's width), broken
    only between its " · " parts, so a long case and parameter do not run into the next panel's title."""
    lines = []
    for part in label.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= limit:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def _optimum(scheme: str, h: np.ndarray, err: np.ndarray):
    """The error model fitted to the sweep, whose optimum is starred (none without a fit, as for complex step)."""
    stencil = FD_SCHEMES.get(scheme)
    return fit_error_model(list(zip(h, err)), stencil.order, stencil.derivative) if stencil and h.size else None


def figure3(name: str, sweep: pd.DataFrame, label: str) -> str:
    """Baydin et al. (2018), Figure 3: absolute error of forward and central differences vs h, log-log."""
    colours = palette(SCHEMES)
    curves = []
    for scheme in ("forward", "central"):
        group = sweep[sweep["scheme"] == scheme].dropna(subset=["h", "abs_error", "rel_error"]).sort_values("h")
        if group.empty:
            continue
        h, absolute = group["h"].to_numpy(float), clip_error(group["abs_error"])
        # NB: the model is fitted to the relative error; absolute = relative x the reference's norm
        scale = float(np.median(absolute / clip_error(group["rel_error"])))
        curves.append((scheme, h, absolute, scale, _optimum(scheme, h, clip_error(group["rel_error"]))))
    x = Scale.fit(sweep["h"], log=True)
    y = Scale.fit(clip_error(sweep["abs_error"].dropna()), log=True)
    entries = []
    for scheme, _, _, _, model in curves:
        entries.append(Entry(f"{scheme} difference", colours[scheme], "dots"))
        if model is not None:
            entries.append(Entry(f"robust optimum h = {model.opt_h:.1e}", colours[scheme], "star"))
    legend_width, legend_height = svgplot.legend_size(entries, 2)
    canvas = Canvas(max(470.0, legend_width + 20), 36 + 230 + UNDER + legend_height + 10)
    box = Panel(LEFT + 8, 36, canvas.width - LEFT - 24, 230, x, y)
    svgplot.frame(canvas, box, label, "step size h", "absolute error")
    for scheme, h, absolute, scale, model in curves:
        svgplot.line(canvas, box, h, absolute, colours[scheme], dots=1.8, width=1.2)
    for scheme, h, absolute, scale, model in curves:
        if model is not None:
            canvas.star(*box.px(model.opt_h, model.opt_error * scale), colours[scheme])
    svgplot.legend(canvas, entries, (canvas.width - legend_width) / 2, 36 + 230 + UNDER, 2)
    return canvas.svg(name)


def cost_grid(name: str, title: str, cells: pd.DataFrame, cases: list[str], colours: dict[str, str]) -> str:
    """Cost ratio (derivative time / f the method's own way) vs problem size, a panel per case, log-log."""
    methods = [m for m in colours if (cells["method"] == m).any()]
    y = Scale.fit(cells.loc[cells["cost_ratio"] > 0, "cost_ratio"], log=True)
    entries = [Entry(m, colours[m], "dots") for m in methods]
    canvas, corners, legend_columns, legend_at = _panels(len(cases), [str(c) for c in cases], entries)
    columns = min(MAX_COLUMNS, len(cases))
    for i, (case, (left, top)) in enumerate(zip(cases, corners)):
        rows = cells[cells["case"] == case]
        x, x_ticks, x_label = x_axis(rows)
        box = Panel(left, top, *PANEL_PX, x, y)
        svgplot.frame(canvas, box, str(case), x_label, "cost ratio" if i % columns == 0 else "",
                      y_tick_labels=i % columns == 0, x_ticks=x_ticks)
        for method, group in rows.groupby("method", sort=False):
            group = group[group["cost_ratio"] > 0]
            if not group.empty:
                svgplot.line(canvas, box, x_values(group, rows), group["cost_ratio"].to_numpy(float),
                             colours[method], dots=2.0, width=1.2)
    svgplot.legend(canvas, entries, *legend_at, legend_columns)
    canvas.text(6, 17, title, "t")
    return canvas.svg(name)
