"""The expression-swell experiment: each representation of a derivative, sized and timed per parameter, under a budget."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy

from diffbench.ad import api
from diffbench.backends import FloatOps
from diffbench.case import Case, DomainError, describe
from diffbench.derivatives import ad_over_sympy, expression_text, survey_simplified
from diffbench.error_text import error_text
from diffbench.methods.symbolic import derive, warm_up
from diffbench.runner.config import default_memory_mb
from diffbench.runner.executor import Failure, Limits, LocalExecutor
from diffbench.runner.scheduler import Task, run_tasks
from diffbench.runner.worker import find_case
from diffbench.sizes import cse, cse_output_size, tree_size
from diffbench.swell_fits import fit_rows  # noqa: F401 - the fits belong with the experiment's API
from diffbench.sympy_numpy import lambdify_numpy
from diffbench.timing import Stopwatch, measure

DEFAULT_SIZES = {"logistic": tuple(range(1, 13)), "linear_minus_logdet": tuple(range(1, 9))}


@dataclass(frozen=True)
class Measured:
    nodes: int
    ops: int
    derive_time_s: float = float("nan")    # from the case's Python function to this representation
    lambdify_time_s: float = float("nan")  # sympy.lambdify of it (code generation and compilation)
    eval_time_s: float = float("nan")      # median time of one float64 evaluation at point 0
    expression: str = ""                   # the expression as text, when small


@dataclass(frozen=True)
class Symbolic:
    """The case traced with sympy symbols: outputs and differentiated symbols flattened, in a stable order."""
    symbols: dict
    outputs: list
    wrt: list
    names: list          # input names, the order of lambdified arguments
    seconds: float       # time to trace


def trace(case: Case, params: dict, inputs: dict) -> Symbolic:
    warm_up()
    with Stopwatch() as clock:
        symbols, outputs, wrt = derive(case, params, inputs)
    return Symbolic(symbols, outputs, wrt, list(inputs), clock.seconds)


def evaluate(sym: Symbolic, inputs: dict, exprs: list, cse_result=None) -> tuple[float, float]:
    """(lambdify seconds, per-evaluation seconds) of exprs as float64 code, with a given cse or none."""
    arguments = [list(np.asarray(sym.symbols[k], dtype=object).reshape(-1)) for k in sym.names]
    values = [np.asarray(inputs[k], dtype=np.float64).reshape(-1).tolist() for k in sym.names]
    generate = False
    if cse_result is not None:
        # NB: lambdify walks the expression it is given as a tree (looking for implemented functions), which is
        # exponential on a DAG; handing it the reduced expressions and the precomputed cse avoids that walk.
        exprs, generate = list(cse_result[1]), (lambda _: cse_result)
    with Stopwatch() as clock:
        compiled = lambdify_numpy(arguments, exprs, cse=generate)
    return clock.seconds, measure(lambda: compiled(*values))


def derivatives(sym: Symbolic) -> tuple[list, float]:
    """sympy.diff of every output by every differentiated symbol (rows flattened), and the seconds it took."""
    with Stopwatch() as clock:
        exprs = [sympy.diff(out, s) for out in sym.outputs for s in sym.wrt]
    return exprs, clock.seconds


def function(case, params, inputs) -> Measured:
    sym = trace(case, params, inputs)
    nodes, ops = tree_size(sym.outputs)
    seconds = measure(lambda: case.call(FloatOps(), inputs, params))
    return Measured(nodes, ops, sym.seconds, eval_time_s=seconds, expression=expression_text(sym.outputs, nodes))


def function_dag(case, params, inputs) -> Measured:
    sym = trace(case, params, inputs)
    with Stopwatch() as clock:
        replacements, reduced = cse(sym.outputs)
    nodes, ops = cse_output_size(replacements, reduced)
    return Measured(nodes, ops, sym.seconds + clock.seconds)


def sympy_tree(case, params, inputs) -> Measured:
    sym = trace(case, params, inputs)
    exprs, seconds = derivatives(sym)
    nodes, ops = tree_size(exprs)
    lambdify_s, eval_s = evaluate(sym, inputs, exprs)
    return Measured(nodes, ops, sym.seconds + seconds, lambdify_s, eval_s, expression_text(exprs, nodes))


def sympy_cse(case, params, inputs) -> Measured:
    sym = trace(case, params, inputs)
    exprs, seconds = derivatives(sym)
    with Stopwatch() as clock:
        result = cse(exprs)
    nodes, ops = cse_output_size(*result)
    lambdify_s, eval_s = evaluate(sym, inputs, exprs, result)
    return Measured(nodes, ops, sym.seconds + seconds + clock.seconds, lambdify_s, eval_s)


def _simplified(transform: Callable) -> Callable:
    def run(case, params, inputs) -> Measured:
        sym = trace(case, params, inputs)
        exprs, seconds = derivatives(sym)
        with Stopwatch() as clock:
            exprs = [transform(e) for e in exprs]
        nodes, ops = tree_size(exprs)
        lambdify_s, eval_s = evaluate(sym, inputs, exprs)
        return Measured(nodes, ops, sym.seconds + seconds + clock.seconds, lambdify_s, eval_s,
                        expression_text(exprs, nodes))
    return run


def ad_sympy(case, params, inputs) -> Measured:
    """The in-house tape over the sympy backend (reverse mode): the derivative as a DAG of shared subexpressions."""
    sym = trace(case, params, inputs)
    with Stopwatch() as clock:
        exprs = ad_over_sympy(case, params, sym.symbols)
        result = cse(exprs)
    nodes, ops = cse_output_size(*result)
    lambdify_s, eval_s = evaluate(sym, inputs, exprs, result)
    return Measured(nodes, ops, sym.seconds + clock.seconds, lambdify_s, eval_s)


def tape_trace(case, params, inputs) -> Measured:
    """The tape over float64: operations recorded by one reverse-mode Jacobian (the trace grows with f, not f')."""
    xs, data = case.split(inputs)
    f = case.bind(data, params)
    _, tape = api.jacrev(f, FloatOps(), xs)
    seconds = measure(lambda: api.jacrev(f, FloatOps(), xs))
    return Measured(tape.trace_length, tape.trace_length, eval_time_s=seconds)


# Representation -> how it is built and measured; the order is the order of the report's tables.
REPRESENTATIONS: dict[str, Callable] = {
    "function": function,                 # f itself, as a tree
    "function_dag": function_dag,         # f with common subexpressions shared (sympy cse)
    "sympy_tree": sympy_tree,             # sympy.diff of each output by each input, as trees
    "sympy_cse": sympy_cse,               # the same after sympy cse: a DAG
    "sympy_simplified": _simplified(survey_simplified),  # expanded, common factor pulled out
    "sympy_factor": _simplified(sympy.factor),
    "sympy_simplify": _simplified(sympy.simplify),
    "ad_sympy": ad_sympy,                 # reverse-mode tape over sympy, then cse: a DAG
    "tape_trace": tape_trace,             # reverse-mode tape over float64: trace length
}


@dataclass(frozen=True)
class SwellJob:
    source: str           # the case's file
    case: str
    params: dict
    representation: str
    seed: int = 0


def measure_job(job: SwellJob) -> dict:
    """Run in a worker: one representation at one parameter; an error becomes a failed row, not a crash."""
    try:
        case = find_case(job.source, job.case)
        inputs = case.inputs(job.seed, job.params, 0)
        with np.errstate(all="ignore"):
            measured = REPRESENTATIONS[job.representation](case, job.params, inputs)
    except DomainError as error:
        return {"status": "domain_error", "message": str(error)}
    except Exception as error:  # noqa: BLE001 - recorded, the run goes on
        return {"status": "failed", "message": error_text(error)}
    return {"status": "ok", **measured.__dict__}


def row_for(case: Case, params: dict, representation: str, outcome: dict) -> dict:
    value = params.get(case.sweep) if case.sweep else None
    return {"case": case.name, "family": case.family, "param": describe(params), "params": dict(params),
            "sweep_value": float(value) if value is not None else float("nan"), "representation": representation,
            **outcome}


def swell_lane_stops(task, outcome) -> str | None:
    """After a representation's first timeout or failure, its larger sizes are not run."""
    status = outcome.status if isinstance(outcome, Failure) else outcome["status"]
    return None if status == "ok" else f"not run: {task.label} ({status})"


def run_swell(cases: dict, sizes: dict, representations=tuple(REPRESENTATIONS), budget_s: float = 10.0,
              workers: int = 2, seed: int = 0, on_done=None, memory_mb: int | None = None, stop=None) -> list[dict]:
    """Rows of swell.csv: each case x representation is a lane run in increasing size, each job in a worker
    process stopped after budget_s; after a lane's first timeout or failure its larger sizes are not run."""
    limits = Limits(budget_s, memory_mb or default_memory_mb(workers))
    tasks, where = [], {}
    for name, case in cases.items():
        for rep in representations:
            for value in sizes[name]:
                params = case.params(value)
                key = f"swell|{name}|{rep}|{describe(params)}"
                where[key] = (case, params, rep)
                tasks.append(Task(key, measure_job, (SwellJob(case.source, case.name, params, rep, seed),), limits,
                                  f"{rep} stopped at {describe(params)}", lane=(name, rep)))
    rows = []

    def finished(task, outcome, seconds):
        case, params, rep = where[task.key]
        if isinstance(outcome, Failure):
            outcome = {"status": outcome.status, "message": outcome.message}
        rows.append(row_for(case, params, rep, outcome))
        if on_done:
            on_done(rows[-1])

    run_tasks(tasks, LocalExecutor(workers), finished, stop, stops_lane=swell_lane_stops)
    order = {(name, rep): i for i, (name, rep) in enumerate((n, r) for n in cases for r in representations)}
    return sorted(rows, key=lambda r: (order[(r["case"], r["representation"])], r["sweep_value"]))
