"""'Choose your fighter': time to a full m x n Jacobian by forward and by reverse mode as m sweeps past n."""
from __future__ import annotations

import numpy as np
import pandas as pd

from diffbench.ad import api
from diffbench.backends import FloatOps, TorchOps
from diffbench.timing import measure

N_INPUTS = 100
OUTPUT_SIZES = (1, 10, 30, 100, 300, 1000)
QUICK_OUTPUT_SIZES = (1, 10, 100, 1000)


def two_layer(o, x, A, B):
    """y = B tanh(A x): n inputs, m outputs, the same work per pass in either direction."""
    return o.matvec(B, o.tanh(o.matvec(A, x)))


def problem(n: int, m: int, seed: int = 0) -> dict:
    rng = np.random.default_rng([seed, n, m])
    return {"x": rng.standard_normal(n), "A": rng.standard_normal((n, n)) / np.sqrt(n),
            "B": rng.standard_normal((m, n)) / np.sqrt(n)}


def jacobian_timers(n: int, m: int, seed: int = 0) -> dict:
    """(implementation, mode) -> a no-argument callable returning the m x n Jacobian as a float array."""
    import torch
    data = problem(n, m, seed)
    x, A, B = data["x"], data["A"], data["B"]
    ops, tops = FloatOps(), TorchOps()
    f = lambda o, x: two_layer(o, x, A, B)  # noqa: E731 - the data fixed, as Case.bind does
    At, Bt, xt = tops.asarray(A), tops.asarray(B), tops.asarray(x)
    g = lambda x: two_layer(tops, x, At, Bt)  # noqa: E731
    return {
        ("tape", "forward"): lambda: api.jacfwd(f, ops, [x]),
        ("tape", "reverse"): lambda: api.jacrev(f, ops, [x])[0],
        # torch.func batches the n jvps (or m vjps) with vmap, as JAX's jacfwd/jacrev do.
        ("torch", "forward"): lambda: torch.func.jacfwd(g)(xt).numpy(),
        ("torch", "reverse"): lambda: torch.func.jacrev(g)(xt).numpy(),
    }


def crossover_table(n: int = N_INPUTS, sizes=OUTPUT_SIZES, seed: int = 0, budget_s: float = 1.0) -> pd.DataFrame:
    """One row per (implementation, mode, m): seconds to the full Jacobian (median of timed batches)."""
    rows = []
    for m in sizes:
        timers = jacobian_timers(n, m, seed)
        reference = None
        for (implementation, mode), timer in timers.items():
            jacobian = np.asarray(timer(), dtype=np.float64).reshape(m, n)
            reference = jacobian if reference is None else reference
            rows.append({"implementation": implementation, "ad_mode": mode, "n": n, "m": m, "m_over_n": m / n,
                         "seconds": measure(timer, repeats=5, budget_s=budget_s),
                         "max_abs_diff": float(np.max(np.abs(jacobian - reference)))})
    return pd.DataFrame(rows)


def crossovers(table: pd.DataFrame) -> pd.DataFrame:
    """Per implementation, the m/n where reverse stops beating forward (log-linear interpolation)."""
    rows = []
    for implementation, mine in table.groupby("implementation", sort=False):
        wide = mine.pivot(index="m_over_n", columns="ad_mode", values="seconds").sort_index()
        log_ratio = np.log(wide["reverse"] / wide["forward"])
        ratio_at, found = float("nan"), False
        for (r0, l0), (r1, l1) in zip(log_ratio.items(), list(log_ratio.items())[1:]):
            if l0 <= 0 < l1:
                ratio_at = float(np.exp(np.log(r0) + (np.log(r1) - np.log(r0)) * (-l0) / (l1 - l0)))
                found = True
                break
        rows.append({"implementation": implementation, "crossover_m_over_n": ratio_at, "found": found})
    return pd.DataFrame(rows)


def figure(table: pd.DataFrame, path) -> None:
    """Time to the full Jacobian against m/n, log-log, one line per implementation and mode."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    styles = {"forward": "-o", "reverse": "--s"}
    for (implementation, mode), rows in table.groupby(["implementation", "ad_mode"], sort=False):
        rows = rows.sort_values("m_over_n")
        ax.plot(rows["m_over_n"], rows["seconds"], styles[mode], label=f"{implementation} {mode} mode")
    ax.axvline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("m / n  (outputs / inputs, n = %d)" % int(table["n"].iloc[0]))
    ax.set_ylabel("seconds to the full Jacobian")
    ax.set_title("Choose your fighter: forward (n jvps) vs reverse (m vjps)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="svg")
