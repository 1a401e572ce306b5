"""Pure reductions of record tables to the per-setting numbers the report shows."""
from __future__ import annotations

import numpy as np
import pandas as pd

FLOOR = 1e-17  # an error of exactly 0 is drawn at this floor on log axes
SETTING = ["case", "param", "method"]
FD_LIKE = ("complex_step", "richardson")  # finite-difference methods without the fd_ prefix
REPRESENTATIVE_PARAM = {"logistic": "n=4"}  # case -> param shown in its FD sweep; otherwise the middle size


def is_fd(method: str) -> bool:
    return method.startswith("fd_") or method in FD_LIKE


def ordered(values) -> list:
    """Distinct values in order of first appearance, missing ones dropped."""
    return list(dict.fromkeys(v for v in values if not pd.isna(v)))


def case_order(meta: dict, *tables: pd.DataFrame) -> list[str]:
    """Cases present in the tables: meta's order first, then order of first appearance."""
    present = [c for table in tables for c in ordered(table["case"])]
    return ordered([c for c in meta.get("cases") or [] if c in present] + present)


def params_by_size(df: pd.DataFrame) -> list[str]:
    """The params of df, smallest size first."""
    keys = df[["param", "sweep_value"]].drop_duplicates("param")
    keys = keys.sort_values(["sweep_value", "param"], na_position="last")
    return [p for p in keys["param"] if not pd.isna(p)]


def representative_param(df: pd.DataFrame, case: str) -> str | None:
    params = params_by_size(df.loc[df["case"] == case, ["param", "sweep_value"]])
    if not params:
        return None
    preferred = REPRESENTATIVE_PARAM.get(case)
    return preferred if preferred in params else params[(len(params) - 1) // 2]


def cells(results: pd.DataFrame) -> pd.DataFrame:
    """One row per case x param x method: worst point over ok points, medians of times, first non-ok status."""
    r = results.copy()
    r["ok"] = r["status"].eq("ok").fillna(False).astype(bool)
    for column in ["correct_digits", "rel_error", "max_rel_error", "eval_time_s", "func_time_s",
                   "cost_ratio", "setup_time_s", "shortfall_digits"]:
        r[column] = r[column].where(r["ok"])
    if "attainable_digits" not in r:
        r["attainable_digits"] = np.nan   # NB: runs from before the float64 floor columns
    r["bad_status"] = r["status"].where(~r["ok"])
    r["bad_message"] = r["message"].where(~r["ok"])
    out = r.groupby(SETTING, sort=False, dropna=False).agg(
        family=("family", "first"), sweep_value=("sweep_value", "first"),
        digits=("correct_digits", "min"), rel_error=("rel_error", "max"),
        max_rel_error=("max_rel_error", "max"), n_points=("ok", "size"), n_ok=("ok", "sum"),
        status=("bad_status", "first"), message=("bad_message", "first"),
        eval_time_s=("eval_time_s", "median"), func_time_s=("func_time_s", "median"),
        cost_ratio=("cost_ratio", "median"), setup_time_s=("setup_time_s", "median"),
        ref_digits=("ref_digits", "min"), ref_route2=("ref_route2", "first"),
        ref_flagged=("ref_flagged", "max"),
        shortfall=("shortfall_digits", "max"), attainable=("attainable_digits", "min"),
    ).reset_index()
    out["status"] = out["status"].where(out["n_ok"] < out["n_points"], "ok")
    return out


def comparison(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Cells of two runs side by side: digits and eval time of each, delta digits and time ratio B/A."""
    keep = SETTING + ["sweep_value", "digits", "status", "message", "eval_time_s", "attainable"]
    both = a[keep].merge(b[keep], on=["case", "param", "method"], how="outer", suffixes=("_a", "_b"))
    both["sweep_value"] = both["sweep_value_a"].fillna(both["sweep_value_b"])
    both["delta"] = both["digits_b"] - both["digits_a"]
    both["ratio"] = both["eval_time_s_b"] / both["eval_time_s_a"]
    for column in ("case", "method"):
        order = ordered(list(a[column]) + list(b[column]))
        both[f"{column}_rank"] = both[column].map({v: i for i, v in enumerate(order)})
    return both.sort_values(["case_rank", "sweep_value", "param", "method_rank"]).reset_index(drop=True)


def clip_error(errors) -> np.ndarray:
    return np.maximum(np.asarray(errors, dtype=float), FLOOR)
