"""The hand-derived answer a case carries (Case.analytic, plain numpy), scored like every other method."""
import inspect

import numpy as np

from diffbench.methods.base import Method, PointResult, flat_inputs
from diffbench.precision import DEFAULT, PRECISIONS, as_floating
from diffbench.timing import timed


def analytic_arguments(case, params: dict, inputs: dict) -> dict:
    """Every input, and the parameters the case's analytic function names (all of them if it takes **kw)."""
    accepted = inspect.signature(case.analytic).parameters
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    return {**inputs, **{k: v for k, v in params.items() if takes_all or k in accepted}}


def as_jacobian(case, answer, inputs: dict) -> np.ndarray:
    """A list of gradients (wrt order) becomes the 1 x n Jacobian; an array must already be m x n."""
    n = sum(np.size(inputs[k]) for k in case.wrt)
    if isinstance(answer, (list, tuple)):
        if len(answer) != len(case.wrt):
            raise ValueError(f"case {case.name!r}: analytic gave {len(answer)} gradients for wrt={case.wrt}")
        for name, gradient in zip(case.wrt, answer):
            if np.shape(gradient) != np.shape(inputs[name]):
                raise ValueError(f"case {case.name!r}: analytic gradient of {name} has shape "
                                 f"{np.shape(gradient)}, expected {np.shape(inputs[name])}")
        return flat_inputs(answer).reshape(1, n)
    jacobian = np.asarray(answer, dtype=np.float64)
    if jacobian.ndim != 2 or jacobian.shape[1] != n:
        raise ValueError(f"case {case.name!r}: analytic Jacobian has shape {jacobian.shape}, expected (m, {n})")
    return jacobian


def analytic_jacobian(case, params: dict, inputs: dict) -> np.ndarray:
    """The case's hand-derived derivative at one point as an (m x n) float64 Jacobian."""
    if case.analytic is None:
        raise ValueError(f"case {case.name!r} has no hand-derived derivative (Case.analytic)")
    return as_jacobian(case, case.analytic(**analytic_arguments(case, params, inputs)), inputs)


def run(case, params, points, rng, precision=DEFAULT):
    real = PRECISIONS[precision].real
    if case.analytic is None:
        message = f"case {case.name!r} carries no hand-derived derivative (Case.analytic)"
        return [PointResult(status="not_applicable", message=message) for _ in points]
    results = []
    for inputs in points:
        arguments = analytic_arguments(case, params, {k: as_floating(v, real) for k, v in inputs.items()})
        answer, seconds = timed(lambda: case.analytic(**arguments))
        jacobian = as_jacobian(case, answer, inputs)
        results.append(PointResult(jacobian, setup_time_s=0.0, eval_time_s=seconds, timings={"eval": seconds}))
    return results


ANALYTIC = Method("analytic", "analytic", "the case's hand-derived formula, written in plain numpy", run,
                  follows_precision=True)
