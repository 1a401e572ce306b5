"""Small-multiples figures (one panel per case, shared axes, one legend) and the survey's Figure 3 analogue."""
from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from diffbench.fd_model import fit_error_model
from diffbench.methods.finite_diff import SCHEMES as FD_SCHEMES
from diffbench.report.aggregate import FLOOR, clip_error
from diffbench.report.figures import RC, SCHEMES, _log, _svg, _text, _x, _x_axis, palette

PANEL_IN = (2.35, 1.85)   # width, height of one panel in inches: ~9.5 px text stays >= 9 px at natural size
MAX_COLUMNS = 3
REST_COLOUR = "#111111"   # the most accurate method that is not a finite difference


def _grid(n_panels: int, n_legend: int, sharex: bool = True, sharey: bool = True):
    """A figure of n panels in up to MAX_COLUMNS columns, with fixed margins (no layout engine: it is slow).

    Returns the figure, its axes, the number of columns and of legend columns."""
    columns = min(MAX_COLUMNS, n_panels)
    rows = math.ceil(n_panels / columns)
    legend_columns = min(n_legend, max(2, columns))   # NB: wider legends overhang a figure of few panels
    legend_rows = math.ceil(n_legend / legend_columns)
    width, height = 0.75 + columns * PANEL_IN[0], 0.95 + 0.17 * legend_rows + rows * PANEL_IN[1]
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=0.62 / width, right=1 - 0.1 / width, top=1 - 0.5 / height,
                        bottom=(0.45 + 0.17 * legend_rows) / height, wspace=0.12 if sharey else 0.35, hspace=0.5)
    axes = fig.subplots(rows, columns, squeeze=False, sharex=sharex, sharey=sharey).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    if sharex:   # NB: the panel above an empty slot shows its own tick labels
        for ax in axes[n_panels - columns:n_panels]:
            ax.xaxis.set_tick_params(labelbottom=True)
    return fig, axes[:n_panels], columns, legend_columns


def fd_grid(name: str, title: str, panels: list[dict]) -> str:
    """Error vs h per FD scheme, a panel per case: the model's optimum starred, the best other method as a line.

    Each panel dict: label, sweep (rows of one case, param, point, direction), best (method, error) or None."""
    with mpl.rc_context({**RC, "svg.hashsalt": name}):
        schemes = [s for s in SCHEMES if any((p["sweep"]["scheme"] == s).any() for p in panels)]
        extra = sorted({s for p in panels for s in p["sweep"]["scheme"].dropna()} - set(schemes))
        colours = palette([*SCHEMES, *extra])
        fig, axes, columns, legend_columns = _grid(len(panels), n_legend=len(schemes) + len(extra) + 2)
        errors = np.concatenate([clip_error(p["sweep"]["rel_error"].dropna()) for p in panels])
        for ax, panel in zip(axes, panels):
            for scheme, group in panel["sweep"].groupby("scheme", sort=False):
                group = group.dropna(subset=["h", "rel_error"]).sort_values("h")
                h, err = group["h"].to_numpy(float), clip_error(group["rel_error"])
                ax.loglog(h, err, "-", color=colours[scheme], lw=1.1)
                _optimum(ax, scheme, h, err, colours[scheme])
            if panel["best"] is not None:
                names, error = panel["best"]
                ax.axhline(max(error, FLOOR), color=REST_COLOUR, ls="--", lw=0.9)
                first, *others = names.split(", ")
                ax.annotate(_text(first + (f" +{len(others)}" if others else "")), (0.03, max(error, FLOOR)),
                            xycoords=("axes fraction", "data"), xytext=(0, 2), textcoords="offset points",
                            fontsize=7.5, color="#333", va="bottom")
            ax.set_title(_text(panel["label"]), loc="left", fontsize=8.5)
        _log(axes[0].xaxis, np.concatenate([p["sweep"]["h"].to_numpy(float) for p in panels]))
        _log(axes[0].yaxis, [errors.min(), max(1.0, errors.max())])
        axes[0].set_ylim(max(errors.min(), FLOOR) / 4, max(1.0, errors.max()) * 4)
        for i, ax in enumerate(axes):
            if i % columns == 0:
                ax.set_ylabel("relative error")
            if i >= len(axes) - columns:
                ax.set_xlabel("step h")
        handles = [Line2D([], [], color=colours[s], label=s) for s in [*schemes, *extra]]
        handles += [Line2D([], [], ls="none", marker="*", ms=8, color="white", mec="black",
                           label="optimum of the fitted C hᵖ + R/h"),
                    Line2D([], [], color=REST_COLOUR, ls="--", lw=0.9, label="best non-FD method (named, +ties)")]
        fig.legend(handles=handles, loc="lower center", ncols=legend_columns, fontsize=7.5)
        fig.suptitle(_text(title), x=0.01, y=0.995, ha="left", va="top", fontsize=9, fontweight="bold")
        return _svg(fig, name)


def _optimum(ax, scheme: str, h: np.ndarray, err: np.ndarray, colour: str, error_scale: float = 1.0):
    """Star at the optimum of the error model fitted to the sweep (none without a fit, as for complex step)."""
    stencil = FD_SCHEMES.get(scheme)
    model = fit_error_model(list(zip(h, err)), stencil.order, stencil.derivative) if stencil and h.size else None
    if model is not None:
        ax.plot(model.opt_h, model.opt_error * error_scale, "*", ms=9, color=colour, mec="black", mew=0.5, zorder=5)
    return model


def figure3(name: str, sweep: pd.DataFrame, label: str) -> str:
    """Baydin et al. (2018), Figure 3: absolute error of forward and central differences vs h, log-log."""
    with mpl.rc_context({**RC, "svg.hashsalt": name}):
        fig = Figure(figsize=(5.0, 3.3))
        fig.subplots_adjust(left=0.15, right=0.97, top=0.9, bottom=0.28)
        ax = fig.add_subplot()
        colours = palette(SCHEMES)
        handles = []
        for scheme in ("forward", "central"):
            group = sweep[sweep["scheme"] == scheme].dropna(subset=["h", "abs_error", "rel_error"]).sort_values("h")
            if group.empty:
                continue
            h, absolute = group["h"].to_numpy(float), clip_error(group["abs_error"])
            relative = clip_error(group["rel_error"])
            handles += ax.loglog(h, absolute, "o-", ms=2.5, color=colours[scheme], label=f"{scheme} difference")
            # NB: the model is fitted to the relative error; absolute = relative x the reference's norm
            scale = float(np.median(absolute / relative))
            model = _optimum(ax, scheme, h, relative, colours[scheme], error_scale=scale)
            if model is not None:
                handles.append(Line2D([], [], ls="none", marker="*", ms=8, color=colours[scheme], mec="black",
                                      label=f"robust optimum h = {model.opt_h:.1e}"))
        _log(ax.xaxis, sweep["h"])
        _log(ax.yaxis, clip_error(sweep["abs_error"].dropna()))
        ax.set_xlabel("step size h")
        ax.set_ylabel("absolute error")
        ax.set_title(_text(label), loc="left", fontsize=8.5)
        fig.legend(handles=handles, loc="lower center", ncols=2, fontsize=7.5)
        return _svg(fig, name)


def cost_grid(name: str, title: str, cells: pd.DataFrame, cases: list[str], colours: dict[str, str]) -> str:
    """Cost ratio (derivative time / f the method's own way) vs problem size, a panel per case, log-log."""
    with mpl.rc_context({**RC, "svg.hashsalt": name}):
        methods = [m for m in colours if (cells["method"] == m).any()]
        fig, axes, columns, legend_columns = _grid(len(cases), n_legend=len(methods), sharex=False)
        for ax, case in zip(axes, cases):
            rows = cells[cells["case"] == case]
            for method, group in rows.groupby("method", sort=False):
                group = group[group["cost_ratio"] > 0]
                if not group.empty:
                    ax.plot(_x(group, rows), group["cost_ratio"].to_numpy(float), "o-", ms=2.5, color=colours[method])
            _x_axis(ax, rows)
            ax.set_title(_text(case), loc="left", fontsize=8.5)
        _log(axes[0].yaxis, cells["cost_ratio"])
        for i, ax in enumerate(axes):
            if i % columns == 0:
                ax.set_ylabel("cost ratio")
        handles = [Line2D([], [], color=colours[m], marker="o", ms=2.5, label=m) for m in methods]
        fig.legend(handles=handles, loc="lower center", ncols=legend_columns, fontsize=7.5)
        fig.suptitle(_text(title), x=0.01, y=0.995, ha="left", va="top", fontsize=9, fontweight="bold")
        return _svg(fig, name)
