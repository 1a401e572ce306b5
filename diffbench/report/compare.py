"""Two runs side by side: what differs in their configuration, and accuracy differences beyond round-off."""
from __future__ import annotations

import pandas as pd

from diffbench.report.aggregate import comparison
from diffbench.report.run import Run
from diffbench.verdict import AT_FLOOR_DIGITS, FULL_FLOOR_DIGITS

NOISE_DIGITS = 1.0   # a difference of digits counts only beyond this, and only where one run is below its floor
CONFIGURATION = (("mode", "mode"), ("seed", "seed"), ("methods", "methods"), ("cases", "cases"),
                 ("precision_dps", "reference digits"), ("time_budget_s", "time budget (s)"))


def configuration_differences(a: dict, b: dict) -> list[str]:
    """One sentence per setting (mode, seed, methods, cases, budgets, versions) that differs between the runs."""
    lines = []
    for key, label in CONFIGURATION:
        left, right = a.get(key), b.get(key)
        if left == right:
            continue
        if isinstance(left, list) and isinstance(right, list):
            only_a, only_b = [v for v in left if v not in right], [v for v in right if v not in left]
            detail = "; ".join(filter(None, (f"only in A: {', '.join(map(str, only_a))}" if only_a else "",
                                             f"only in B: {', '.join(map(str, only_b))}" if only_b else "")))
            lines.append(f"{label} differ ({detail or 'same items, another order'})")
        else:
            lines.append(f"{label} differs: A {_shown(left)}, B {_shown(right)}")
    versions_a, versions_b = a.get("versions") or {}, b.get("versions") or {}
    if isinstance(versions_a, dict) and isinstance(versions_b, dict):
        changed = [f"{k} {versions_a.get(k, '–')} vs {versions_b.get(k, '–')}"
                   for k in sorted(set(versions_a) | set(versions_b)) if versions_a.get(k) != versions_b.get(k)]
        if changed:
            lines.append("versions differ: " + ", ".join(changed))
    return lines


def _shown(value) -> str:
    return "(not recorded)" if value is None else str(value)


def beyond_noise(rows: pd.DataFrame) -> pd.Series:
    """+1 where B is more accurate beyond round-off, -1 where less, 0 otherwise (within the floor: "same").

    A difference counts when it exceeds NOISE_DIGITS and the less accurate run is more than AT_FLOOR_DIGITS
    below that setting's float64 floor (attainable digits; 15.95 where a run stored none)."""
    floor = rows["attainable_a"].fillna(rows["attainable_b"]).fillna(FULL_FLOOR_DIGITS)
    low = rows[["digits_a", "digits_b"]].clip(lower=0).min(axis=1)
    delta = rows["digits_b"].clip(lower=0) - rows["digits_a"].clip(lower=0)
    real = delta.abs().gt(NOISE_DIGITS) & low.lt(floor - AT_FLOOR_DIGITS)
    return (delta.gt(0).astype(int) - delta.lt(0).astype(int)).where(real, 0)


def compare_context(a: Run, b: Run) -> dict:
    """The comparison page's context: both configurations, their differences, the rows and the counts."""
    rows = comparison(a.cells, b.cells)
    rows["verdict"] = beyond_noise(rows)
    compared, ratio = rows["delta"].notna(), rows["ratio"].dropna()
    summary = {"better": int((rows["verdict"] > 0).sum()), "worse": int((rows["verdict"] < 0).sum()),
               "compared": int(compared.sum()), "noise": NOISE_DIGITS,
               "median_ratio": float(ratio.median()) if len(ratio) else None, "timed": len(ratio)}
    runs = [{"label": label, "path": str(r.path), "meta": r.meta} for label, r in (("A", a), ("B", b))]
    return {"runs": runs, "rows": [_row(r) for r in rows.to_dict("records")], "summary": summary,
            "differences": configuration_differences(a.meta, b.meta)}


def _row(r: dict) -> dict:
    sides = []
    for side in ("a", "b"):
        digits, status, message = r[f"digits_{side}"], r[f"status_{side}"], r[f"message_{side}"]
        shown = _number(digits)
        label = None if shown is not None else ("–" if pd.isna(status) else str(status))
        sides.append({"digits": shown, "label": label, "title": "" if pd.isna(message) else str(message)})
    return {"case": r["case"], "param": r["param"], "method": r["method"], "sides": sides,
            "delta": _number(r["delta"]), "verdict": int(r["verdict"]), "ratio": _number(r["ratio"]),
            "times": [_number(r["eval_time_s_a"]), _number(r["eval_time_s_b"])]}


def _number(x) -> float | None:
    return None if pd.isna(x) else float(x)
