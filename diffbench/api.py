"""The Python face of diffbench: compare() a function at a point, run() cases as `diffbench run` does, load() a run."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from diffbench.case import Case
from diffbench.exact import ExactPoint, InputError, exact_inputs
from diffbench.result import Result

MIN_DPS = 30     # the reference's routes must be able to agree to REFERENCE_AGREEMENT_DIGITS


def _methods(methods, case: Case | None = None) -> tuple:
    from diffbench.methods import DEFAULT_METHODS, METHODS
    if methods is None:
        return tuple(m for m in DEFAULT_METHODS if m != "analytic" or (case is not None and case.analytic))
    names = (methods,) if isinstance(methods, str) else tuple(methods)
    unknown = [m for m in names if m not in METHODS]
    if unknown or not names:
        raise ValueError(f"unknown method(s) {', '.join(unknown) or '(none given)'}; methods: {', '.join(METHODS)}")
    return names


def _dps(dps: int) -> int:
    if not isinstance(dps, int) or dps < MIN_DPS:
        raise ValueError(f"dps: the reference needs at least {MIN_DPS} digits, not {dps!r}")
    return dps


def compare(f, methods=None, dps: int = 50, **inputs) -> Result:
    """Every method's derivative of f at the inputs, scored against an mpmath reference at the exact inputs.

    f: a function f(o, x, ...) written with the ops vocabulary, or a Case (inputs then replace those of its
    first point). An input: float, int, Fraction, decimal string ("0.1", exact), mpmath number, numpy array or
    list of those. Float methods get the float64 rounding; Result.points says what that rounding costs."""
    dps = _dps(dps)
    if isinstance(f, Case):
        case = _at(f, inputs, dps)
    else:
        if not inputs:
            raise InputError("compare(f, x=...): give f's inputs by name")
        case = Case.from_function(f, inputs=inputs, dps=dps)
    from diffbench.inprocess import run_cases
    rows, evidence, meta = run_cases([case], _methods(methods, case), "quick", 0, dps,
                                     command=f"diffbench.compare({case.name}, {', '.join(inputs)})")
    return Result.from_rows(rows, evidence, meta)


def _at(case: Case, inputs: dict, dps: int) -> Case:
    """The case at its first quick parameter value, one point: its canonical inputs replaced by `inputs`."""
    params = case.params(case.sweep_values("quick")[0])
    generated = case.inputs(0, params, 0)
    unknown = [name for name in inputs if name not in generated]
    if unknown:
        raise InputError(f"case {case.name!r} has no input {', '.join(unknown)}; its inputs: {', '.join(generated)}")
    exact, rounded = exact_inputs(inputs, dps)
    for name, value in rounded.items():
        if value.shape != generated[name].shape:
            raise InputError(f"input {name}: shape {value.shape}, case {case.name!r} expects {generated[name].shape}")
    known = exact_inputs(generated, dps)[0]
    if isinstance(case.canonical, ExactPoint):
        known.update(case.canonical.exact)
    point = ExactPoint({**known, **exact}, {**generated, **rounded})
    value = params.get(case.sweep) if case.sweep else None
    return replace(case, canonical=point, points=1, values=(value,) if case.sweep else (),
                   quick_values=(value,) if case.sweep else None)


def run(cases=None, methods=None, quick: bool = True, out=None, seed: int = 0, dps: int = 50, case_dirs=(),
        budget: float = 5.0, jobs: int | None = None) -> Result:
    """The library form of `diffbench run`: a run folder under `out` only when it is given.

    cases: None (every case), a pattern as --only takes it ("logdet*,logistic"), or a list of Case objects;
    cases loaded from files run in the runner's workers (time budget, memory limit), in-memory cases
    (Case.from_function) here, as compare() runs them."""
    dps, mode = _dps(dps), "quick" if quick else "default"
    if cases is not None and not isinstance(cases, str):
        cases = list(cases)
        if not all(isinstance(c, Case) for c in cases):
            raise TypeError("cases: a pattern (str) or a list of Case objects")
        if all(not c.source for c in cases):
            from diffbench.inprocess import run_cases
            rows, evidence, meta = run_cases(cases, _methods(methods, cases[0] if len(cases) == 1 else None),
                                             mode, seed, dps, command="diffbench.run(...)", budget_s=budget)
            result = Result.from_rows(rows, evidence, meta)
            return result if out is None else load(result.to_csv(_new_folder(out)))
        if any(not c.source for c in cases):
            raise ValueError("cases: in-memory cases and cases from files cannot share one run; run them apart")
        case_dirs = tuple(dict.fromkeys(str(Path(c.source).parent) for c in cases))
        cases = [c.name for c in cases]
    return _run_files(cases, _methods(methods), mode, out, seed, dps,
                      tuple(case_dirs), budget, jobs)


def _run_files(pattern, methods, mode, out, seed, dps, case_dirs, budget, jobs) -> Result:
    import click

    from diffbench.cli import select_cases
    from diffbench.options import default_jobs, reference_budget
    from diffbench.runner import RunConfig, execute_run
    from diffbench.runner.config import default_memory_mb
    from diffbench.runner.resume import survey_cases
    workers = jobs or default_jobs()
    memory_mb = default_memory_mb(workers)
    plans, load_failures = survey_cases(case_dirs, mode, seed, workers, memory_mb)
    if isinstance(pattern, list):     # the names of the Case objects given: exactly those
        missing = [name for name in pattern if name not in plans]
        if missing:
            raise ValueError(f"case(s) {', '.join(missing)} did not load from {', '.join(case_dirs)}")
        chosen = {name: plans[name] for name in pattern}
    else:
        try:
            chosen = select_cases(plans, pattern) if plans or pattern else {}
        except click.BadParameter as error:
            raise ValueError(error.format_message()) from None
    scratch = None if out is not None else Path(tempfile.mkdtemp(prefix="diffbench-run-"))
    config = RunConfig(cases=chosen, methods=methods, mode=mode, seed=seed, dps=dps, time_budget_s=budget,
                       reference_budget_s=reference_budget(budget, None), workers=workers,
                       out_dir=Path(out) if out is not None else scratch,
                       command=["diffbench.run(...)"], case_dirs=case_dirs, memory_mb=memory_mb, plans=chosen,
                       load_failures=load_failures)
    try:
        run_dir, _ = execute_run(config)
        result = load(run_dir)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)   # NB: a folder this call made, with what it wrote
    if scratch is not None:
        result.path = None
    return result


def _new_folder(out) -> Path:
    from diffbench.runner.meta import new_run_dir
    return new_run_dir(Path(out))


def load(run_dir) -> Result:
    """A stored run (a `diffbench run` folder, or one written by Result.to_csv) read back; writes nothing."""
    from diffbench import records
    from diffbench.evidence import FILE, read_evidence
    run_dir = Path(run_dir)
    meta = records.check_run_folder(run_dir)
    tables = {name: records.read_table(run_dir, name) for name in records.TABLES}
    evidence = read_evidence(run_dir) if (run_dir / FILE).exists() else []
    return Result(tables, evidence, meta, run_dir)
