"""Headline sentences per case family: who reaches the float64 floor (ties as ties), who is fastest, and why."""
from __future__ import annotations

import math

import pandas as pd

from diffbench.report.fmt import seconds
from diffbench.verdict import AT_FLOOR_DIGITS, CANCELLATION_DIGITS, CONDITIONED_BELOW, FULL_FLOOR_DIGITS

WIN_MARGIN_DIGITS = 0.5   # a method wins on accuracy only by at least this much median shortfall
SPEED_MARGIN = 1.2        # ... and on speed only by at least this factor in a setting
STABLE_SUFFIX = "_stable"  # NB: a case named <case>_stable is read as the rewritten, stable form of <case>


def judged_rows(results: pd.DataFrame) -> pd.DataFrame:
    """ok rows with clipped digits and shortfall (against 15.95 digits where a run stored no floor)."""
    ok = results[results["status"].eq("ok").fillna(False) & results["correct_digits"].notna()].copy()
    ok["clipped"] = ok["correct_digits"].clip(lower=0.0)
    floor = ok["attainable_digits"] if "attainable_digits" in ok else pd.Series(math.nan, index=ok.index)
    floor = floor.astype(float).fillna(FULL_FLOOR_DIGITS)
    stored = ok["shortfall_digits"] if "shortfall_digits" in ok else pd.Series(math.nan, index=ok.index)
    ok["shortfall"] = stored.astype(float).fillna((floor - ok["clipped"]).clip(lower=0.0))
    return ok


def _where(row) -> str:
    return f"{row['case']} {row['param']} point {int(row['point']) if pd.notna(row['point']) else '–'}"


def method_scores(family_results: pd.DataFrame) -> pd.DataFrame:
    """Per method: median over settings of its worst-point shortfall, the worst row, settings without result."""
    n_settings = len(family_results[["case", "param"]].drop_duplicates())
    ok = judged_rows(family_results)
    by_setting = ok.groupby(["method", "case", "param"], sort=False)
    worst_per_setting = ok.loc[by_setting["shortfall"].idxmax()]
    per_method = worst_per_setting.groupby("method", sort=False)["shortfall"]
    medians, counts, worst_at = per_method.median(), per_method.size(), per_method.idxmax()
    median_digits = by_setting["clipped"].min().groupby(level="method", sort=False).median()
    rows = []
    for method in pd.unique(family_results["method"]):
        if method not in counts.index:
            rows.append({"method": method, "median": math.nan, "worst": math.nan, "evidence": "", "limit": "",
                         "missing": n_settings, "median_digits": math.nan})
            continue
        worst = worst_per_setting.loc[worst_at[method]]
        rows.append({"method": method, "median": float(medians[method]),
                     "worst": float(worst["shortfall"]), "evidence": _where(worst),
                     "limit": worst.get("limit") if pd.notna(worst.get("limit")) else "",
                     "missing": n_settings - int(counts[method]),
                     "median_digits": float(median_digits[method])})
    return pd.DataFrame(rows).sort_values(["median", "worst", "method"], na_position="last", kind="stable")


def accuracy_sentence(family_results: pd.DataFrame) -> tuple[str, str]:
    """(who, rest of sentence): the winner by median shortfall, or the tie, with the worst case as evidence."""
    scores = method_scores(family_results)
    scored = scores[scores["median"].notna()]
    n_settings = family_results[["case", "param"]].drop_duplicates().shape[0]
    plural = "s" * (n_settings != 1)
    if scored.empty:
        return "no method", f"gave a scored result in any of {n_settings} setting{plural}."
    best = scored.iloc[0]
    if best["median"] < AT_FLOOR_DIGITS:
        group = scored[scored["median"] < AT_FLOOR_DIGITS]
        claim = (f"reach{'es' * (len(group) == 1)} the float64 floor: within {AT_FLOOR_DIGITS:g} digit of what "
                 f"float64 allows at the median setting")
    else:
        group = scored[scored["median"] < best["median"] + WIN_MARGIN_DIGITS]
        claim = f"fall{'s' * (len(group) == 1)} least short of the float64 floor"
    who = ", ".join(group["method"]) + (" tie" if len(group) > 1 else "")
    parts = [f"{m['method']} {m['median']:.1f} (worst {m['worst']:.1f} at {m['evidence']}"
             f"{': ' + m['limit'] if m['limit'] else ''})" for _, m in group.iterrows()]
    text = f"{claim}; median shortfall over {n_settings} setting{plural}, digits short at the worst point: " \
           f"{'; '.join(parts)}"
    missing = scores[scores["missing"] > 0]
    if len(missing):
        text += "; no result (not counted as 0 digits): " + ", ".join(
            f"{m['method']} in {m['missing']} of {n_settings}" for _, m in missing.iterrows())
    return who, text + "."


def _not_finite(flag) -> bool:
    """f_finite is False (not missing: a run without the column, or a row without a reference)."""
    return flag is not None and not pd.isna(flag) and not bool(flag)


def floor_notes(family_results: pd.DataFrame, all_results: pd.DataFrame) -> list[str]:
    """Sentences where the point, not the method, sets the limit: cancellation in f, conditioning, domain edges."""
    ok = judged_rows(family_results)
    notes = []
    for case, rows in ok.groupby("case", sort=False):
        attainable = rows["attainable_digits"].astype(float) if "attainable_digits" in rows else None
        f_digits = rows["f_digits"].astype(float) if "f_digits" in rows else None
        if attainable is None or f_digits is None or attainable.isna().all():
            continue
        poor = rows[f_digits < attainable - CANCELLATION_DIGITS]
        if len(poor):
            at = poor.loc[poor["f_digits"].idxmin()]
            kept = ("overflows to inf or NaN" if _not_finite(at.get("f_finite"))
                    else f"keeps only {at['f_digits']:.1f} digits")
            note = (f"{case}: the float64 code of f itself {kept} ({_where(at)}); "
                    f"no method that evaluates this code can do better, the cure is to rewrite f")
            stable = all_results[(all_results["case"] == case + STABLE_SUFFIX)]
            stable = judged_rows(stable) if len(stable) else stable
            if len(stable):
                worst_by_method = stable.groupby("method")["clipped"].min().sort_values(ascending=False)
                note += (f"; its stable form {case + STABLE_SUFFIX} gives {worst_by_method.index[0]} "
                         f"{worst_by_method.iloc[0]:.1f} digits at its worst point")
            notes.append(note + ".")
        conditioned = rows[attainable < CONDITIONED_BELOW]
        if len(conditioned):
            at = conditioned.loc[conditioned["attainable_digits"].idxmin()]
            reach = sorted(set(conditioned.loc[conditioned["shortfall"] < AT_FLOOR_DIGITS, "method"]))
            notes.append(f"{case}: rounding the inputs to float64 allows only {at['attainable_digits']:.1f} digits "
                         f"({_where(at)}, conditioning)" + (f"; {', '.join(reach)} reach that" if reach else "") + ".")
    if "limit" in family_results:
        edge = family_results[family_results["limit"] == "domain"]
        for method, rows in edge.groupby("method", sort=False):
            cases = ", ".join(pd.unique(rows["case"]))
            fallback = rows["status"].eq("ok").any()
            notes.append(f"{method}: the stencil left the domain at {cases}"
                         + ("; one-sided steps that stay inside were used." if fallback else "; no step stayed inside."))
    return notes


def speed_sentence(cells: pd.DataFrame, family_results: pd.DataFrame | None = None) -> tuple[str, str] | None:
    """(winner, rest): fastest per evaluation by a margin in the most settings; fair cost ratio and break-even."""
    timed = cells[(cells["n_ok"] > 0) & cells["eval_time_s"].notna()]
    if timed.empty:
        return None
    # NB: plain tuples per setting, not a frame per setting: a family has up to some hundred settings
    settings_times: dict = {}
    for case, param, method, time_s in zip(timed["case"], timed["param"], timed["method"], timed["eval_time_s"]):
        if not (pd.isna(case) or pd.isna(param)):   # as groupby, which drops a missing key
            settings_times.setdefault((case, param), []).append((time_s, method))
    wins: dict = {}
    ties = 0
    for setting in settings_times.values():
        ordered_times = sorted(setting, key=lambda pair: pair[0])
        if len(ordered_times) > 1 and ordered_times[1][0] < SPEED_MARGIN * ordered_times[0][0]:
            ties += 1
            continue
        method = ordered_times[0][1]
        wins[method] = wins.get(method, 0) + 1
    n_settings = timed[["case", "param"]].drop_duplicates().shape[0]
    settings = f"{n_settings} setting{'s' * (n_settings != 1)}"
    if not wins:
        return "no method", f"is fastest by {SPEED_MARGIN:g}× in any of the {settings} (all too close to call)."
    median = timed.groupby("method")["eval_time_s"].median()
    most = max(wins.values())
    leaders = sorted((m for m in wins if wins[m] == most), key=lambda m: (median[m], m))
    winner = leaders[0]
    mine = timed[timed["method"] == winner]
    text = f"is fastest by at least {SPEED_MARGIN:g}× in {most} of {settings}"
    if len(leaders) > 1:
        text += f", as {', '.join(leaders[1:])} {'is' if len(leaders) == 2 else 'are'} in as many"
    text += (f", {ties} too close to call" if ties else "") + \
        f" ({winner}: median {seconds(median[winner])} per derivative evaluation"
    ratio = mine["cost_ratio"].median()
    text += f", {ratio:.3g}× f evaluated its own way" if pd.notna(ratio) else ""
    rows = family_results[(family_results["method"] == winner) & family_results["status"].eq("ok").fillna(False)] \
        if family_results is not None and len(family_results) else pd.DataFrame()
    if "float_cost_ratio" in rows and rows["float_cost_ratio"].notna().any():
        text += f", {rows['float_cost_ratio'].median():.3g}× the float-ops f"
    setup = mine["setup_time_s"].median()
    if pd.notna(setup) and setup > 0:
        text += f"; one-off setup {seconds(setup)}"
        if "break_even_evals" in rows and rows["break_even_evals"].notna().any():
            text += f", paid off after a median {rows['break_even_evals'].median():.3g} evaluations"
    return winner, text + ")."


def headlines(cells: pd.DataFrame, results: pd.DataFrame | None = None) -> list[dict]:
    rows = []
    results = results if results is not None else pd.DataFrame(columns=["family", "case"])
    families = results["family"].fillna(results["case"]) if len(results) else pd.Series(dtype=str)
    for family, group in cells.groupby(cells["family"].fillna("(no family)"), sort=False):
        family_results = results[families == family] if len(results) else results
        if len(family_results):
            accuracy = accuracy_sentence(family_results)
            notes = floor_notes(family_results, results)
        else:
            accuracy, notes = ("no method", "has results stored for this family."), []
        rows.append({"family": family, "accuracy": (accuracy[0], " ".join([accuracy[1], *notes])),
                     "speed": speed_sentence(group, family_results)})
    return rows
