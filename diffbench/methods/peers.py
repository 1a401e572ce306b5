"""What a user would pick instead: numdifftools and scipy.differentiate at their default adaptive settings.

Both are optional (pip install -e '.[peers]'); when one is missing its rows say "skipped" and why.
NB: torch.autograd.gradcheck's finite differences are left out: their Jacobian lives in private,
deprecated torch API, and it is a plain central difference at h = 1e-6, which fd_central's sweep covers.
"""
import importlib

import numpy as np

from diffbench.methods.base import Method, PointResult
from diffbench.methods.finite_diff import flat_function
from diffbench.scoring import relative_error
from diffbench.timing import timed

INSTALL_HINT = "install diffbench[peers]: pip install -e '.[peers]'"


class Counted:
    """g with a count of its evaluations (each call is one function evaluation)."""

    def __init__(self, g):
        self.g, self.calls = g, 0

    def __call__(self, x):
        self.calls += 1
        return self.g(x)


def numdifftools_jacobian(g, x):
    """(J, absolute error estimates, steps, evaluations) from numdifftools.Gradient / Jacobian, defaults."""
    nd = importlib.import_module("numdifftools")
    counted = Counted(g)
    m = g(x).size
    if m == 1:
        result = nd.Gradient(lambda v: counted(v)[0], full_output=True)(x)
    else:
        result = nd.Jacobian(counted, full_output=True)(x)
    estimate, error, step = _numdifftools_parts(result)
    shape = (m, x.size)
    return (np.reshape(estimate, shape), np.reshape(error, shape), np.ravel(step), counted.calls)


def _numdifftools_parts(result):
    """numdifftools >= 0.11 returns EstimateResult; older versions (value, info)."""
    if hasattr(result, "estimate"):
        return result.estimate, result.error_estimate, result.final_step
    value, info = result
    return value, info.error_estimate, info.final_step


def scipy_jacobian(g, x):
    """(J, absolute error estimates, evaluations) from scipy.differentiate.jacobian at its defaults."""
    differentiate = importlib.import_module("scipy.differentiate")
    counted = Counted(g)
    m = g(x).size

    def batched(points):
        # scipy calls f with x of shape (n, ...) and wants f's outputs along the first axis, batch after.
        batch = points.shape[1:]
        flat = points.reshape(x.size, -1)
        values = np.stack([counted(flat[:, b]) for b in range(flat.shape[1])], axis=1)
        return values[0].reshape(batch) if m == 1 else values.reshape((m, *batch))

    result = differentiate.jacobian(batched, x)
    shape = (m, x.size)
    return np.reshape(result.df, shape), np.reshape(result.error, shape), counted.calls


def _missing(module: str) -> str | None:
    try:
        importlib.import_module(module)
    except ImportError:
        return f"{module} is not installed; {INSTALL_HINT}"
    return None


def run_numdifftools(case, params, points, rng):
    missing = _missing("numdifftools")
    if missing:
        return [PointResult(status="skipped", message=missing) for _ in points]
    results = []
    for inputs in points:
        g, x = flat_function(case, params, inputs)
        (jacobian, error, steps, calls), seconds = timed(lambda: numdifftools_jacobian(g, x))
        extra = {"step_h": float(np.median(steps)), "n_func_evals": calls,
                 "error_estimate": relative_error(error, jacobian)}
        results.append(PointResult(jacobian, setup_time_s=0.0, eval_time_s=seconds, extra=extra,
                                   timings={"eval": seconds}))
    return results


def run_scipy(case, params, points, rng):
    missing = _missing("scipy.differentiate")
    if missing:
        return [PointResult(status="skipped", message=missing) for _ in points]
    results = []
    for inputs in points:
        g, x = flat_function(case, params, inputs)
        (jacobian, error, calls), seconds = timed(lambda: scipy_jacobian(g, x))
        extra = {"n_func_evals": calls, "error_estimate": relative_error(error, jacobian)}
        results.append(PointResult(jacobian, setup_time_s=0.0, eval_time_s=seconds, extra=extra,
                                   timings={"eval": seconds}))
    return results


# NB: expected_timeout: the adaptive peers spend tens of evaluations per input, so running out of the
# budget at a few hundred inputs is their measured cost, not a crash.
NUMDIFFTOOLS = Method("numdifftools", "numeric", "numdifftools.Gradient (Jacobian for vector outputs), "
                      "default adaptive Richardson settings", run_numdifftools, expected_timeout=True)
SCIPY = Method("scipy_differentiate", "numeric", "scipy.differentiate.jacobian, default settings "
               "(order 8, step halving, up to 10 iterations)", run_scipy, expected_timeout=True)
