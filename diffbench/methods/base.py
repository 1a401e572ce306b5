"""What a method is: a name, a kind, and a function computing Jacobians at a case's points."""
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Method:
    name: str
    kind: str            # symbolic | numeric | ad | framework | analytic
    description: str
    run: Callable        # run(case, params, points: list[dict], rng[, precision=]) -> list[PointResult]
    expected_timeout: bool = False   # a timeout is the measured outcome (expression swell), not a failure
    shared_setup: bool = False       # run() gets all points at once (one derivation serves them all)
    follows_precision: bool = False  # run() takes precision= (a diffbench.precision name) and computes in it
    warm_up: Callable | None = None  # one-time work (lazy imports) for a process to do before timing anything


@dataclass
class PointResult:
    """What a method reports for one point; scoring against the reference happens later."""
    jacobian: np.ndarray | None = None      # (outputs x inputs), float64
    status: str = "ok"
    message: str = ""
    setup_time_s: float = float("nan")
    eval_time_s: float = float("nan")
    extra: dict = field(default_factory=dict)   # record columns (expr_nodes, step_h, ...) and "sweep"
    timings: dict = field(default_factory=dict)  # phase -> seconds, for timing.csv
    swell: list = field(default_factory=list)    # swell.csv entries: dicts of representation, nodes, ops, ...


def flat_inputs(xs) -> np.ndarray:
    return np.concatenate([np.asarray(x, dtype=np.float64).reshape(-1) for x in xs])


def unflatten(vector, like) -> list:
    """Split a flat vector into arrays shaped like `like` (the differentiated inputs)."""
    parts, offset = [], 0
    for x in like:
        size = np.size(x)
        parts.append(np.asarray(vector[offset:offset + size]).reshape(np.shape(x)))
        offset += size
    return parts
