"""The swell section's tables from stored swell rows: growth laws, where each representation stopped, times, Table 1."""
from __future__ import annotations

import pandas as pd

from diffbench.growth import GrowthFit, describe_fit
from diffbench.report.run import Run

PRACTICAL_SETUP_S = 1.0  # derivation + lambdify beyond this is "no longer practical" in the report's sentence
TIMED = ("sympy_tree", "sympy_cse", "sympy_simplified", "ad_sympy", "tape_trace")
# NB: the order of diffbench.swell.REPRESENTATIONS (tests/test_imports.py holds them equal), written out
# here so a report does not import swell and sympy with it
REPRESENTATION_ORDER = ("function", "function_dag", "sympy_tree", "sympy_cse", "sympy_simplified", "sympy_factor",
                        "sympy_simplify", "ad_sympy", "tape_trace")


def _order(representations) -> list[str]:
    known = [r for r in REPRESENTATION_ORDER if r in set(representations)]
    return known + sorted(set(representations) - set(known))


def _ok(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"].fillna("ok") == "ok"]


def growth(run: Run) -> list[dict]:
    """One row per case and representation: growth law of nodes and ops, fitted range, and where it stopped."""
    swell = run.tables["swell"]
    fits = run.tables.get("swell_fits")
    if swell.empty:
        return []
    if not (run.path / "swell_fits.csv").exists():
        from diffbench.swell_fits import fit_rows   # NB: lazy: only older runs lack swell_fits.csv
        fits = pd.DataFrame(fit_rows(swell))
    rows = []
    # NB: plain dicts, not a frame per lane: a default run has some 250 lanes
    fitted = {(f["case"], f["representation"], f["measure"]): f for f in
              fits.drop_duplicates(["case", "representation", "measure"]).to_dict("records")} if not fits.empty else {}
    lanes: dict = {}
    for row in swell.sort_values("sweep_value", kind="stable").to_dict("records"):
        lanes.setdefault((row["case"], row["representation"]), []).append(row)
    for case in run.cases:
        for rep in _order({r for c, r in lanes if c == case}):
            lane = lanes[(case, rep)]
            ok = [r for r in lane if _status(r) == "ok"]
            stop = [r for r in lane if _status(r) not in ("ok", "skipped")]
            laws = {measure: _phrase(fitted[(case, rep, measure)]) if (case, rep, measure) in fitted else "–"
                    for measure in ("nodes", "ops")}
            last = ok[-1] if ok else None
            rows.append({
                "case": case, "representation": rep, "nodes_law": laws["nodes"], "ops_law": laws["ops"],
                "largest": last["param"] if last is not None else "–",
                "nodes": last["nodes"] if last is not None else None,
                "stopped": f"{stop[0]['param']}: {stop[0]['status']}" if stop else "",
                "stop_title": str(stop[0]["message"]) if stop and pd.notna(stop[0]["message"]) else ""})
    return rows


def _status(row: dict) -> str:
    return row["status"] if isinstance(row["status"], str) else "ok"


def _phrase(fit) -> str:
    return describe_fit(GrowthFit(fit["law"], fit["rate"], fit["rate_r2"], fit["degree"], fit["degree_r2"],
                                  int(fit["n_points"]), fit["size_from"], fit["size_to"],
                                  fit.get("rate_se", float("nan")), fit.get("degree_se", float("nan")))) + \
        f", n = {fit['size_from']:g}..{fit['size_to']:g}"


def times(run: Run) -> list[dict]:
    """Per case: derive + lambdify and per-evaluation times of each timed representation, by parameter."""
    swell = _ok(run.tables["swell"])
    swell = swell[swell["representation"].isin(TIMED)]
    if swell.empty or swell["eval_time_s"].isna().all():
        return []
    out = []
    for case in run.cases:
        table = swell[swell["case"] == case]
        if table["eval_time_s"].isna().all():
            continue
        reps = _order(table["representation"].unique())
        rows = []
        for (size, param), group in table.groupby(["sweep_value", "param"], sort=True):
            by = {r.representation: r for r in group.itertuples()}
            cells = [{"setup": _setup(by.get(r)), "eval": by[r].eval_time_s if r in by else None} for r in reps]
            cse, tape = by.get("sympy_cse"), by.get("tape_trace")
            ratio = tape.eval_time_s / cse.eval_time_s if cse is not None and tape is not None else None
            rows.append({"param": param, "cells": cells, "ratio": ratio})
        out.append({"case": case, "representations": reps, "rows": rows, "summary": _summary(table)})
    return out


def _setup(row):
    if row is None or pd.isna(row.derive_time_s):
        return None
    return row.derive_time_s + (0.0 if pd.isna(row.lambdify_time_s) else row.lambdify_time_s)


def _summary(table: pd.DataFrame) -> str:
    """Where symbolic differentiation stops being practical, and cse code against the tape per evaluation."""
    parts = []
    cse = table[table["representation"] == "sympy_cse"].sort_values("sweep_value")
    setup = cse["derive_time_s"] + cse["lambdify_time_s"].fillna(0)
    slow = cse[setup > PRACTICAL_SETUP_S]
    if len(cse):
        parts.append(f"sympy diff + cse + lambdify takes more than {PRACTICAL_SETUP_S:g} s from {slow.iloc[0]['param']} on"
                     if len(slow) else f"sympy diff + cse + lambdify stays under {PRACTICAL_SETUP_S:g} s up to "
                                        f"{cse.iloc[-1]['param']}")
    tape = table[table["representation"] == "tape_trace"].set_index("sweep_value")["eval_time_s"]
    both = cse[cse["sweep_value"].isin(tape.index)]
    if len(both):
        last = both.iloc[-1]
        ratio = tape[last["sweep_value"]] / last["eval_time_s"]
        parts.append(f"at {last['param']} one evaluation of the lambdified cse code takes {last['eval_time_s'] * 1e6:.3g} µs, "
                     f"the tape's reverse sweep {tape[last['sweep_value']] * 1e6:.3g} µs ({ratio:.3g}× the cse code's time)")
    return "; ".join(parts) + "." if parts else ""


def table1(run: Run) -> dict | None:
    """The survey's Table 1 as this run measured it: l_n, sympy's derivative, its simplified form, checked."""
    swell = _ok(run.tables["swell"])
    rows = swell[swell["expression"].notna()]
    if rows.empty:
        return None
    from diffbench import survey   # NB: lazy, keeps start-up fast: sympy loads only to check stored expressions
    rows = rows[rows["case"] == survey.TABLE1_CASE]
    out = []
    for n in survey.table1_sizes():
        at = rows[rows["sweep_value"] == n]
        text = {r: at[at["representation"] == r]["expression"] for r in ("function", "sympy_tree", "sympy_simplified")}
        if any(t.empty for t in text.values()):
            continue
        function, derivative, simplified = (str(text[r].iloc[0]) for r in ("function", "sympy_tree", "sympy_simplified"))
        checks = [survey.agrees(function, n, "function"), survey.agrees(derivative, n, "derivative"),
                  survey.agrees(simplified, n, "simplified")]
        out.append({"n": n, "function": function, "derivative": derivative, "simplified": simplified,
                    "published": survey.published_text(n, "simplified"), "agrees": all(checks)})
    return {"rows": out, "all_agree": all(r["agrees"] for r in out)} if out else None


def swell_extras(run: Run) -> dict:
    """What the swell section shows besides its figures: rows without a law are named once, not tabled."""
    rows = growth(run)
    lawless = [r for r in rows if all(_lawless(r[k]) for k in ("nodes_law", "ops_law")) and not r["stopped"]]
    too_few = list(dict.fromkeys(r["case"] for r in lawless))
    return {"growth": [r for r in rows if r not in lawless], "too_few": too_few, "times": times(run)}


def _lawless(law: str) -> bool:
    return law == "–" or law.startswith("too few sizes")
