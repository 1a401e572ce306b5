"""The report's sections: an explicit registry of (key, title, context builder)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from markupsafe import Markup

from diffbench.report import fd_section, grids, ladder as ladder_section, swell_tables
from diffbench.report.aggregate import params_by_size
from diffbench.report.figures import palette, swell as swell_figure
from diffbench.report.fmt import sci
from diffbench.report.headline import headlines
from diffbench.report.overview import STATUS_WORDS, overview
from diffbench.report.run import Run
from diffbench.report.svgplot import slim as slim_svg
from diffbench.report.second_order import second_order_section
from diffbench.trace import read_traces

HEAT_STOPS = [(0, "#e58a7f"), (6 / 16, "#f5d38f"), (10 / 16, "#eef2d8"), (13 / 16, "#b3d9cc"), (1, "#86bcd6")]
HEAT_LEVELS = 256   # NB: the colour map in 256 steps, as matplotlib's LinearSegmentedColormap drew it
BAD_STATUSES = ("failed", "timeout", "domain_error")  # shown as failures in the run details
SURVEY_TRACE_CASE = "trace_example"   # the survey's f(x1, x2) of its Tables 2-3: its trace is shown open


@dataclass
class Figure:
    name: str       # file name under figures/, without .svg
    svg: Markup     # inline SVG, its text escaped by whoever drew it (a Future of it until the page is built)
    caption: str
    number: int = 0  # assigned in page order when the report is assembled
    survey: str = ""  # the survey's own number for the figure it reproduces ("Figure 3"), else empty


# the results columns the headline reads (diffbench/report/headline.py); a narrow copy filters much faster
HEADLINE_COLUMNS = ("case", "family", "param", "method", "point", "status", "correct_digits", "attainable_digits",
                    "f_digits", "f_finite", "shortfall_digits", "limit", "eval_time_s", "cost_ratio", "float_cost_ratio",
                    "setup_time_s", "break_even_evals")


def headline(run: Run) -> dict | None:
    cells = run.cells.sort_values("case", key=lambda c: c.map({k: i for i, k in enumerate(run.cases)}), kind="stable")
    results = run.results[[c for c in HEADLINE_COLUMNS if c in run.results]]
    return {"families": headlines(cells, results)} if not cells.empty else None


def accuracy(run: Run) -> dict | None:
    cells = run.cells
    if cells.empty:
        return None
    index = {(r.case, r.param, r.method): r for r in cells.itertuples()}
    rows = []
    for case in run.cases:
        params = params_by_size(cells[cells["case"] == case])
        for i, param in enumerate(params):
            row = [_accuracy_cell(index.get((case, param, m))) for m in run.methods]
            rows.append({"case": case, "param": param, "span": len(params) if i == 0 else 0, "cells": row})
    scale = [{"digits": d, "colour": heat(d)} for d in range(0, 18, 2)]
    return {"methods": run.methods, "rows": rows, "scale": scale}


def _accuracy_cell(cell) -> dict:
    if cell is None:
        return {"kind": "none"}
    if cell.n_ok == 0:
        return {"kind": "bad", "status": cell.status, "short": STATUS_WORDS.get(cell.status, str(cell.status)),
                "title": f"{cell.status}: {cell.message}" if pd.notna(cell.message) else str(cell.status)}
    title = f"relative error {sci(cell.rel_error)} (worst of {cell.n_ok} ok point{'s' * (cell.n_ok != 1)})"
    if pd.notna(cell.max_rel_error):
        title += f"; max componentwise {sci(cell.max_rel_error)}"
    if pd.notna(cell.shortfall):
        title += f"; {cell.shortfall:.1f} digits short of the float64 floor ({cell.attainable:.1f} digits)"
    partial = cell.n_ok < cell.n_points
    if partial:
        title += f"; {cell.n_points - cell.n_ok} of {cell.n_points} points {cell.status}: {cell.message}"
    return {"kind": "ok", "digits": cell.digits, "colour": heat(cell.digits), "title": title, "partial": partial}


def heat(digits: float) -> str:
    """Background colour for a number of correct digits: soft red (0) through sand (6) to blue (16+)."""
    if pd.isna(digits):
        return "#eeeeee"
    level = min(int(min(max(digits, 0.0), 16.0) / 16.0 * HEAT_LEVELS), HEAT_LEVELS - 1) / (HEAT_LEVELS - 1)
    stops = [position for position, _ in HEAT_STOPS]
    channels = [np.interp(level, stops, [int(colour[1 + 2 * c:3 + 2 * c], 16) / 255 for _, colour in HEAT_STOPS])
                for c in range(3)]
    return "#" + "".join(f"{round(float(c) * 255):02x}" for c in channels)


def fd_sweep(run: Run) -> dict | None:
    return fd_section.fd_sweep(run, Figure, _name)


def ladder(run: Run) -> dict | None:
    return ladder_section.ladder(run, Figure, _name)


def survey(run: Run) -> dict | None:
    """The survey's reproductions up front: Figure 3 (FD error vs h for l_4 at 0.2) and Table 1 (swell)."""
    figure3 = fd_section.figure3(run, Figure, _name)
    table1 = swell_tables.table1(run)
    if figure3 is None and table1 is None:
        return None
    figures = [figure3["figure"]] if figure3 else []
    for figure in figures:
        figure.survey = "Figure 3"
    return {"figures": figures, "table1": table1, "traces": bool(read_traces(run.path))}


def swell(run: Run) -> dict | None:
    table = run.tables["swell"].dropna(subset=["nodes"])
    if table.empty:
        return None
    colours = {**palette(r for r in table["representation"] if r != "function"), "function": "#444444"}
    table = table.sort_values(["sweep_value", "param"], na_position="last", kind="stable")
    # NB: a size-vs-parameter line needs two sizes: a representation measured at one size (sympy that timed out
    # beyond it) is left out of the plot, and a case with no such line is named instead of drawn
    table = table[table["nodes"] > 0]
    lane_sizes = table.groupby(["case", "representation"])["param"].transform("nunique")
    single = [c for c in run.cases if (table["case"] == c).any() and not (lane_sizes[table["case"] == c] >= 2).any()]
    table = table[lane_sizes >= 2]
    out = []
    for family, rows in table.groupby(table["family"].fillna("(no family)"), sort=False):
        name = _name("swell", len(out), family)
        representations = ", ".join(rows["representation"].unique())
        caption = f"Expression swell in family {family}: size of the derivative vs the case parameter " \
                  f"(log scale), one line per representation ({representations})."
        out.append(Figure(name, run.draw(swell_figure, name, family, rows, colours), caption))
    return {"figures": out, "single": single, **swell_tables.swell_extras(run)}


def runtime(run: Run) -> dict | None:
    cells = run.cells.sort_values(["sweep_value", "param"], na_position="last", kind="stable")
    timed = cells[cells["cost_ratio"].notna()]
    out = []
    # NB: a cost-vs-size panel needs at least two sizes; single-size cases are in the phase table below
    swept = [c for c in run.cases if timed.loc[timed["case"] == c, "sweep_value"].dropna().nunique() >= 2]
    if swept:
        name = _name("runtime", 0, "cost-ratio")
        caption = ("Cost ratio of each method (median over points of one derivative evaluation over one evaluation "
                   "of f the way the method evaluates it) against problem size, one panel per swept case, log-log.")
        out.append(Figure(name, run.draw(grids.cost_grid, name, "cost ratio vs size", timed, swept,
                                         palette(run.methods)), caption))
    timing = run.tables["timing"].dropna(subset=["time_s"])
    phases = [p for p in timing["phase"].unique() if pd.notna(p)]
    medians = timing.groupby(["method", "phase"])["time_s"].median()
    table = [{"method": m, "times": [medians.get((m, p)) for p in phases]}
             for m in run.methods + [m for m in timing["method"].unique() if m not in run.methods]
             if (timing["method"] == m).any()]
    return {"figures": out, "phases": phases, "phase_rows": table} if out or table else None


def reference(run: Run) -> dict | None:
    results = run.results.dropna(subset=["ref_digits"])
    if results.empty:
        return None
    grouped = results.groupby(["case", "param"], sort=False).agg(
        sweep_value=("sweep_value", "first"), digits=("ref_digits", "min"), route2=("ref_route2", "first"),
        flagged=("ref_flagged", "max"), points=("point", "nunique")).reset_index()
    rows = []
    for case in run.cases:
        group = grouped[grouped["case"] == case].sort_values(["sweep_value", "param"], na_position="last")
        rows += [dict(r._asdict(), flagged=bool(pd.notna(r.flagged) and r.flagged)) for r in group.itertuples()]
    required = run.meta.get("ref_required_digits")
    # NB: the table lists only the exceptions: settings whose routes agree to fewer than the required digits
    exceptions = [r for r in rows if r["flagged"] or (required is not None and r["digits"] < required)]
    return {"rows": exceptions, "n_settings": len(rows), "required": required, "n_flagged": len(exceptions),
            "lowest": min(r["digits"] for r in rows), "routes": sorted({str(r["route2"]) for r in rows
                                                                     if isinstance(r["route2"], str)})}


def details(run: Run) -> dict:
    meta = run.meta
    failures = meta.get("failures")
    if not isinstance(failures, list):
        bad = run.results[run.results["status"].isin(BAD_STATUSES).fillna(False)]
        failures = bad[["case", "param", "method", "point", "status", "message"]].to_dict("records")
    keys = ("run_id", "command", "seed", "precision_dps", "ref_required_digits", "time_budget_s", "quick",
            "workers", "started", "finished", "total_time_s", "exit_code")
    fields = [(k, meta[k]) for k in keys if k in meta]
    if "argv" in meta:
        fields.append(("argv", " ".join(map(str, meta["argv"])) if isinstance(meta["argv"], list) else meta["argv"]))
    return {"fields": fields, "versions": _pairs(meta.get("versions")), "machine": _pairs(meta.get("machine")),
            "cases": run.cases, "methods": run.methods, "failures": [_failure(f) for f in failures]}


def traces(run: Run) -> dict | None:
    """The evaluation traces `diffbench run` stored for its small scalar cases (graph + tables)."""
    out = []
    for k, stored in enumerate(read_traces(run.path)):
        where = f" ({stored['params']})" if stored["params"] not in ("", "-") else ""
        caption = (f"Computational graph of {stored['case']}{where} at its point 0: one box per intermediate "
                   f"v_i with its operation, value and adjoint v̄_i (ȳ = 1); arrows are dependencies.")
        figure = Figure(_name("trace", k, stored["case"]), Markup(slim_svg(stored["svg"])), caption)
        out.append({"case": stored["case"], "figure": figure, "tables": [stored["forward"], stored["reverse"]]})
    return {"traces": out, "figures": [t["figure"] for t in out], "survey_case": SURVEY_TRACE_CASE} if out else None


def experiments(run: Run) -> dict | None:
    """Experiments stored by `diffbench run --experiments ...` (Jacobian crossover, Hutchinson, descent, ...)."""
    from diffbench.report.experiments import experiments_context
    return experiments_context(run, Figure, _name)


def _pairs(value) -> list[tuple]:
    if isinstance(value, dict):
        return list(value.items())
    return [] if value is None else [("", value)]


def _failure(f) -> dict:
    f = f if isinstance(f, dict) else {"message": f}
    return {k: ("" if pd.isna(f.get(k)) else f.get(k)) for k in ("case", "param", "method", "point", "status", "message")}


def _name(kind: str, index: int, label: str) -> str:
    """A safe, unique figure file name; the label is only a hint."""
    return f"{kind}_{index + 1:02d}_{re.sub(r'[^A-Za-z0-9]+', '-', str(label)).strip('-')[:40] or 'x'}"


@dataclass(frozen=True)
class Section:
    key: str    # anchor id, and the name of this section's macro in templates/sections.html.j2
    title: str
    build: Callable[[Run], dict | None]  # the macro's context; None when the run has no data for it


# Page order. To add a section: write build(run) -> dict | None here, a macro of the same key in
# templates/sections.html.j2 taking that dict, and append a Section below. Figures go in ctx["figures"].
SECTIONS: tuple[Section, ...] = (
    Section("overview", "The answer: every method over the whole run", overview),
    Section("survey", "The survey's results, reproduced", survey),
    Section("accuracy", "Accuracy", accuracy),
    Section("headline", "Per family", headline),
    Section("fd_sweep", "Finite differences: error vs step size", fd_sweep),
    Section("second_order", "Second derivatives: Hessians and HVPs", second_order_section),
    Section("ladder", "The precision ladder: error vs unit round-off", ladder),
    Section("swell", "Expression swell", swell),
    Section("runtime", "Runtime and cost", runtime),
    Section("reference", "Reference quality", reference),
    Section("traces", "Evaluation traces (the survey's Tables 2–3)", traces),
    Section("experiments", "Experiments", experiments),
    Section("details", "Run details", details),
)
