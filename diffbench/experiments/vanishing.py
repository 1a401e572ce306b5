"""Vanishing gradients (lecture 000): the gradient norm of each layer's weights vs depth, sigmoid, tanh and ReLU.

The lecture's claim: backpropagation multiplies by the activation's derivative at every layer, and
sigma' <= 1/4, so in a deep sigmoid network the early layers' gradients shrink geometrically ("the sigmoid
kills gradients"); tanh (tanh'(0) = 1) shrinks them less, and ReLU (derivative 0 or 1) not by its
derivative at all. Measured at initialisation with each activation's usual scale (Glorot N(0, 1/n) for
sigmoid and tanh, He N(0, 2/n) for ReLU), by the tape's reverse mode in float64.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from diffbench import nn
from diffbench.ad import api
from diffbench.backends import FloatOps

ACTIVATIONS = {"sigmoid": (nn.sigmoid, 1.0), "tanh": (nn.tanh, 1.0), "relu": (nn.relu, 2.0)}  # name -> (phi, gain)
DEPTHS = (2, 4, 8, 16, 32)
QUICK_DEPTHS = (2, 4, 8, 16)
WIDTH = 32
BATCH = 16
REPEATS = 4
# What "vanishing" means in the summary: the first layer's gradient below 1/100 of the last one's at the
# largest depth; "kept" within a factor 10 either way.
VANISHED_BELOW = 1e-2
KEPT_WITHIN = 10.0


def network_loss(phi, depth):
    def loss(o, X, y, *weights):
        A = X
        for W in weights[:-1]:
            A = phi(o, o.matmul(A, W))
        residual = o.matmul(A, weights[-1]) - y
        return o.sum(residual * residual) / BATCH
    return loss


def layer_gradient_norms(name: str, depth: int, rng) -> np.ndarray:
    """||dC/dW_k||_F for the depth hidden layers k = 1..depth (the linear read-out excluded)."""
    phi, gain = ACTIVATIONS[name]
    X = rng.standard_normal((BATCH, WIDTH))
    y = rng.standard_normal((BATCH, 1))
    weights = [rng.standard_normal((WIDTH, WIDTH)) * np.sqrt(gain / WIDTH) for _ in range(depth)]
    weights.append(rng.standard_normal((WIDTH, 1)) * np.sqrt(1.0 / WIDTH))
    loss = network_loss(phi, depth)
    grads = api.grad(lambda o, *ws: loss(o, X, y, *ws), FloatOps(), weights)
    return np.array([np.linalg.norm(g) for g in grads[:-1]])


def gradient_table(depths=DEPTHS, repeats: int = REPEATS, seed: int = 0) -> pd.DataFrame:
    """Per activation, depth and layer: the geometric mean over `repeats` seeded networks of ||dC/dW_k||."""
    rows = []
    for a, name in enumerate(ACTIVATIONS):
        for depth in depths:
            norms = np.array([layer_gradient_norms(name, depth, np.random.default_rng([seed, a, depth, r]))
                              for r in range(repeats)])
            geometric = np.exp(np.mean(np.log(norms), axis=0))
            for layer, value in enumerate(geometric, start=1):
                rows.append({"activation": name, "depth": depth, "layer": layer, "grad_norm": float(value),
                             "relative_to_last": float(value / geometric[-1]), "repeats": repeats,
                             "width": WIDTH, "batch": BATCH, "seed": seed})
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """At the largest depth, per activation: first/last layer ratio, the per-layer factor, and the verdict."""
    deepest = table[table["depth"] == table["depth"].max()]
    rows = []
    for name, part in deepest.groupby("activation", sort=False):
        part = part.sort_values("layer")
        ratio = float(part["grad_norm"].iloc[0] / part["grad_norm"].iloc[-1])
        slope = float(np.polyfit(part["layer"], np.log(part["grad_norm"]), 1)[0])
        factor = float(np.exp(-slope))   # how much the norm shrinks per layer towards the input
        if ratio < VANISHED_BELOW:
            verdict = "vanishes"
        elif 1 / KEPT_WITHIN <= ratio <= KEPT_WITHIN:
            verdict = "kept"
        else:
            verdict = "shrinks"
        rows.append({"activation": name, "depth": int(part["depth"].iloc[0]), "first_over_last": ratio,
                     "shrink_per_layer": factor, "verdict": verdict})
    result = pd.DataFrame(rows)
    verdicts = dict(zip(result["activation"], result["verdict"]))
    claim = verdicts.get("sigmoid") == "vanishes" and verdicts.get("relu") != "vanishes"
    result["lecture_claim"] = ("holds: sigmoid's early-layer gradients vanish, ReLU's do not" if claim
                               else "does not hold in this measurement")
    return result


def figure(table: pd.DataFrame, path) -> None:
    """||dC/dW_k|| relative to the last hidden layer, against the layer, at the largest depth (log scale)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    deepest = table[table["depth"] == table["depth"].max()]
    for k, (name, part) in enumerate(deepest.groupby("activation", sort=False)):
        ax.plot(part["layer"], part["relative_to_last"], "o-", color=f"C{k}", label=name, ms=3)
    ax.set_yscale("log")
    ax.set_xlabel("layer k (1 = next to the input)")
    ax.set_ylabel("‖∂C/∂W_k‖ / ‖∂C/∂W_last‖")
    ax.set_title(f"Vanishing gradients at initialisation, depth {int(deepest['depth'].max())}, width {WIDTH}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="svg")
