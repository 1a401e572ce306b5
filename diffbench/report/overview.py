"""The whole run at a glance: a method x property matrix and a few takeaway sentences, all from the run's rows."""
from __future__ import annotations

import pandas as pd

from diffbench.report.fmt import seconds
from diffbench.report.headline import SPEED_MARGIN, judged_rows, method_scores
from diffbench.report.run import Run
from diffbench.verdict import AT_FLOOR_DIGITS, LIMITS

# method -> the swell representation that is its derivative's expression (the others have none)
SWELL_OF = {"sympy": "sympy_tree", "tape_reverse": "tape_trace", "tape_forward": "tape_trace"}
STATUS_WORDS = {"timeout": "timed out", "not_applicable": "not applicable", "skipped": "skipped",
                "failed": "failed", "domain_error": "domain error", "inaccurate": "NaN/inf"}


def method_rows(run: Run) -> list[dict]:
    """Per method over the whole run: typical and worst digits, shortfall, where it fails, cost, swell law."""
    results = run.results
    scores = method_scores(results).set_index("method")
    judged = judged_rows(results)
    n_settings = results[["case", "param"]].drop_duplicates().shape[0]
    rows = []
    for method in run.methods:
        if method not in scores.index:
            continue
        score, mine = scores.loc[method], results[results["method"] == method]
        ok = judged[judged["method"] == method]
        worst = ok.loc[ok["clipped"].idxmin()] if len(ok) else None
        rows.append({
            "method": method, "typical": score["median_digits"], "shortfall": score["median"],
            "worst": None if worst is None else float(worst["clipped"]),
            "worst_where": "" if worst is None else _where(worst),
            "worst_limit": "" if worst is None or pd.isna(worst.get("limit")) else str(worst["limit"]),
            **_fails(mine, ok, n_settings),
            "cost": _median(mine, "cost_ratio"), "setup": _median(mine, "setup_time_s"),
            "break_even": _median(mine, "break_even_evals"), "swell": _swell_law(run, method)})
    return rows


def _where(row) -> str:
    point = int(row["point"]) if pd.notna(row["point"]) else "–"
    return f"{row['case']} {row['param']} point {point}".replace("  ", " ")


def _median(rows: pd.DataFrame, column: str):
    values = rows.loc[rows["status"].eq("ok").fillna(False), column].dropna() if column in rows else pd.Series()
    return float(values.median()) if len(values) else None


def _fails(mine: pd.DataFrame, ok: pd.DataFrame, n_settings: int) -> dict:
    """Where a method gives no result (by status) and where it falls short (by the limit that bit)."""
    parts, counts, short_text = [], [], ""
    bad = mine[~mine["status"].eq("ok").fillna(False)]
    for status, rows in bad.groupby("status", sort=False):
        settings = rows[["case", "param"]].drop_duplicates().shape[0]
        parts.append(f"{STATUS_WORDS.get(status, status)} in {settings} of {n_settings} settings")
        counts.append(f"{STATUS_WORDS.get(status, status)} {settings}")
    short = ok[ok["shortfall"] >= AT_FLOOR_DIGITS]
    if len(short) and "limit" in short:
        limits = short["limit"].dropna().value_counts()
        if len(limits):
            short_text = "short: " + ", ".join(f"{limit} ({count} point{'s' * int(count != 1)})"
                                               for limit, count in limits.items())
    # NB: settings as (case, param) tuples, not a merge: the report's tables have no missing case or param
    no_result = set(zip(bad["case"], bad["param"])) - set(zip(ok["case"], ok["param"]))
    return {"no_result": "; ".join(parts), "no_result_short": ", ".join(counts), "short": short_text,
            "missing": len(no_result)}


def _swell_law(run: Run, method: str) -> str:
    """How the method's derivative expression grows with the case's size, counted over the fitted cases."""
    fits = run.tables.get("swell_fits")
    representation = SWELL_OF.get(method)
    if representation is None or fits is None or fits.empty:
        return ""
    mine = fits[(fits["representation"] == representation) & (fits["measure"] == "nodes")]
    laws = mine["law"].dropna().value_counts()
    return ", ".join(f"{law} in {count}" for law, count in laws.items()) + \
        f" of {len(mine)} case{'s' * (len(mine) != 1)}" if len(laws) else ""


def takeaways(rows: list[dict], n_settings: int) -> list[str]:
    """Three to five sentences from the matrix: who ties at the floor, who falls short, who gives no result,
    who is cheapest, and the worst point of the run."""
    scored = [r for r in rows if pd.notna(r["shortfall"])]
    at_floor = [r for r in scored if r["shortfall"] < AT_FLOOR_DIGITS]
    below = sorted((r for r in scored if r["shortfall"] >= AT_FLOOR_DIGITS), key=lambda r: r["shortfall"])
    out = []
    if at_floor:
        low, high = min(r["typical"] for r in at_floor), max(r["typical"] for r in at_floor)
        span = f"{low:.1f}" if abs(high - low) < 0.05 else f"{low:.1f}–{high:.1f}"
        tie = "a tie" if len(at_floor) > 1 else "alone"
        names = [r["method"] + (f" (where it gave a result: {n_settings - r['missing']} of {n_settings})"
                                if r["missing"] > n_settings / 4 else "") for r in at_floor]
        out.append(f"{_names(names)} reach{'es' * (len(at_floor) == 1)} the float64 "
                   f"floor at the median setting (less than {AT_FLOOR_DIGITS:g} digit short over {n_settings} "
                   f"settings), {tie}: typically {span} correct digits.")
    if below:
        out.append("Below the floor: " + "; ".join(
            f"{r['method']} typically {r['typical']:.1f} digits ({r['shortfall']:.1f} short)" for r in below) + ".")
    missing = [r for r in rows if r["no_result"]]
    if missing:
        out.append("No result (not counted as 0 digits), in settings of " + str(n_settings) + ": " + "; ".join(
            f"{r['method']} {r['missing']} ({r['no_result_short']})" for r in missing) + ".")
    costed = sorted((r for r in rows if r["cost"] is not None), key=lambda r: r["cost"])
    if len(costed) >= 2:
        first, second = costed[0], costed[1]
        close = second["cost"] < SPEED_MARGIN * first["cost"]
        lead = f"{first['method']} and {second['method']} tie" if close else f"{first['method']} is cheapest"
        out.append(f"Against f evaluated its own way, {lead} per derivative: median cost ratio "
                   f"{first['cost']:.3g}× ({first['method']}), {second['cost']:.3g}× ({second['method']})"
                   + (f"; {first['method']}'s one-off setup {seconds(first['setup'])}" if first['setup'] else "")
                   + ".")
    worst = min((r for r in scored if r["worst"] is not None), key=lambda r: r["worst"], default=None)
    if worst is not None:
        limit = f" (limit: {worst['worst_limit']})" if worst["worst_limit"] else ""
        out.append(f"The fewest digits of the run: {worst['method']} with {worst['worst']:.1f} at "
                   f"{worst['worst_where']}{limit}.")
    return out


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def overview(run: Run) -> dict | None:
    if run.results.empty:
        return None
    rows = method_rows(run)
    n_settings = run.results[["case", "param"]].drop_duplicates().shape[0]
    return {"rows": rows, "sentences": takeaways(rows, n_settings), "n_settings": n_settings,
            "n_cases": len(run.cases), "limits": LIMITS}
