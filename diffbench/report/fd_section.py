"""The finite-difference parts of the report: a small-multiples grid per family, kink points, the survey's Figure 3."""
from __future__ import annotations

import pandas as pd

from diffbench.report import grids
from diffbench.report.aggregate import FLOOR, is_fd, representative_param
from diffbench.report.overview import STATUS_WORDS
from diffbench.report.run import Run

FIGURE3_CASE, FIGURE3_PARAM, FIGURE3_POINT = "logistic", "n=4", 0   # l_4 at x = 0.2, point 0 of the case
VERDICT_WORDS = {"one-sided derivative": "one side", "valid subgradient": "subgradient", "outside": "OUTSIDE"}


def canonical_sweep(sweep: pd.DataFrame, case: str) -> tuple[pd.DataFrame, str, object]:
    """A case's sweep at its representative param and point 0 (else its first point with a sweep), full direction."""
    param = representative_param(sweep, case)
    # NB: one mask, narrowed column by column, and one copy of the rows at the end (a sweep has many columns)
    chosen = sweep["param"] == param
    points = sweep["point"][chosen]
    point = 0 if (points == 0).any() else points.min()
    if pd.notna(point):
        chosen &= sweep["point"] == point
    directions = list(sweep["direction"][chosen].dropna().unique())
    if directions:
        chosen &= sweep["direction"] == ("full" if "full" in directions else directions[0])
    return sweep[chosen], param, point


def _best_other(at: pd.DataFrame | None) -> tuple[str, float] | None:
    """The most accurate method that is not a finite difference at a point (ties named together), from the ok
    rows there of methods that are not finite differences."""
    if at is None or at.empty:
        return None
    best = max(float(at["rel_error"].min()), FLOOR)
    tied = at.loc[at["rel_error"].clip(lower=FLOOR) <= 2 * best, "method"]
    return ", ".join(tied), float(at["rel_error"].min())


def fd_sweep(run: Run, figure_type, name) -> dict | None:
    sweep, results = run.tables["fd_sweep"], run.results
    if sweep.empty or sweep["rel_error"].notna().sum() == 0:
        return None
    figures, exact = [], []
    by_case = dict(tuple(sweep.groupby("case", sort=False)))
    ok = results[results["status"].eq("ok").fillna(False)]
    ok = ok[~ok["method"].map(is_fd) & ok["rel_error"].notna()]
    others = dict(tuple(ok.groupby(["case", "param", "point"], sort=False)))   # the best non-FD method's rows
    for family, cases in sweep.groupby("family", sort=False)["case"]:
        panels = []
        present = set(cases)
        for case in [c for c in run.cases if c in present]:
            rows, param, point = canonical_sweep(by_case[case], case)
            if rows["rel_error"].dropna().le(FLOOR).all():
                exact.append(f"{case} ({param})")   # NB: every step exact: a plot of it would be empty
                continue
            where = " · ".join(str(x) for x in (case, param, f"point {point}") if x not in ("", "-", None))
            panels.append({"label": where, "sweep": rows,
                           "best": _best_other(others.get((case, param, point)))})
        if not panels:
            continue
        file_name = name("fd_sweep", len(figures), family)
        caption = (f"Family {family}: error of each finite-difference scheme vs step size h, one panel per case "
                   f"({', '.join(p['label'].split(' · ')[0] for p in panels)}), shared axes.")
        figures.append(figure_type(file_name, run.draw(grids.fd_grid, file_name, f"family {family}", panels),
                                   caption))
    kinks = kink_rows(run)
    return {"figures": figures, "exact": exact, "kinks": kinks, "methods": _kink_methods(run)} \
        if figures or kinks else None


def _kink_methods(run: Run) -> list[str]:
    at = run.results[run.results["kink"].fillna(False).astype(bool)] if "kink" in run.results else run.results[:0]
    return [m for m in run.methods if (at["method"] == m).any()]


def kink_rows(run: Run) -> list[dict]:
    """Points at a kink, where no derivative exists: what each method gave, against the one-sided limits."""
    results = run.results
    if "kink" not in results:
        return []
    at = results[results["kink"].fillna(False).astype(bool)]
    rows = []
    for (case, param, point), group in at.groupby(["case", "param", "point"], sort=False):
        by_method = {r["method"]: r for r in group.to_dict("records")}
        cells = []
        for method in _kink_methods(run):
            r = by_method.get(method)
            if r is None:
                cells.append({"text": "·", "title": ""})
            elif pd.isna(r.get("kink_verdict")):
                cells.append({"text": STATUS_WORDS.get(r["status"], str(r["status"])),
                              "title": f"{r['status']}: {r.get('message') or ''}"})
            else:
                distance = r.get("kink_distance")
                title = r["kink_verdict"] + (f"; {distance:.2g} outside the limits (relative)"
                                             if pd.notna(distance) and distance > 0 else "")
                cells.append({"text": VERDICT_WORDS.get(r["kink_verdict"], r["kink_verdict"]), "title": title})
        entries = group["kink_entries"].dropna()
        rows.append({"case": case, "param": param, "point": point, "cells": cells,
                     "entries": int(entries.iloc[0]) if len(entries) else None})
    return rows


def figure3(run: Run, figure_type, name) -> dict | None:
    """Baydin et al. (2018), Figure 3 analogue: forward and central absolute error vs h for l_4 at x = 0.2."""
    sweep = run.tables["fd_sweep"]
    rows = sweep[(sweep["case"] == FIGURE3_CASE) & (sweep["param"] == FIGURE3_PARAM)
                 & (sweep["point"] == FIGURE3_POINT) & sweep["scheme"].isin(("forward", "central"))]
    if "direction" in rows and (rows["direction"] == "full").any():
        rows = rows[rows["direction"] == "full"]
    if rows["abs_error"].notna().sum() == 0:
        return None
    file_name = name("survey_figure3", 0, FIGURE3_CASE)
    label = f"l₄ of the logistic map at x = 0.2 ({FIGURE3_CASE} {FIGURE3_PARAM}, point {FIGURE3_POINT})"
    caption = ("The survey's Figure 3 (Baydin et al. 2018), as this run measured it: absolute error of the forward "
               "and central differences of l₄′(0.2) against the step h, log-log; ★ the optimum of the error model "
               "C hᵖ + R/h fitted to each curve, which one lucky rounding does not move.")
    return {"figure": figure_type(file_name, run.draw(grids.figure3, file_name, rows, label), caption)}
