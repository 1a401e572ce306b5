"""The report's precision-ladder section: best error against unit round-off per method, with the theory slopes."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from diffbench.ladder import FD_SCHEMES
from diffbench.report.aggregate import ordered
from diffbench.report import svgplot
from diffbench.report.figures import palette
from diffbench.report.fmt import sci
from diffbench.report.svgplot import Canvas, Entry, Panel, Scale

PANEL = (200.0, 150.0)   # px of one panel at most, as the swell figure
AGREES = 0.1        # |measured - theory| within this: the slope agrees (the must-show tolerance)

# Why a measured slope may differ from the theory, by the kind of method (said where a row differs).
WHY = {
    "fd": "the power law needs both branches of the sweep: where the truncation error is zero or below round-off "
          "at every step (a low-degree polynomial), or the round-off branch is flat, the fitted optimum is a "
          "rounding error (slope towards 1) or a truncation error (slope towards 0)",
    "rule": "one error at the method's rule is a few u times a rounding factor that differs between the two "
            "types, so a single point's slope scatters by about log10(3)/log10(2^29) = 0.05 per factor of 3; at an "
            "ill-conditioned point the error is cond·u only at worst, and where one type's error comes near that "
            "bound and the other's does not (or float32's saturates at 1) the slope falls below 1; a case whose "
            "float code computes partly in float64 (numpy float64 constants) shows too small a float32 error",
    "richardson": "Richardson's level j (order 2j + 2, best error ~ u^((2j+2)/(2j+3))) is chosen by its own error "
                  "estimate in each type, so its slope lies between 4/5 and 1, and its error estimate's stopping "
                  "rule can leave float64 further from its floor",
}


def ladder(run, figure_type, name) -> dict | None:
    """The section's context, or None when the run has one precision (no precision_ladder rows)."""
    table = run.tables.get("precision_ladder")
    if table is None or table.empty:
        return None
    cases = [c for c in run.cases if (table["case"] == c).any()] or ordered(table["case"])
    shown = pd.concat([_panel_rows(table, case) for case in cases])
    methods = ordered(shown["method"])
    colours = palette(methods)
    figure_name = name("ladder", 0, "precision")
    caption = ("Best relative error against the unit round-off u (log-log), float32 (u = 2^-24) and float64 "
               "(u = 2^-53), one panel per case at the parameter with the most slopes, its canonical point; solid: "
               "measured, dashed: the theory slope drawn through the float64 error. An error of exactly 0 has no "
               "point.")
    figure = figure_type(figure_name, run.draw(draw_ladder, figure_name, shown, colours), caption)
    rows = [{"case": r.case, "param": r.param, "point": "–" if pd.isna(r.point) else int(r.point),
             "method": r.method, "err32": sci(r.err32), "err64": sci(r.err64), "measure": r.error_measure,
             "slope": _number(r.slope), "theory": _number(r.theory_slope)} for r in table.itertuples()]
    return {"figures": [figure], "rows": rows, "sentences": [method_sentence(table, m) for m in ordered(table["method"])]}


def _panel_rows(table: pd.DataFrame, case: str) -> pd.DataFrame:
    """A case's rows at point 0 (else its first point) and the parameter with the most finite slopes."""
    rows = table[table["case"] == case]
    point = 0 if (rows["point"] == 0).any() else rows["point"].min()
    rows = rows[rows["point"] == point] if pd.notna(point) else rows
    counts = rows.groupby("param", sort=False)["slope"].apply(lambda s: int(s.notna().sum()))
    best = max(counts.index, key=lambda p: (counts[p], list(counts.index).index(p)))
    return rows[rows["param"] == best]


def method_sentence(table: pd.DataFrame, method: str) -> str:
    """One sentence: the method's measured slopes against its theory, where they differ and why."""
    rows = table[table["method"] == method]
    theory = rows["theory_slope"].dropna()
    measured = rows.dropna(subset=["slope"])
    exact = int((rows["err64"] == 0).sum())
    tail = f"; {exact} of {len(rows)} rows are exact in float64 (error 0), with no slope" if exact else ""
    if theory.empty:
        return f"{method}: no theory slope is stated for it; measured {_spread(measured)}{tail}."
    expected = float(theory.iloc[0])
    if measured.empty:
        return f"{method}: theory slope {expected:.2f}; no row has an error above 0 in both types{tail}."
    off = measured[(measured["slope"] - measured["theory_slope"]).abs() > AGREES]
    text = f"{method}: measured {_spread(measured)} against the theory {expected:.2f}"
    if off.empty:
        return f"{text}, within ±{AGREES} at every row{tail}."
    where = ", ".join(f"{r.case} {r.param} ({r.slope:.2f})" for r in off.head(4).itertuples())
    more = f" and {len(off) - 4} more" if len(off) > 4 else ""
    kind = "fd" if method in FD_SCHEMES else "richardson" if method == "richardson" else "rule"
    return f"{text}; it differs by more than {AGREES} at {where}{more}: {WHY[kind]}{tail}."


def _spread(rows: pd.DataFrame) -> str:
    slopes = rows["slope"].to_numpy(float)
    if slopes.size == 1:
        return f"slope {slopes[0]:.2f} (1 row)"
    return (f"median slope {float(np.median(slopes)):.2f} (from {slopes.min():.2f} to {slopes.max():.2f} over "
            f"{slopes.size} rows)")


def _number(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.2f}"


def draw_ladder(name: str, table: pd.DataFrame, colours: dict[str, str]) -> str:
    """log best error vs log u: one panel per case, a solid line per method, its theory slope dashed."""
    cases = ordered(table["case"])
    drawn = table[(table["err32"] > 0) & (table["err64"] > 0)]
    methods = [m for m in ordered(table["method"]) if (drawn["method"] == m).any()]
    entries = [Entry(m, colours[m], "dots") for m in methods] + [Entry("theory slope", "#555", "dashed")]
    legend_width, legend_height = svgplot.legend_size(entries, 1)
    width = min(PANEL[0], 640 / max(len(cases), 1))
    left, gap, top = 66.0, 62.0, 52.0
    canvas = Canvas(left + len(cases) * width + (len(cases) - 1) * gap + 24 + legend_width,
                    max(top + PANEL[1] + 44, top + legend_height + 10))
    for i, case in enumerate(cases):
        rows = drawn[drawn["case"] == case]
        u = [float(table["u64"].iloc[0]), float(table["u32"].iloc[0])]
        errors = np.concatenate([rows["err64"].to_numpy(float), rows["err32"].to_numpy(float)])
        panel = Panel(left + i * (width + gap), top, width, PANEL[1], Scale.fit(u, log=True),
                      Scale.fit(errors, log=True))
        param = table[table["case"] == case]["param"].iloc[0]
        svgplot.frame(canvas, panel, f"{case} {param}", "unit round-off u",
                      "best relative error" if i == 0 else "")
        for row in rows.itertuples():
            pair = np.array([row.u64, row.u32])
            svgplot.line(canvas, panel, pair, [row.err64, row.err32], colours[row.method], dots=2.2)
            if not math.isnan(row.theory_slope):
                svgplot.line(canvas, panel, pair, row.err64 * (pair / row.u64) ** row.theory_slope,
                             colours[row.method], dashed=True, width=0.9)
    svgplot.legend(canvas, entries, canvas.width - legend_width - 8, top - 6, 1)
    return canvas.svg(name)
