"""Second derivatives in a run: the derived gradient case, seeded HVP directions, and second-order jobs' work."""
from __future__ import annotations

import inspect
from dataclasses import dataclass, replace

import numpy as np

from diffbench.ad import api
from diffbench.case import point_rng
from diffbench.methods.base import Method

DIRECTION_SCHEME = ("v = u / ||u||, u = numpy.random.default_rng([seed, crc32(case|hvp|params), point])"
                    ".standard_normal(n): one unit direction per point for every hvp row of it")


@dataclass(frozen=True)
class SecondOrderMethod(Method):
    """A method whose run(case, params, points, directions, rng) returns Hessians (n x n) or HVPs (1 x n)."""
    derivative: str = "hessian"      # hessian | hvp: what its results are


def applies(case) -> str | None:
    """Why second derivatives of `case` are not scored (None: they are)."""
    if not case.second_order_inputs:
        return "the case does not opt in (Case.second_order_inputs)"
    if len(case.wrt) != 1:
        return "second derivatives are scored for one differentiated input only"
    return None


def n_inputs(case, inputs: dict) -> int:
    return int(sum(np.size(inputs[k]) for k in case.wrt))


def hvp_direction(seed: int, case_name: str, params: dict, point: int, n: int) -> np.ndarray:
    """The seeded unit direction of a point's HVP rows (the same in every method's job and the reference)."""
    u = point_rng(seed, case_name + "|hvp", params, point).standard_normal(n)
    return u / np.linalg.norm(u)


def gradient_case(case):
    """The case whose f is the exact gradient of `case`'s f by the tape (flattened, one input), so the first-order
    machinery differentiates it into the Hessian: tape over mpmath/arb (the reference's route 1), finite
    differences and complex step of the gradient (over float64, complex128)."""
    name, fn = case.wrt[0], case.fn

    def gradient(o, **arguments):
        x = arguments.pop(name)
        parts = api.grad(lambda o_, x_: fn(o_, **{name: x_}, **arguments), o, [x])
        return o.reshape(parts[0], (-1,))

    gradient.__signature__ = inspect.signature(fn)   # NB: so Case.fn_params passes on what fn takes
    return replace(case, name=f"{case.name}|gradient", fn=gradient, analytic=None, canonical=None)


def flat_hessian(case, params, inputs, ops, mode: str = "forward"):
    """The tape's Hessian (n x n) of a one-input case: n HVPs, forward-over-reverse or reverse-over-reverse."""
    xs, data = case.split(inputs)
    f = case.bind(data, params)
    if mode == "forward":
        return np.asarray(api.hessian(f, ops, xs), dtype=np.float64)
    x = np.asarray(xs[0], dtype=np.float64)
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = 1.0
        columns.append(np.asarray(api.hvp_reverse(f, ops, xs, [e.reshape(x.shape)])[0]).reshape(-1))
    return np.stack(columns, axis=1)


def hvp_reference(ref: dict) -> dict:
    """A point's reference for its hvp rows: H v (double-double), beside the Hessian's own agreement."""
    if "error" in ref:
        return ref
    return {**ref, "hi": ref["hvp_hi"], "lo": ref["hvp_lo"]}
