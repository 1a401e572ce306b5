"""The report's sections: an explicit registry of (key, title, context builder)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import matplotlib as mpl
import pandas as pd
from markupsafe import Markup

from diffbench.report import figures, swell_tables
from diffbench.report.aggregate import REPRESENTATIVE_PARAM, is_fd, params_by_size, representative_param
from diffbench.report.fmt import sci, short
from diffbench.report.headline import headlines
from diffbench.report.run import Run
from diffbench.trace import read_traces

HEAT = mpl.colors.LinearSegmentedColormap.from_list(
    "digits", [(0, "#e58a7f"), (6 / 16, "#f5d38f"), (10 / 16, "#eef2d8"), (13 / 16, "#b3d9cc"), (1, "#86bcd6")])
BAD_STATUSES = ("failed", "timeout", "domain_error")  # shown as failures in the run details


@dataclass
class Figure:
    name: str       # file name under figures/, without .svg
    svg: Markup     # inline SVG from matplotlib, which escapes its text (a Future of it until the page is built)
    caption: str
    number: int = 0  # assigned in page order when the report is assembled


def headline(run: Run) -> dict | None:
    cells = run.cells.sort_values("case", key=lambda c: c.map({k: i for i, k in enumerate(run.cases)}), kind="stable")
    return {"families": headlines(cells, run.results)} if not cells.empty else None


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
        return {"kind": "bad", "status": cell.status, "short": short(cell.message, 40),
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
    return mpl.colors.to_hex(HEAT(min(max(digits, 0.0), 16.0) / 16.0))


def fd_sweep(run: Run) -> dict | None:
    sweep, results = run.tables["fd_sweep"], run.results
    ok = results["status"].eq("ok").fillna(False)
    out = []
    for case in [c for c in run.cases if (sweep["case"] == c).any()]:
        rows, param, point, direction = _canonical_sweep(sweep[sweep["case"] == case], case)
        if rows["rel_error"].notna().sum() == 0:
            continue
        at = results[ok & (results["case"] == case) & (results["param"] == param) & (results["point"] == point)]
        refs = [(m, e) for m, e in zip(at["method"], at["rel_error"]) if not is_fd(m) and pd.notna(e)]
        name = _name("fd_sweep", len(out), case)
        title = f"{case} · {param} · point {point} · direction {direction}"
        caption = f"Finite-difference error vs step size for {case} ({param}, point {point}, direction {direction})."
        out.append(Figure(name, run.draw(figures.fd_sweep, name, title, rows, refs), caption))
        if case in REPRESENTATIVE_PARAM and rows["abs_error"].notna().any():    # the survey's Figure 3: absolute
            scale = float((rows["abs_error"] / rows["rel_error"]).dropna().median())
            name = _name("fd_sweep_abs", len(out), case)
            out.append(Figure(name, run.draw(figures.fd_sweep, name, title, rows, [(m, e * scale) for m, e in refs],
                                             "abs_error"), caption.replace("error", "absolute error", 1)))
    return {"figures": out} if out else None


def _canonical_sweep(rows: pd.DataFrame, case: str) -> tuple[pd.DataFrame, str, object, str]:
    """A case's sweep at its representative param, point 0 (else the first) and the full direction (else any)."""
    param = representative_param(rows, case)
    rows = rows[rows["param"] == param]
    point = 0 if (rows["point"] == 0).any() else rows["point"].min()
    if pd.isna(point):
        point = "–"
    else:
        rows = rows[rows["point"] == point]
    directions = list(rows["direction"].dropna().unique())
    direction = "full" if "full" in directions else (directions[0] if directions else "–")
    return (rows[rows["direction"] == direction] if directions else rows), param, point, direction


def swell(run: Run) -> dict | None:
    table = run.tables["swell"].dropna(subset=["nodes"])
    if table.empty:
        return None
    colours = {**figures.palette(r for r in table["representation"] if r != "function"), "function": "#444444"}
    table = table.sort_values(["size", "param"], na_position="last", kind="stable")
    out = []
    for family, rows in table.groupby(table["family"].fillna("(no family)"), sort=False):
        name = _name("swell", len(out), family)
        representations = ", ".join(rows["representation"].unique())
        caption = f"Expression swell in family {family}: size of the derivative vs the case parameter " \
                  f"(log scale), one line per representation ({representations})."
        out.append(Figure(name, run.draw(figures.swell, name, family, rows, colours), caption))
    return {"figures": out, **swell_tables.swell_extras(run)}


def runtime(run: Run) -> dict | None:
    cells = run.cells.sort_values(["size", "param"], na_position="last", kind="stable")
    timed = cells[cells[["eval_time_s", "cost_ratio", "setup_time_s"]].notna().any(axis=1)]
    colours = figures.palette(run.methods)
    out = []
    # NB: a runtime-vs-size plot needs at least two sizes; single-size cases are in the phase table below
    swept = [c for c in run.cases if timed.loc[timed["case"] == c, "size"].dropna().nunique() >= 2]
    for case in swept:
        name = _name("runtime", len(out), case)
        caption = f"Runtime for {case}: median over points of each method's time per derivative evaluation, " \
                  f"its cost ratio to one function evaluation, and its one-off setup time, vs problem size."
        out.append(Figure(name, run.draw(figures.runtime, name, case, timed[timed["case"] == case], colours), caption))
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
        size=("size", "first"), digits=("ref_digits", "min"), route2=("ref_route2", "first"),
        flagged=("ref_flagged", "max"), points=("point", "nunique")).reset_index()
    rows = []
    for case in run.cases:
        group = grouped[grouped["case"] == case].sort_values(["size", "param"], na_position="last")
        rows += [dict(r._asdict(), flagged=bool(pd.notna(r.flagged) and r.flagged)) for r in group.itertuples()]
    return {"rows": rows, "required": run.meta.get("ref_required_digits"),
            "n_flagged": sum(r["flagged"] for r in rows)}


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
        figure = Figure(_name("trace", k, stored["case"]), Markup(stored["svg"]), caption)
        out.append({"case": stored["case"], "figure": figure, "tables": [stored["forward"], stored["reverse"]]})
    return {"traces": out, "figures": [t["figure"] for t in out]} if out else None


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
    Section("headline", "Headline", headline),
    Section("accuracy", "Accuracy", accuracy),
    Section("fd_sweep", "Finite differences: error vs step size", fd_sweep),
    Section("swell", "Expression swell", swell),
    Section("survey_table1", "Survey Table 1: the logistic map, reproduced", swell_tables.table1),
    Section("runtime", "Runtime and cost", runtime),
    Section("reference", "Reference quality", reference),
    Section("traces", "Evaluation traces", traces),
    Section("experiments", "Experiments", experiments),
    Section("details", "Run details", details),
)
