"""Gradient descent on the MDS loss with the exact gradient, finite differences and random directions, at equal budgets."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from diffbench.ad import api
from diffbench.backends import FloatOps
from diffbench.case import load_cases
from diffbench.methods.finite_diff import jacobian as fd_jacobian
from diffbench.methods.finite_diff import rule_steps

SIZES = (5, 10, 20)              # N points in the plane: n = 2N unknowns
QUICK_SIZES = (5, 10)
EVALUATIONS_PER_UNKNOWN = 100    # every method gets the same budget of 100 n function evaluations
TARGET = 1e-2                    # "reached": loss at or below this fraction of the starting loss
RANDOM_STEP = np.finfo(np.float64).eps ** (1 / 3)


@dataclass(frozen=True)
class Oracle:
    """How a method gets a descent direction, and what one call costs in function evaluations."""
    label: str
    direction: Callable          # direction(loss, gradient, x, rng) -> estimate of the gradient at x
    evaluations: Callable        # evaluations(n) -> function evaluations per step
    step_scale: Callable         # step_scale(n) -> multiplier of the base step 1/L


def exact_direction(loss, gradient, x, rng):
    return gradient(x)


def finite_difference_direction(loss, gradient, x, rng):
    return fd_jacobian(lambda v: np.atleast_1d(loss(v)), x, rule_steps(x, "central"), "central")[0]


def random_direction(loss, gradient, x, rng):
    """n (f(x + mu u) - f(x - mu u)) / (2 mu) u, u uniform on the sphere: E = grad f + O(mu^2)."""
    u = rng.standard_normal(x.size)
    u /= np.linalg.norm(u)
    return x.size * (loss(x + RANDOM_STEP * u) - loss(x - RANDOM_STEP * u)) / (2 * RANDOM_STEP) * u


# NB: the exact gradient counts as one evaluation (the first-order oracle of the lectures' O(1/k) vs O(n/k)
# table); its real cost next to a plain function evaluation is what the wall-time panel shows.
ORACLES = (
    Oracle("exact (tape)", exact_direction, lambda n: 1, lambda n: 1.0),
    Oracle("finite differences", finite_difference_direction, lambda n: 2 * n, lambda n: 1.0),
    # NB: the estimate's second moment is n |grad f|^2, so its stable step is 1/n of the exact one
    # (Nesterov & Spokoiny 2017, "Random gradient-free minimization of convex functions").
    Oracle("random direction", random_direction, lambda n: 2, lambda n: 1.0 / n),
)


def mds_problem(N: int, seed: int, cases: dict | None = None):
    """(loss, gradient, W0 flattened, base step 1/L): L is the Hessian's largest eigenvalue at W0."""
    case = (cases or load_cases())["mds"]
    params = case.params(N)
    inputs = case.inputs(seed, params, 1)
    (W0,), data = case.split(inputs)
    f = case.bind(data, params)
    ops = FloatOps()

    def loss(x):
        return float(f(ops, x.reshape(W0.shape)))

    def gradient(x):
        return np.asarray(api.grad(f, ops, [x.reshape(W0.shape)])[0], dtype=np.float64).reshape(-1)

    hessian = np.asarray(api.hessian(f, ops, [W0]), dtype=np.float64)
    largest = float(np.max(np.linalg.eigvalsh((hessian + hessian.T) / 2)))
    return loss, gradient, W0.reshape(-1).copy(), 1.0 / largest


def descend(oracle: Oracle, loss, gradient, x0, base_step: float, budget: int, rng) -> list[dict]:
    """Steps while the budget lasts; wall time counts the oracle and the update, not the logged loss."""
    x, n = x0.copy(), x0.size
    step, cost = base_step * oracle.step_scale(n), oracle.evaluations(n)
    rows = [{"step": 0, "evaluations": 0, "wall_s": 0.0, "loss": loss(x)}]
    spent, seconds, k = 0, 0.0, 0
    while spent + cost <= budget:
        started = time.perf_counter()
        x = x - step * oracle.direction(loss, gradient, x, rng)
        seconds += time.perf_counter() - started
        spent, k = spent + cost, k + 1
        rows.append({"step": k, "evaluations": spent, "wall_s": seconds, "loss": loss(x)})
    return rows


def run_descent(sizes=SIZES, evaluations_per_unknown: int = EVALUATIONS_PER_UNKNOWN, seed: int = 0,
                oracles=ORACLES, cases: dict | None = None) -> pd.DataFrame:
    """Tidy rows (N, n, method, step, evaluations, wall_s, loss) of every method at every N."""
    cases = cases or load_cases()
    rows = []
    for N in sizes:
        loss, gradient, x0, base_step = mds_problem(N, seed, cases)
        budget = evaluations_per_unknown * x0.size
        for index, oracle in enumerate(oracles):
            rng = np.random.default_rng([seed, N, index])
            for row in descend(oracle, loss, gradient, x0, base_step, budget, rng):
                rows.append({"N": N, "n": x0.size, "method": oracle.label, "budget": budget, **row})
    return pd.DataFrame(rows)


def descent_table(quick: bool, seed: int = 0, cases: dict | None = None) -> pd.DataFrame:
    return run_descent(QUICK_SIZES if quick else SIZES, seed=seed, cases=cases)


def summary(table: pd.DataFrame, target: float = TARGET) -> pd.DataFrame:
    """Per N and method: evaluations to reach target x starting loss, and that count over the exact gradient's."""
    rows = []
    for (N, method), runs in table.groupby(["N", "method"], sort=False):
        start = runs["loss"].iloc[0]
        reached = runs[runs["loss"] <= target * start]
        rows.append({"N": N, "n": runs["n"].iloc[0], "method": method, "steps": int(runs["step"].max()),
                     "final_loss_ratio": runs["loss"].iloc[-1] / start,
                     "evaluations_to_target": int(reached["evaluations"].iloc[0]) if len(reached) else np.nan,
                     "seconds_to_target": float(reached["wall_s"].iloc[0]) if len(reached) else np.nan})
    result = pd.DataFrame(rows)
    exact = result[result["method"] == ORACLES[0].label].set_index("N")["evaluations_to_target"]
    result["gap_vs_exact"] = result["evaluations_to_target"] / result["N"].map(exact)
    result["gap_over_n"] = result["gap_vs_exact"] / result["n"]
    return result


def figure(table: pd.DataFrame, path) -> None:
    """Loss vs evaluations (top) and vs wall time (bottom), one column per N."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = list(dict.fromkeys(table["N"]))
    fig, axes = plt.subplots(2, len(sizes), figsize=(4.2 * len(sizes), 7), squeeze=False)
    for column, N in enumerate(sizes):
        runs = table[table["N"] == N]
        for method, run in runs.groupby("method", sort=False):
            for row, x in enumerate(("evaluations", "wall_s")):
                axes[row, column].plot(run[x], run["loss"], label=method)
        n = runs["n"].iloc[0]
        axes[0, column].set_title(f"N = {N} points (n = {n})")
        axes[0, column].set_xlabel("function evaluations")
        axes[1, column].set_xlabel("wall time (s)")
        for row in range(2):
            axes[row, column].set_yscale("log")
            axes[row, column].set_ylabel("MDS loss")
            axes[row, column].grid(True, which="both", alpha=0.3)
    axes[0, 0].legend()
    fig.suptitle(f"Gradient descent on MDS, equal budgets of {int(table['budget'].iloc[0] / table['n'].iloc[0])} n "
                 "evaluations")
    fig.tight_layout()
    fig.savefig(path, format="svg")
    plt.close(fig)
