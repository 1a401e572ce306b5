"""Second-order methods: sympy's hessian, differences and complex step of the exact gradient, the tape's HVP modes.

A second-order method's run(case, params, points, directions, rng) gets one unit direction per point
(diffbench/second_order.py) and returns PointResults whose `jacobian` is the Hessian (n x n, derivative
"hessian") or the HVP as one row (1 x n, derivative "hvp"), scored like any Jacobian against the reference.
"""
import numpy as np
import sympy

from diffbench.ad import api
from diffbench.backends import FloatOps, SymOps
from diffbench.methods.base import PointResult
from diffbench.methods.complex_step import COMPLEX_STEP
from diffbench.methods.finite_diff import CENTRAL
from diffbench.methods.symbolic import symbols_like, warm_up
from diffbench.second_order import SecondOrderMethod, flat_hessian, gradient_case
from diffbench.sizes import cse, tree_size
from diffbench.sympy_numpy import lambdify_numpy
from diffbench.timing import Stopwatch, measure, timed


def sympy_hessian(case, params, points, directions, rng):
    """sympy.hessian of the case's expression in the flattened input's symbols, lambdified with cse."""
    warm_up()
    like = points[0]
    with Stopwatch() as derivation:
        symbols = {k: symbols_like(k, v) for k, v in like.items()}
        f = case.call(SymOps(), symbols, params)
        expression = np.asarray(f, dtype=object).reshape(-1)[0]
        wrt = list(np.asarray(symbols[case.wrt[0]], dtype=object).reshape(-1))
        entries = list(sympy.hessian(expression, wrt))
        replacements, reduced = cse(entries)
    names = list(like)
    arguments = [list(np.asarray(symbols[k], dtype=object).reshape(-1)) for k in names]
    with Stopwatch() as lambdification:
        compiled = lambdify_numpy(arguments, list(reduced), cse=lambda _: (replacements, reduced))
    nodes, ops = tree_size(entries)
    results = []
    for inputs in points:
        values = [np.asarray(inputs[k], dtype=np.float64).reshape(-1).tolist() for k in names]
        hessian = np.array(compiled(*values), dtype=np.float64).reshape(len(wrt), len(wrt))
        seconds = measure(lambda: compiled(*values))
        results.append(PointResult(hessian, setup_time_s=derivation.seconds + lambdification.seconds,
                                   eval_time_s=seconds, extra={"expr_nodes": nodes, "expr_ops": ops},
                                   timings={"derive": derivation.seconds, "lambdify": lambdification.seconds,
                                            "eval": seconds}))
    return results


def of_gradient(first_order):
    """A first-order method applied to the derived gradient case: its Jacobian of ∇f is the Hessian."""
    def run(case, params, points, directions, rng):
        if first_order is COMPLEX_STEP and not case.complex_ok:
            return [PointResult(status="not_applicable", message="the case does not accept complex input")
                    for _ in points]
        return first_order.run(gradient_case(case), params, points, rng)
    return run


def tape_hessian(mode):
    def run(case, params, points, directions, rng):
        ops, results = FloatOps(), []
        for inputs in points:
            hessian, seconds = timed(lambda: flat_hessian(case, params, inputs, ops, mode))
            results.append(PointResult(hessian, setup_time_s=0.0, eval_time_s=seconds, timings={"eval": seconds}))
        return results
    return run


def tape_hvp(mode):
    product = {"forward": api.hvp, "reverse": api.hvp_reverse}[mode]

    def run(case, params, points, directions, rng):
        ops, results = FloatOps(), []
        for inputs, v in zip(points, directions):
            xs, data = case.split(inputs)
            f = case.bind(data, params)
            vectors = [np.asarray(v, dtype=np.float64).reshape(np.shape(xs[0]))]
            hv, seconds = timed(lambda: product(f, ops, xs, vectors)[0])
            results.append(PointResult(np.asarray(hv, dtype=np.float64).reshape(1, -1), setup_time_s=0.0,
                                       eval_time_s=seconds, timings={"eval": seconds}))
        return results
    return run


SYMPY_HESSIAN = SecondOrderMethod("sympy_hessian", "symbolic", "sympy.hessian of the case's expression, "
                                  "lambdified with cse", sympy_hessian, expected_timeout=True, shared_setup=True)
FD_HESSIAN = SecondOrderMethod("fd_hessian", "numeric", "central differences of the tape's exact gradient, "
                               "h = eps^(1/3) max(1, |x|), with the step sweep", of_gradient(CENTRAL))
COMPLEX_STEP_HESSIAN = SecondOrderMethod("complex_step_hessian", "numeric", "complex step of the tape's exact "
                                         "gradient, Im ∇f(x + ih)/h, h = 1e-20 max(1, |x|)", of_gradient(COMPLEX_STEP))
TAPE_HESSIAN = SecondOrderMethod("tape_hessian", "ad", "in-house tape, forward-over-reverse: n HVPs",
                                 tape_hessian("forward"))
TAPE_HESSIAN_RR = SecondOrderMethod("tape_hessian_rr", "ad", "in-house tape, reverse-over-reverse (nested tapes): "
                                    "n HVPs", tape_hessian("reverse"))
TAPE_HVP = SecondOrderMethod("tape_hvp", "ad", "in-house tape, forward-over-reverse HVP ∇⟨∇f, v⟩",
                             tape_hvp("forward"), derivative="hvp")
TAPE_HVP_RR = SecondOrderMethod("tape_hvp_rr", "ad", "in-house tape, reverse-over-reverse HVP ∇(∇fᵀv) "
                                "(lecture 001)", tape_hvp("reverse"), derivative="hvp")
