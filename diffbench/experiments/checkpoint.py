"""Checkpointing's memory/time trade-off on two chains: a batch of logistic maps and a deep tanh MLP."""
from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np
import pandas as pd

from diffbench.ad.checkpoint import chain_grad, sqrt_every
from diffbench.backends import FloatOps


def logistic_chain(n: int = 1024, width: int = 1000, r: float = 3.5, seed: int = 0) -> dict:
    """A batch of `width` logistic maps l <- r l (1 - l), n steps; loss = sum of the final states.

    NB: r = 3.5 (a stable 4-cycle) keeps the derivative finite over a thousand steps; at the seed case's
    r = 4 it grows like 2^n and overflows float64 past n ≈ 1000.
    """
    x0 = np.random.default_rng([seed, n, width]).uniform(0.05, 0.95, width)
    return {"name": "logistic map", "n": n, "x0": x0,
            "step": lambda o, s, i: r * s * (1 - s), "loss": lambda o, s: o.sum(s)}


def mlp_chain(n: int = 256, width: int = 64, batch: int = 32, seed: int = 0) -> dict:
    """A deep tanh MLP h <- tanh(h W_i + b_i) on a batch, n layers; loss = ½ Σ h²; weights are fixed data."""
    rng = np.random.default_rng([seed, n, width, batch])
    weights = rng.standard_normal((n, width, width)) * (1.2 / math.sqrt(width))
    biases = 0.1 * rng.standard_normal((n, width))
    return {"name": "tanh MLP", "n": n, "x0": rng.standard_normal((batch, width)),
            "step": lambda o, h, i: o.tanh(o.matmul(h, weights[i]) + biases[i]),
            "loss": lambda o, h: 0.5 * o.sum(h * h)}


def spacings(n: int) -> list:
    """None (one tape), then every = 1, 2, 4, ... up to n, with sqrt(n) included."""
    powers = [2 ** j for j in range(int(math.log2(n)) + 1)]
    return [None] + sorted(set(powers) | {sqrt_every(n), n})


def _peak_allocated(fn) -> int:
    """Peak bytes newly allocated while fn runs (numpy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


def tradeoff_table(chains, repeats: int = 5) -> pd.DataFrame:
    """Per chain and spacing k: seconds (best of `repeats`), stored bytes, traced peak, step evaluations."""
    ops = FloatOps()
    rows = []
    for chain in chains:
        run = {}
        for every in spacings(chain["n"]):
            def gradient():
                return chain_grad(chain["step"], ops, chain["x0"], chain["n"], chain["loss"], every=every)
            value, g, stats = gradient()
            seconds = []
            for _ in range(repeats):
                start = time.perf_counter()
                gradient()
                seconds.append(time.perf_counter() - start)
            run[every] = g
            rows.append({"chain": chain["name"], "n": chain["n"],
                         "every": "none" if every is None else str(every),
                         "label": "no checkpoints" if every is None else
                         (f"k = {every} (≈√n)" if every == sqrt_every(chain["n"]) else f"k = {every}"),
                         "checkpoints": stats.checkpoints, "step_evaluations": stats.steps_evaluated,
                         "stored_bytes": stats.stored_bytes, "traced_peak_bytes": _peak_allocated(gradient),
                         "seconds": min(seconds), "value": float(value),
                         "max_gradient_difference": float(np.max(np.abs(g - run[None]))) if None in run else 0.0})
    table = pd.DataFrame(rows)
    baseline = table[table["every"] == "none"].set_index("chain")
    table["memory_ratio"] = table["stored_bytes"] / table["chain"].map(baseline["stored_bytes"])
    table["time_ratio"] = table["seconds"] / table["chain"].map(baseline["seconds"])
    return table


def figure(table: pd.DataFrame, path) -> None:
    """Stored bytes against time, relative to one tape, one curve per chain, points labelled by k."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    for k, (name, rows) in enumerate(table.groupby("chain", sort=False)):
        color = f"C{k % 10}"
        ax.plot(rows["time_ratio"], rows["memory_ratio"], "o-", color=color, label=f"{name} (n = {rows['n'].iloc[0]})")
        for row in rows.itertuples():
            if row.every == "none" or "√" in row.label:
                ax.annotate(row.label, (row.time_ratio, row.memory_ratio), fontsize=7,
                            xytext=(4, 4), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_xlabel("time / time with one tape")
    ax.set_ylabel("stored bytes / bytes with one tape")
    ax.set_title("Checkpointing: every k-th state kept, the rest recomputed")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="svg")
