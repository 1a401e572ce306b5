"""Fair costs across methods at one point: how many evaluations a one-off setup needs before it pays off."""
from __future__ import annotations

import math


def add_break_even(rows: list[dict]) -> None:
    """Set break_even_evals on every ok row with a setup: setup / (fastest setup-free time - own time).

    The comparison is the fastest method at the same case, parameter and point that needs no setup
    (setup_time_s 0): inf where the method is no faster per evaluation, so its setup never pays off.
    """
    free: dict = {}
    for row in rows:
        if row.get("status") == "ok" and row.get("setup_time_s") == 0 and _finite(row.get("eval_time_s")):
            key = (row["case"], row["param"], row["point"])
            free[key] = min(free.get(key, math.inf), row["eval_time_s"])
    for row in rows:
        setup, own = row.get("setup_time_s"), row.get("eval_time_s")
        if row.get("status") != "ok" or not _finite(setup) or setup <= 0 or not _finite(own):
            continue
        other = free.get((row["case"], row["param"], row["point"]))
        if other is None or not math.isfinite(other):
            continue
        saved = other - own
        row["break_even_evals"] = setup / saved if saved > 0 else math.inf


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
