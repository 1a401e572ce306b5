"""Hutchinson's trace estimator on the seed cases: relative error against the number of samples V."""
from __future__ import annotations

import numpy as np
import pandas as pd

from diffbench.ad import api
from diffbench.backends import FloatOps
from diffbench.case import load_cases

# case -> the parameter value it is estimated at (scalar-valued seed cases, small enough for the full Hessian).
SEED_POINTS = {"trace_example": None, "logistic": 4, "log_quadratic": 10, "logdet": 5,
               "linear_minus_logdet": 5, "mds": 50}
SAMPLE_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128)
QUICK_SAMPLE_COUNTS = (1, 4, 16, 64)


def hessian_facts(case, params: dict, inputs: dict) -> dict:
    """Tr H, and the Rademacher estimator's one-sample variance 2(‖H‖_F² − Σ H_ii²) (Hutchinson 1990)."""
    xs, data = case.split(inputs)
    H = api.hessian(case.bind(data, params), FloatOps(), xs)
    off_diagonal = np.sum(H * H) - np.sum(np.diag(H) ** 2)
    return {"trace": float(np.trace(H)), "variance_one": float(2.0 * off_diagonal), "dimension": H.shape[0]}


def error_table(points: dict = SEED_POINTS, sample_counts=SAMPLE_COUNTS, repeats: int = 16, seed: int = 0,
                cases: dict | None = None) -> pd.DataFrame:
    """Per case and V: RMS relative error of the estimate over `repeats` independent runs, and theory's.

    NB: each repeat draws max(V) Rademacher vectors once and reads the estimate for every V off the
    running mean of its first V terms, so one sweep costs max(V) HVPs per repeat.
    """
    cases = cases or load_cases()
    rows = []
    for name, value in points.items():
        case = cases[name]
        params = case.params(value)
        inputs = case.inputs(seed, params, 0)
        xs, data = case.split(inputs)
        f = case.bind(data, params)
        facts = hessian_facts(case, params, inputs)
        largest = max(sample_counts)
        rng = np.random.default_rng([seed, len(name), largest])
        draws = np.array([api.hutchinson(f, FloatOps(), xs, largest, rng)[1] for _ in range(repeats)])
        running = np.cumsum(draws, axis=1) / np.arange(1, largest + 1)
        scale = abs(facts["trace"]) or 1.0
        for V in sample_counts:
            estimates = running[:, V - 1]
            rows.append({"case": name, "param": "-" if value is None else f"{case.sweep}={value}",
                         "dimension": facts["dimension"], "samples": V, "trace": facts["trace"],
                         "mean_estimate": float(estimates.mean()),
                         "rms_relative_error": float(np.sqrt(np.mean((estimates - facts["trace"]) ** 2)) / scale),
                         "theory_relative_error": float(np.sqrt(facts["variance_one"] / V) / scale),
                         "repeats": repeats})
    return pd.DataFrame(rows)


def figure(table: pd.DataFrame, path) -> None:
    """RMS relative error against V, log-log, measured (markers) and theory's sqrt(variance / V) (lines)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    for k, (name, rows) in enumerate(table.groupby("case", sort=False)):
        if (rows["theory_relative_error"] == 0).all():
            continue   # a diagonal Hessian: every Rademacher sample is exact, nothing to draw on a log scale
        color = f"C{k % 10}"
        ax.plot(rows["samples"], rows["rms_relative_error"], "o", color=color, label=name)
        ax.plot(rows["samples"], rows["theory_relative_error"], "-", color=color, lw=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("V (Rademacher samples, one HVP each)")
    ax.set_ylabel("RMS relative error of Tr(H)")
    ax.set_title("Hutchinson: markers measured, lines √(2(‖H‖²F − Σ H²ii)/V)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="svg")
