"""Report figures: one function per figure, each returning standalone SVG text."""
from __future__ import annotations

import io
import re

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure  # no pyplot: no global figure state; SVG output needs no GUI backend
from matplotlib.ticker import LogFormatter, LogLocator, NullFormatter, NullLocator

from diffbench.report.aggregate import ordered

RC = {
    "svg.fonttype": "none", "font.family": "sans-serif", "font.size": 8.5,
    "font.sans-serif": ["Helvetica Neue", "Helvetica", "Arial", "DejaVu Sans"],
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.25, "grid.linewidth": 0.5, "legend.frameon": False, "legend.fontsize": 7.5,
    "axes.titlesize": 9, "lines.linewidth": 1.3, "lines.markersize": 3.5,
    "figure.facecolor": "none", "axes.facecolor": "none", "savefig.facecolor": "none",
}


SCHEMES = ("forward", "backward", "central", "central4", "complex_step")   # fixed colour order of FD schemes


def palette(names) -> dict[str, str]:
    colours = list(mpl.colormaps["tab10"].colors) + list(mpl.colormaps["tab20"].colors[1::2])
    return {n: mpl.colors.to_hex(colours[i % len(colours)]) for i, n in enumerate(ordered(names))}


def swell(name: str, family: str, table: pd.DataFrame, colours: dict[str, str]) -> str:
    """Derivative size (nodes) vs case parameter, one panel per case, one line per representation."""
    cases = ordered(table["case"])
    with mpl.rc_context({**RC, "svg.hashsalt": name}):
        # NB: fixed margins in inches (the legend on the right), no layout engine: constrained layout is slow
        width, height = min(2.7 * len(cases), 8.1) + 2.4, 2.7   # NB: <= 10.5 in, the page column at 1280 px
        fig = Figure(figsize=(width, height))
        fig.subplots_adjust(left=0.75 / width, right=1 - 1.75 / width, top=1 - 0.5 / height, bottom=0.5 / height,
                            wspace=0.4)
        axes = fig.subplots(1, len(cases), squeeze=False)[0]
        for ax, case in zip(axes, cases):
            rows = table[table["case"] == case]
            for rep, group in rows[rows["nodes"] > 0].groupby("representation", sort=False):
                style = "o--" if rep == "function" else "o-"
                ax.plot(_x(group, rows), group["nodes"].to_numpy(float), style, color=colours[rep], label=rep)
            _x_axis(ax, rows)
            _log(ax.yaxis, rows["nodes"])
            if len(cases) > 1 or case != family:
                ax.set_title(_text(case), loc="left")
        axes[0].set_ylabel("size of derivative (nodes)")
        fig.suptitle(_text(f"family {family}"), x=0.01, y=0.99, ha="left", va="top", fontsize=9, fontweight="bold")
        fig.legend(*_legend_entries(axes), loc="upper right", bbox_to_anchor=(1.0, 1 - 0.45 / height))
        return _svg(fig, name)


def _x(rows: pd.DataFrame, panel: pd.DataFrame) -> np.ndarray:
    """x positions of rows: their size, or the index of their param in the panel when sizes are missing."""
    if panel["sweep_value"].notna().all():
        return rows["sweep_value"].to_numpy(float)
    params = _params(panel)
    return np.array([params.index(p) for p in rows["param"]], float)


def _params(panel: pd.DataFrame) -> list[str]:
    """The panel's params when they stand in for missing sizes, else []."""
    return [] if panel["sweep_value"].notna().all() else ordered(panel["param"])


def _x_axis(ax, rows: pd.DataFrame) -> None:
    """Log x when sizes span a decade; ticks at the sizes themselves when there are few."""
    sizes = np.unique(rows["sweep_value"].dropna().to_numpy(float))
    params = _params(rows)
    if params:
        ax.set_xticks(range(len(params)), [_text(p) for p in params])
    elif sizes.size:
        if sizes.min() > 0 and sizes.max() / sizes.min() >= 8:
            _log(ax.xaxis, sizes)
        if sizes.size <= 8:
            ax.set_xticks(sizes, [f"{s:g}" for s in sizes])
            ax.xaxis.set_minor_locator(NullLocator())
        if sizes.size == 1:
            ax.set_xlim(sizes[0] - 1, sizes[0] + 1)
    ax.set_xlabel("parameter" if params else _text(_size_name(rows)))


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


class _UnicodeLogFormatter(LogFormatter):
    """Log tick labels as 10ⁿ and 2×10ⁿ in plain unicode: mathtext is slow and adds nothing here."""

    def _num_to_string(self, x, vmin, vmax):
        exponent = int(np.floor(np.log10(x) + 1e-9))
        mantissa = round(x / 10.0**exponent, 6)
        power = "10" + str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        if 0 <= exponent <= 3:
            return f"{x:g}"
        return power if mantissa == 1 else f"{mantissa:g}×{power}"


def _log(axis, values) -> None:
    """Log scale; minor ticks (costly to lay out) only where the data span under two decades."""
    getattr(axis.axes, f"set_{axis.axis_name}scale")("log")
    values = np.asarray(values, float)
    values = values[np.isfinite(values) & (values > 0)]
    narrow = values.size and values.max() / values.min() < 100
    axis.set_major_locator(LogLocator(numticks=7))
    axis.set_major_formatter(_UnicodeLogFormatter(labelOnlyBase=False))
    axis.set_minor_locator(LogLocator(subs=(2, 5), numticks=7) if narrow else NullLocator())
    axis.set_minor_formatter(_UnicodeLogFormatter(labelOnlyBase=False) if narrow else NullFormatter())


def _legend_entries(axes) -> tuple[list, list[str]]:
    entries = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


def _text(s) -> str:
    """Text shown literally: no mathtext."""
    return str(s).replace("$", r"\$")


def _svg(fig: Figure, name: str) -> str:
    """SVG text to inline in HTML: no XML prolog or metadata, ids prefixed with name to stay unique on the page."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg"):], flags=re.S)
    in_tag = re.compile(r'(\bid="|url\(#|href="#)')
    text = re.sub(r"<[^<>]+>", lambda tag: in_tag.sub(rf"\g<1>{name}-", tag.group(0)), text)
    return slim(text)


def slim(svg: str) -> str:
    """The same drawing in fewer bytes: ids nothing refers to dropped, coordinates to 0.01 pt, no indentation."""
    used = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))
    svg = re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in used else "", svg)
    svg = re.sub(r'( (?:d|x|y|points)=")([^"]*)"',
                 lambda m: m.group(1) + re.sub(r"(\d+\.\d\d)\d+", r"\1", m.group(2)) + '"', svg)
    return re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", "\n", svg))
