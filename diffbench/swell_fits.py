"""Growth-law fits of expression-swell rows: the rows of swell_fits.csv."""
from __future__ import annotations

from diffbench.growth import fit_growth


def fit_rows(swell_rows) -> list[dict]:
    """Rows of swell_fits.csv: the growth law of nodes and of ops per case and representation (ok rows only)."""
    import pandas as pd
    table = pd.DataFrame(list(swell_rows)) if not isinstance(swell_rows, pd.DataFrame) else swell_rows
    if table.empty:
        return []
    if "status" in table:
        table = table[table["status"].fillna("ok") == "ok"]
    out = []
    for (case, representation), rows in table.groupby(["case", "representation"], sort=False):
        known = {}    # NB: nodes and ops are fitted over the same sizes, mostly: one set of power grids
        for measure_name in ("nodes", "ops"):
            fit = fit_growth(rows["sweep_value"].to_numpy(float), rows[measure_name].to_numpy(float), known)
            if fit is None:
                continue
            sweep = _sweep_name(str(rows["param"].iloc[0]), rows["sweep_value"].iloc[0])
            out.append({"case": case, "family": rows["family"].iloc[0], "representation": representation,
                        "param": f"{sweep}={fit.size_from:g}..{fit.size_to:g}",
                        "measure": measure_name, "law": fit.law, "rate": fit.rate, "rate_r2": fit.rate_r2,
                        "degree": fit.degree, "degree_r2": fit.degree_r2, "n_points": fit.n_points,
                        "rate_se": fit.rate_se, "degree_se": fit.degree_se,
                        "size_from": fit.size_from, "size_to": fit.size_to, "params": _fixed_params(rows)})
    return out


def _fixed_params(rows) -> dict:
    """The parameters that hold one value over the fitted rows (the swept one varies: param gives its range)."""
    if "params" not in rows:
        return {}
    settings = [p for p in rows["params"] if isinstance(p, dict)]
    names = set.intersection(*(set(p) for p in settings)) if settings else set()
    return {name: settings[0][name] for name in settings[0] if name in names
            and all(p[name] == settings[0][name] for p in settings)} if settings else {}


def _sweep_name(param: str, size: float) -> str:
    """The name of the swept parameter in a parameter text like "d=2, N=50" (the one whose value is size)."""
    for piece in param.split(", "):
        name, _, value = piece.partition("=")
        try:
            if float(value) == size:
                return name
        except ValueError:
            continue
    return "size"
