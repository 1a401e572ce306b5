"""The report's second-order section (digits per case x method for the hessian and hvp rows) and the first-order view."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from diffbench.methods import REGISTRY, SECOND_ORDER_METHODS
from diffbench.report.run import Run

ALL_ORDERS = ("second_order", "details")   # sections that see every row; the others see the gradient rows only


def first_order_view(run: Run) -> Run:
    """The run as the first-order sections read it: its gradient rows (the derivative column, empty in runs made
    before it existed, counts as gradient) and the timing rows of first-order methods."""
    tables = dict(run.tables)
    if not _has_second_order(run):
        return run
    for name in ("results", "fd_sweep"):
        table = tables[name]
        tables[name] = table[table["derivative"].fillna("gradient") == "gradient"]
    timing = tables["timing"]
    tables["timing"] = timing[~timing["method"].isin(SECOND_ORDER_METHODS)]
    return replace(run, tables=tables)


def view_for(key: str, run: Run, first_order: Run) -> Run:
    return run if key in ALL_ORDERS else first_order


def _has_second_order(run: Run) -> bool:
    derivative = run.results["derivative"]
    return bool(derivative.notna().any() and (derivative.dropna() != "gradient").any())


def second_order_section(run: Run) -> dict | None:
    """One table: worst correct digits over parameters and points per case x second-order method, beside the
    reference Hessian's route agreement; a cell without a score shows its status. None without such rows."""
    if not _has_second_order(run):
        return None
    rows = run.results[run.results["derivative"].isin(("hessian", "hvp"))]
    methods = [m for m in SECOND_ORDER_METHODS if m in set(rows["method"])]
    table = []
    for case in [c for c in run.cases if c in set(rows["case"])]:
        mine = rows[rows["case"] == case]
        cells = [_cell(mine[mine["method"] == m]) for m in methods]
        table.append({"case": case, "params": ", ".join(dict.fromkeys(mine["param"].dropna().astype(str))),
                      "ref_digits": _minimum(mine["ref_digits"]),
                      "route2": ", ".join(dict.fromkeys(mine["ref_route2"].dropna().astype(str))) or "–",
                      "cells": cells})
    return {"methods": [{"name": m, "derivative": REGISTRY[m].derivative} for m in methods], "rows": table,
            "direction_scheme": run.meta.get("hvp_direction_scheme", "")}


def _minimum(values: pd.Series) -> float:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.min()) if len(values) else float("nan")


def _cell(rows: pd.DataFrame) -> dict:
    if rows.empty:
        return {"kind": "none", "text": "–"}
    scored = rows[(rows["status"] == "ok") & rows["correct_digits"].notna()]
    if len(scored) == len(rows):
        return {"kind": "ok", "digits": _minimum(scored["correct_digits"])}
    statuses = rows.loc[rows["status"] != "ok", "status"].dropna().astype(str)
    return {"kind": "status", "text": ", ".join(dict.fromkeys(statuses)) or "not scored",
            "digits": _minimum(scored["correct_digits"])}
