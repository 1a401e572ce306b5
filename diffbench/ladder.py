"""The precision ladder: how each method's best error scales with the unit round-off u, against theory."""
from __future__ import annotations

import math

from diffbench.precision import PRECISIONS

LOW, HIGH = "float32", "float64"     # the two rungs (precision_ladder.csv: u32, u64, err32, err64)
FD_SCHEMES = ("fd_forward", "fd_backward", "fd_central", "fd_central4")

# The slope of log(best error) against log(u). A difference of order p with derivative d at its best step
# balances C h^p against R u / h^d: error ~ u^(p / (p + d)). Complex step, AD, symbolic and the hand-derived
# formula have no subtraction to balance: their error is a few u times the conditioning, slope 1.
# NB: Richardson climbs extrapolation levels j (order 2j + 2, best error ~ u^((2j+2)/(2j+3))) until its error
# estimate meets the rounding noise; its slope tends to 1 from below as the level rises, and 1 is listed.
THEORY_SLOPES: dict[str, float] = {
    "fd_forward": 1 / 2, "fd_backward": 1 / 2, "fd_central": 2 / 3, "fd_central4": 4 / 5,
    "complex_step": 1.0, "richardson": 1.0,
    "tape_reverse": 1.0, "tape_forward": 1.0, "torch": 1.0, "sympy": 1.0, "analytic": 1.0,
}


def best_error(row: dict) -> tuple[float, str]:
    """(error, what it is) of one results row: an FD scheme's fitted optimum (opt_error of the sweep's error
    model, diffbench/fd_model.py; the sweep's smallest error where no model fits), else the error at the
    method's own rule."""
    if row.get("method") in FD_SCHEMES:
        if _finite(row.get("opt_error")):
            return float(row["opt_error"]), "fitted optimum"
        if _finite(row.get("best_error")):
            return float(row["best_error"]), "sweep minimum"
        return math.nan, "no sweep"
    return (float(row["rel_error"]), "at its rule") if _finite(row.get("rel_error")) else (math.nan, "no error")


def slope(err_low: float, err_high: float, u_low: float, u_high: float) -> float:
    """Δlog(error) / Δlog(u); nan where an error is missing or exactly zero (no power law to read)."""
    if not (err_low > 0 and err_high > 0):
        return math.nan
    return (math.log(err_low) - math.log(err_high)) / (math.log(u_low) - math.log(u_high))


def ladder_rows(results: list[dict]) -> list[dict]:
    """precision_ladder.csv (schema: records.PRECISION_LADDER_COLUMNS): one row per case x parameter x point x
    method scored ok in both float32 and float64."""
    found: dict = {}
    for row in results:
        if row.get("status") == "ok" and row.get("precision") in (LOW, HIGH):
            key = (row["case"], row["param"], row["point"], row["method"])
            found.setdefault(key, {})[row["precision"]] = row
    u_low, u_high = PRECISIONS[LOW].unit_roundoff, PRECISIONS[HIGH].unit_roundoff
    rows = []
    for (case, param, point, method), pair in found.items():
        if len(pair) < 2:
            continue
        (err_low, measure_low), (err_high, measure_high) = best_error(pair[LOW]), best_error(pair[HIGH])
        measure = measure_low if measure_low == measure_high else f"{measure_low} / {measure_high}"
        rows.append({"case": case, "family": pair[HIGH].get("family"), "param": param, "point": point,
                     "method": method, "u32": u_low, "u64": u_high, "err32": err_low, "err64": err_high,
                     "error_measure": measure, "slope": slope(err_low, err_high, u_low, u_high),
                     "theory_slope": THEORY_SLOPES.get(method, math.nan)})
    return rows


def _finite(value) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
