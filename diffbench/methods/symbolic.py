"""Symbolic differentiation with sympy: derive, measure the expressions, lambdify, evaluate."""
import functools

import numpy as np
import sympy

from diffbench.backends import SymOps
from diffbench.backends.symbolic import symbolic
from diffbench.error_text import error_text
from diffbench.methods.base import Method, PointResult
from diffbench.precision import DEFAULT, PRECISIONS
from diffbench.derivatives import ad_over_sympy, expression_text, survey_simplified
from diffbench.sizes import cse, cse_output_size, cse_size, tree_size
from diffbench.sympy_numpy import lambdify_numpy
from diffbench.timing import Stopwatch, measure

# NB: inside a run these extra forms share the sympy job's budget, so they are only built for small derivatives
# (expand takes ~1 s at 1,500 tree nodes; AD over sympy ~1 s for a 5x5 log det, 21,000 nodes).
IN_RUN_SIMPLIFY_MAX_NODES = 1000
IN_RUN_AD_SYMPY_MAX_NODES = 12000


def symbols_like(name: str, value) -> object:
    """A sympy Symbol, or an object array of them named name_i_j, shaped like value."""
    shape = np.shape(value)
    if shape == ():
        return sympy.Symbol(name, real=True)
    array = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        array[index] = sympy.Symbol(f"{name}_{'_'.join(map(str, index))}", real=True)
    return symbolic(array)


@functools.cache   # NB: once per process, like an import (the workers' fork server runs it before forking)
def warm_up() -> None:
    """Make sympy's lazy imports before anything is timed: a first diff imports sympy.combinatorics and
    sympy.tensor, a first lambdify sympy.codegen (about 50 ms in all, more than the whole derivation of a small
    case). Run on a small expression that uses the ops cases use; sympy's cache is cleared after it, so no
    timed derivation starts with this one's work."""
    o = SymOps()
    x = symbols_like("warm_up", np.zeros((2, 2)))
    v = x.reshape(-1)
    f = o.sum(o.exp(v) * o.sin(v)) + o.logdet(x) + o.where(v[0] > 0, v[0], 0)
    flat = [sympy.diff(f, s) for s in v]
    replacements, reduced = cse(flat)
    lambdify_numpy([list(v)], list(reduced), cse=lambda _: (replacements, reduced))(np.array([2.0, 0.5, -0.5, 1.0]))
    sympy.core.cache.clear_cache()


def derive(case, params, like: dict):
    """Symbolic f and its Jacobian entries (list of rows), plus the symbol arrays used."""
    symbols = {k: symbols_like(k, v) for k, v in like.items()}
    f = case.call(SymOps(), symbols, params)
    outputs = list(np.asarray(f, dtype=object).reshape(-1))
    wrt = [s for k in case.wrt for s in np.asarray(symbols[k], dtype=object).reshape(-1)]
    return symbols, outputs, wrt


def run(case, params, points, rng, precision=DEFAULT):
    warm_up()
    real = PRECISIONS[precision].real
    like = points[0]
    with Stopwatch() as build:
        symbols, outputs, wrt = derive(case, params, like)
    with Stopwatch() as derivation:
        flat = [sympy.diff(out, s) for out in outputs for s in wrt]
        replacements, reduced = cse(flat)
    d_nodes, d_ops = tree_size(flat)
    cse_nodes, cse_ops = cse_output_size(replacements, reduced)
    names = list(like)
    arguments = [list(np.asarray(symbols[k], dtype=object).reshape(-1)) for k in names]
    with Stopwatch() as lambdification:
        # The cse found above, in the reduced expressions' terms (lambdify would walk the full trees otherwise).
        compiled = lambdify_numpy(arguments, list(reduced), cse=lambda _: (replacements, reduced))
    setup = build.seconds + derivation.seconds + lambdification.seconds
    # NB: the cost baseline of sympy is f evaluated the way sympy evaluates it (lambdified numpy code), not the
    # case's float ops; compiling f is no part of the derivative's setup.
    function_cse = cse(outputs)    # one cse of f: its lambdified code and its DAG size in swell.csv
    function = lambdify_numpy(arguments, outputs, cse=lambda _: function_cse)
    extra = {"expr_nodes": d_nodes, "expr_ops": d_ops, "expr_cse_ops": cse_ops}
    swell = swell_entries(case, params, symbols, outputs, flat, (d_nodes, d_ops), (cse_nodes, cse_ops),
                          function_cse)
    results = []
    for inputs in points:
        # NB: numpy scalars of the precision, not Python floats (which would compute in float64)
        values = [list(np.asarray(inputs[k], dtype=real).reshape(-1)) for k in names]

        def evaluate():
            return compiled(*values)
        jacobian = np.array(evaluate(), dtype=np.float64).reshape(len(outputs), len(wrt))
        seconds = measure(evaluate)
        own = measure(lambda: function(*values))
        results.append(PointResult(jacobian, setup_time_s=setup, eval_time_s=seconds,
                                   extra={**extra, "own_func_time_s": own},
                                   timings={"derive": build.seconds + derivation.seconds,
                                            "lambdify": lambdification.seconds, "eval": seconds},
                                   swell=swell))
    return results


def swell_entries(case, params, symbols, outputs, flat, tree, dag, function_cse) -> list[dict]:
    """swell.csv entries of this derivation: f, sympy's derivative as a tree and after cse, and (while small)
    the simplified form and AD over sympy; `diffbench swell` measures all of them with a time budget instead.
    function_cse: sympy's cse of f (sizes.cse), whose DAG is f's function_dag entry."""
    f_nodes, f_ops = tree_size(outputs)
    fd_nodes, fd_ops = cse_output_size(*function_cse)
    entries = [
        {"representation": "function", "nodes": f_nodes, "ops": f_ops, "expression": expression_text(outputs, f_nodes)},
        {"representation": "function_dag", "nodes": fd_nodes, "ops": fd_ops},
        {"representation": "sympy_tree", "nodes": tree[0], "ops": tree[1], "expression": expression_text(flat, tree[0])},
        {"representation": "sympy_cse", "nodes": dag[0], "ops": dag[1]},
    ]
    if tree[0] <= IN_RUN_SIMPLIFY_MAX_NODES:
        entries.append(_side_entry("sympy_simplified", lambda: _simplified_entry(flat)))
    if tree[0] <= IN_RUN_AD_SYMPY_MAX_NODES:
        entries.append(_side_entry("ad_sympy", lambda: dict(zip(("nodes", "ops"),
                                                                 cse_size(ad_over_sympy(case, params, symbols))))))
    return entries


def _simplified_entry(flat) -> dict:
    simplified = [survey_simplified(e) for e in flat]
    nodes, ops = tree_size(simplified)
    return {"nodes": nodes, "ops": ops, "expression": expression_text(simplified, nodes)}


def _side_entry(representation: str, build) -> dict:
    """A side measurement that fails (AD over sympy has no rule for a comparison, say) is recorded, not raised."""
    try:
        return {"representation": representation, **build()}
    except Exception as error:  # noqa: BLE001 - the symbolic derivative itself stands
        return {"representation": representation, "status": "failed", "message": error_text(error)}


SYMPY = Method("sympy", "symbolic", "sympy.diff of the case's expression, lambdified with cse", run,
               expected_timeout=True, shared_setup=True, follows_precision=True, warm_up=warm_up)
