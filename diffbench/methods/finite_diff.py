"""Finite differences: a default step rule per scheme, and the error over a sweep of steps."""
import numpy as np

from diffbench.backends import FloatOps
from diffbench.methods.base import Method, PointResult, flat_inputs, unflatten
from diffbench.timing import measure

EPS = np.finfo(np.float64).eps
STEPS = np.logspace(-16, -1, 61)          # 4 steps per decade
FULL_SWEEP_MAX_INPUTS = 64                # above this the sweep follows random directions
SWEEP_DIRECTIONS = 3

# scheme -> (order of accuracy, exponent of eps in the optimal step, evaluations per input)
SCHEMES = {
    "forward": (1, 1 / 2),
    "central": (2, 1 / 3),
}


def flat_function(case, params, inputs):
    """x (flat float vector of the differentiated inputs) -> f(x) flattened, other inputs fixed."""
    xs, data = case.split(inputs)
    f = case.bind(data, params)
    ops = FloatOps()

    def g(vector):
        return np.asarray(f(ops, *unflatten(vector, xs)), dtype=np.float64).reshape(-1)
    return g, flat_inputs(xs)


def difference(g, x, direction, h, scheme, f0=None):
    """One difference quotient of g at x along direction with step h."""
    if scheme == "forward":
        return (g(x + h * direction) - (g(x) if f0 is None else f0)) / h
    if scheme == "central":
        return (g(x + h * direction) - g(x - h * direction)) / (2 * h)
    raise ValueError(f"unknown scheme {scheme!r}")


def jacobian(g, x, steps, scheme):
    """Columns by coordinate differences; steps holds one h per input component."""
    f0 = g(x) if scheme == "forward" else None
    columns = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = 1.0
        columns.append(difference(g, x, e, steps[i], scheme, f0))
    return np.stack(columns, axis=1)


def rule_steps(x, scheme):
    """The default step: eps^(1/(p+1)) scaled by max(1, |x_i|)."""
    _, exponent = SCHEMES[scheme]
    return EPS ** exponent * np.maximum(1.0, np.abs(x))


def sweep(g, x, scheme, rng):
    """Estimates at every h in STEPS: full Jacobians for few inputs, else directional derivatives."""
    if x.size <= FULL_SWEEP_MAX_INPUTS:
        estimates = np.stack([jacobian(g, x, np.full(x.size, h), scheme) for h in STEPS])
        return {"direction": "full", "h": STEPS, "estimates": estimates, "directions": None}
    directions = rng.standard_normal((x.size, SWEEP_DIRECTIONS))
    directions /= np.linalg.norm(directions, axis=0)
    f0 = g(x) if scheme == "forward" else None
    estimates = np.stack([
        np.stack([difference(g, x, directions[:, k], h, scheme, f0) for k in range(SWEEP_DIRECTIONS)], axis=1)
        for h in STEPS])
    return {"direction": f"random {SWEEP_DIRECTIONS}", "h": STEPS, "estimates": estimates, "directions": directions}


def _run(scheme):
    def run(case, params, points, rng):
        results = []
        for inputs in points:
            g, x = flat_function(case, params, inputs)
            steps = rule_steps(x, scheme)
            estimate = jacobian(g, x, steps, scheme)
            seconds = measure(lambda: jacobian(g, x, steps, scheme))
            evaluations = x.size + 1 if scheme == "forward" else 2 * x.size
            extra = {"step_h": float(np.median(steps)), "n_func_evals": evaluations, "sweep": sweep(g, x, scheme, rng)}
            results.append(PointResult(estimate, setup_time_s=0.0, eval_time_s=seconds, extra=extra,
                                       timings={"eval": seconds}))
        return results
    return run


FORWARD = Method("fd_forward", "numeric", "forward difference, h = sqrt(eps) max(1, |x|)", _run("forward"))
CENTRAL = Method("fd_central", "numeric", "central difference, h = eps^(1/3) max(1, |x|)", _run("central"))
