"""In-memory cases run in this process: references at the exact inputs, the methods, and the runner's own assembly."""
from __future__ import annotations

import datetime as dt
import signal
import threading
import time
from pathlib import Path

from diffbench.backends import MpOps
from diffbench.case import describe, point_rng
from diffbench.costs import add_break_even
from diffbench.error_text import error_text
from diffbench.evidence import evidence_lines
from diffbench.exact import ExactPoint, exact_strings, rounding_digits, rounds_exactly
from diffbench.floor import exact_jacobian, mp_strings, point_floor
from diffbench.methods import METHODS
from diffbench.reference import reference
from diffbench.runner.config import Plan, RunConfig
from diffbench.runner.executor import Failure
from diffbench.runner.join import assemble
from diffbench.runner.meta import run_meta
from diffbench.runner.worker import Job, JobOutput, execute

# NB: why in this process and not through the runner's workers: a function typed in a notebook (a lambda, a
# closure over the cell's variables, anything defined in __main__) cannot be sent to the runner's fork-server
# workers, which load each case from its file; running here also spares a notebook call the workers'
# start-up. The price: no time budget or memory limit, so a function that loops holds the cell until the
# kernel is interrupted. Case files keep the isolation: diffbench.run() sends them through the runner.
# What stays of the budget: in the main thread (a notebook's cells run there) a method job that runs past it is
# stopped by SIGALRM and recorded as a timeout, as a worker's would be (sympy's expression swell, mostly).

BUDGET_S = 5.0       # seconds per method job, as `diffbench run --budget` defaults


class _OutOfTime(BaseException):
    """Raised by the alarm inside a method job past its budget (a BaseException: the methods catch Exception)."""


def budgeted(job, case, budget_s: float | None):
    """execute(job, case), or Failure("timeout") once budget_s seconds have passed (main thread, POSIX only)."""
    if not budget_s or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return execute(job, case)

    def out_of_time(signum, frame):
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, budget_s)
            return execute(job, case)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OutOfTime:
        return Failure("timeout", f"timed out after {budget_s:g} s")
    finally:
        signal.signal(signal.SIGALRM, previous)


def point_inputs(case, params: dict, mode: str, seed: int) -> list[tuple[dict, dict]]:
    """(exact inputs, float64 inputs) of each point of one parameter value, as the runner plans them."""
    count = 1 if mode == "quick" else case.points
    points = []
    for k in range(count):
        rounded = case.inputs(seed, params, k)
        exact = dict(rounded)
        if k == 0 and isinstance(case.canonical, ExactPoint):
            exact.update(case.canonical.exact)
        points.append((exact, rounded))
    return points


def reference_point(case, params: dict, exact: dict, rounded: dict, seed: int, index: int, dps: int) -> tuple:
    """(the reference dict the runner's assembly reads, what evidence adds about the inputs' rounding).

    The reference and the 50-digit strings are at the exact inputs; f_digits and attainable_digits describe
    float64 at the rounded point, which is where the float methods run."""
    rng = point_rng(seed, case.name + "|reference", params, index)
    try:
        ref = {**reference(case, params, exact, rng, dps), **point_floor(case, params, rounded, seed, index, dps)}
    except Exception as error:  # noqa: BLE001 - recorded, as a worker records it
        return {"error": error_text(error)}, {}
    about = {"inputs_exact": {k: exact_strings(v) for k, v in exact.items()}}
    if all(rounds_exactly(exact[k], rounded[k]) for k in exact):
        return ref, {**about, "inputs_rounding_digits": float(dps)}
    mp = MpOps(dps)
    at_exact, value = exact_jacobian(case, params, {k: mp.asarray(v) for k, v in exact.items()}, mp)
    at_rounded, _ = exact_jacobian(case, params, {k: mp.asarray(v) for k, v in rounded.items()}, mp)
    ref.update(f_ref=mp_strings(mp.ctx, value), jacobian_ref=mp_strings(mp.ctx, at_exact))
    return ref, {**about, "inputs_rounding_digits": rounding_digits(at_exact, at_rounded, mp, dps),
                 "jacobian_ref_at_rounded_inputs": mp_strings(mp.ctx, at_rounded)}


def run_cases(cases: list, methods: tuple, mode: str = "quick", seed: int = 0, dps: int = 50,
              command: str = "diffbench", budget_s: float | None = BUDGET_S) -> tuple[dict, list, dict]:
    """(rows of every table, evidence lines, meta) of in-memory cases x methods, every job here."""
    started, clock = dt.datetime.now().isoformat(timespec="seconds"), time.perf_counter()
    results, about, stopped = [], {}, {}
    for name in methods:
        METHODS[name]    # NB: imports the method's module (torch, sympy) now, so no job's budget pays for it
    for case in cases:
        for value in case.sweep_values(mode):
            params = case.params(value)
            points = point_inputs(case, params, mode, seed)
            common = dict(source=case.source, case=case.name, params=params,
                          points=tuple(rounded for _, rounded in points), seed=seed, dps=dps)
            for index, (exact, rounded) in enumerate(points):
                job = Job(kind="reference", **{**common, "points": (rounded,)}, first_point=index)
                ref, about[(case.name, describe(params), index)] = reference_point(
                    case, params, exact, rounded, seed, index, dps)
                results.append((job, JobOutput(job, [ref])))
            for name in methods:
                job = Job(kind="method", method=name, **common)
                if (case.name, name) in stopped:    # NB: the runner's lane policy: larger sizes would time out too
                    results.append((job, Failure("skipped", stopped[case.name, name])))
                    continue
                output = budgeted(job, case, budget_s)
                if isinstance(output, Failure) and METHODS[name].expected_timeout:
                    stopped[case.name, name] = f"not run: {job.label} already timed out after {budget_s:g} s"
                results.append((job, output))
    config = RunConfig(cases={case.name: case for case in cases}, methods=tuple(methods), mode=mode, seed=seed,
                       dps=dps, time_budget_s=budget_s or float("inf"), workers=1, command=[command])
    plan_ = Plan([job for job, _ in results], [], {case.name: case for case in cases})
    tables, failures = assemble(plan_, results, config)
    add_break_even(tables["results"])
    evidence = evidence_lines(tables, results)
    for line in evidence:
        if line["kind"] == "point":
            line.update(about.get((line["case"], line["param"], line["point"]), {}))
    failed = sum(isinstance(output, Failure) and output.status != "skipped"
                 and not (output.status == "timeout" and METHODS[job.method].expected_timeout)
                 for job, output in results)
    counts = {"total": len(results), "done": len(results), "failed": failed, "left": 0}
    meta = run_meta(config, Path("in-process"), started, time.perf_counter() - clock, "complete", counts,
                    failures, [])
    meta["in_process"] = True
    meta["inputs_rounding_digits"] = {f"{case} {param} point {point}": extra.get("inputs_rounding_digits")
                                      for (case, param, point), extra in about.items()}
    return tables, evidence, meta
