"""Symbolic differentiation with sympy: derive, measure the expressions, lambdify, evaluate."""
import numpy as np
import sympy

from diffbench.backends import SymOps
from diffbench.methods.base import Method, PointResult
from diffbench.sizes import cse_size, tree_size
from diffbench.timing import Stopwatch, measure


def symbols_like(name: str, value) -> object:
    """A sympy Symbol, or an object array of them named name_i_j, shaped like value."""
    shape = np.shape(value)
    if shape == ():
        return sympy.Symbol(name, real=True)
    array = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        array[index] = sympy.Symbol(f"{name}_{'_'.join(map(str, index))}", real=True)
    return array


def derive(case, params, like: dict):
    """Symbolic f and its Jacobian entries (list of rows), plus the symbol arrays used."""
    symbols = {k: symbols_like(k, v) for k, v in like.items()}
    f = case.call(SymOps(), symbols, params)
    outputs = list(np.asarray(f, dtype=object).reshape(-1))
    wrt = [s for k in case.wrt for s in np.asarray(symbols[k], dtype=object).reshape(-1)]
    return symbols, outputs, wrt


def run(case, params, points, rng):
    like = points[0]
    with Stopwatch() as build:
        symbols, outputs, wrt = derive(case, params, like)
    with Stopwatch() as derivation:
        rows = [[sympy.diff(out, s) for s in wrt] for out in outputs]
    flat = [d for row in rows for d in row]
    f_nodes, f_ops = tree_size(outputs)
    d_nodes, d_ops = tree_size(flat)
    cse_nodes, cse_ops, _ = cse_size(flat)
    names = list(like)
    arguments = [list(np.asarray(symbols[k], dtype=object).reshape(-1)) for k in names]
    with Stopwatch() as lambdification:
        compiled = sympy.lambdify(arguments, rows, modules="numpy", cse=True)
    setup = build.seconds + derivation.seconds + lambdification.seconds
    extra = {"expr_nodes": d_nodes, "expr_ops": d_ops, "expr_cse_ops": cse_ops}
    swell = [("function", f_nodes, f_ops), ("sympy_tree", d_nodes, d_ops), ("sympy_cse", cse_nodes, cse_ops)]
    results = []
    for inputs in points:
        values = [np.asarray(inputs[k], dtype=np.float64).reshape(-1).tolist() for k in names]

        def evaluate():
            return compiled(*values)
        jacobian = np.array(evaluate(), dtype=np.float64).reshape(len(outputs), len(wrt))
        seconds = measure(evaluate)
        results.append(PointResult(jacobian, setup_time_s=setup, eval_time_s=seconds, extra=dict(extra),
                                   timings={"derive": build.seconds + derivation.seconds,
                                            "lambdify": lambdification.seconds, "eval": seconds},
                                   swell=swell))
    return results


SYMPY = Method("sympy", "symbolic", "sympy.diff of the case's expression, lambdified with cse", run,
               expected_timeout=True, shared_setup=True)
