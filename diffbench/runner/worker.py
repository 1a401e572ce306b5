"""What runs inside a worker process: planning a case file, a reference or method job, a case's evaluation traces."""
from __future__ import annotations

import functools
import json
import shutil
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from diffbench.case import DomainError, describe, load_case_file, point_rng
from diffbench.error_text import error_text
from diffbench.methods import METHODS
from diffbench.methods.base import PointResult
from diffbench.floor import point_floor
from diffbench.precision import DEFAULT
from diffbench.reference import reference_with_route1
from diffbench.runner.second_order_worker import run_second_order
from diffbench.timing import function_times
from diffbench.trace import write_traces


SCRATCH = ".traces"     # run-folder subfolder where a trace worker writes before its files are moved in


@dataclass(frozen=True)
class Job:
    kind: str                 # "reference" | "method"
    source: str               # the case's file
    case: str
    params: dict
    points: tuple             # inputs of each point (dicts of float64 arrays)
    seed: int
    method: str = ""
    dps: int = 50
    first_point: int = 0      # index of points[0] among the parameter's points (references run one point a job)
    derivative: str = "gradient"   # gradient | hessian | hvp (diffbench/second_order.py runs the last two)
    precision: str = DEFAULT  # what the method computes in (diffbench.precision); points are rounded to it

    @property
    def label(self) -> str:
        what = self.method or f"reference point {self.first_point}"
        what += f" {self.precision}" if self.precision != DEFAULT else ""
        return f"{self.case} {', '.join(f'{k}={v}' for k, v in self.params.items())} {what}".strip()


@dataclass
class JobOutput:
    job: Job | None = None
    points: list = field(default_factory=list)      # PointResult per point (method) or reference dicts
    func_times: list = field(default_factory=list)  # plain float function time per point
    seconds: float = 0.0                             # wall time of the whole job
    nonfinite_reason: str | None = None              # why NaN/inf is expected at these parameters (the case says)
    warnings: list = field(default_factory=list)     # "Category: message" of each distinct warning, with its count


@functools.lru_cache(maxsize=None)
def _cases_in(source: str) -> dict:
    return {c.name: c for c in load_case_file(source)}


def find_case(source: str, name: str):
    return _cases_in(source)[name]


def execute(job: Job, case=None) -> JobOutput:
    """Run a job (of `case` when given, else of the case its source file defines); an exception at one
    point becomes that point's failed result, not a crash."""
    start = time.perf_counter()
    # NB: warnings raised by case code (overflow in exp, ...) are recorded, not printed into the progress bar
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = _execute(job, case)
    output.seconds = time.perf_counter() - start
    output.warnings = distinct_warnings(caught)
    return output


def distinct_warnings(caught: list, limit: int = 10) -> list[str]:
    """Each distinct warning once, as "Category: message (N times)", the most frequent first."""
    counts: dict[str, int] = {}
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        counts[text] = counts.get(text, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:limit]
    return [f"{text} ({count} time{'s' * (count != 1)})" for text, count in ranked]


def _execute(job: Job, case=None) -> JobOutput:
    case = case if case is not None else find_case(job.source, job.case)
    output = JobOutput(job)
    if job.derivative != "gradient":
        return run_second_order(job, case, output)
    if job.kind == "reference":
        for index, inputs in enumerate(job.points, start=job.first_point):
            rng = point_rng(job.seed, case.name + "|reference", job.params, index)
            try:
                found, route1 = reference_with_route1(case, job.params, inputs, rng, job.dps)
                output.points.append({**found, **point_floor(case, job.params, inputs, job.seed, index, job.dps,
                                                             route1)})
            except Exception as error:  # noqa: BLE001 - recorded, the run goes on
                output.points.append({"error": _describe(error)})
        return output
    method = METHODS[job.method]
    output.nonfinite_reason = case.nonfinite_reason(job.params)
    output.func_times.extend(function_times(case, job.points, job.params))
    rng = point_rng(job.seed, case.name + "|" + job.method, job.params, 0)
    # Methods with a shared setup (symbolic derivation) see all points at once, the rest one at a time.
    groups = [list(job.points)] if method.shared_setup else [[p] for p in job.points]
    if job.precision != DEFAULT and not method.follows_precision:
        message = f"{method.name} computes in its own fixed precision, not in {job.precision}"
        output.points.extend(PointResult(status="skipped", message=message) for _ in job.points)
        return output
    chosen = {"precision": job.precision} if method.follows_precision else {}
    for group in groups:
        try:
            with np.errstate(all="ignore"):
                output.points.extend(method.run(case, job.params, group, rng, **chosen))
        except Exception as error:  # noqa: BLE001 - recorded, the run goes on
            output.points.extend(PointResult(status="failed", message=_describe(error)) for _ in group)
    return output


@dataclass(frozen=True)
class PlannedParam:
    """One parameter value of a case: its points' inputs, or why it has none."""
    params: dict
    points: tuple = ()        # inputs of each point
    status: str = "ok"        # ok | domain_error | failed
    message: str = ""


@dataclass(frozen=True)
class CasePlan:
    """What the parent needs to know of a case: plain data, no function of the case's."""
    name: str
    family: str
    source: str
    sweep: str | None
    fixed: dict               # the parameters that are not swept
    planned: tuple            # PlannedParam per parameter value of the run's mode (none when no mode was given)
    sweep_values: dict        # mode -> the swept parameter's values
    wrt: tuple = ()           # the differentiated inputs
    second_order_inputs: int = 0   # Case.second_order_inputs

    def params(self, value) -> dict:
        """The parameters at a value of the swept one, as Case.params gives them."""
        return {**self.fixed, self.sweep: value} if self.sweep is not None else dict(self.fixed)


@dataclass(frozen=True)
class LoadFailure:
    source: str
    message: str              # names the file and line


def plan_file(source: str, mode: str | None, seed: int):
    """Load one case file and build every point's inputs for mode (None: none): CasePlans, or its LoadFailure."""
    try:
        cases = load_case_file(source)
    except BaseException as error:  # noqa: BLE001 - a module failing or exiting at import is its file's record
        return LoadFailure(source, f"could not load cases from {source}: {_describe_in(error, source)}")
    return [CasePlan(case.name, case.family, case.source, case.sweep, dict(case.fixed),
                     tuple(_plan_param(case, case.params(value), mode, seed) for value in case.sweep_values(mode))
                     if mode else (), {m: tuple(case.sweep_values(m)) for m in ("quick", "default", "full")},
                     tuple(case.wrt), case.second_order_inputs)
            for case in cases]


def _plan_param(case, params: dict, mode: str, seed: int) -> PlannedParam:
    count = 1 if mode == "quick" else case.points  # NB: --quick keeps point 0 only
    try:
        return PlannedParam(params, tuple(case.inputs(seed, params, k) for k in range(count)))
    except DomainError as error:
        return PlannedParam(params, status="domain_error", message=str(error))
    except Exception as error:  # noqa: BLE001 - inputs that cannot be built are that parameter's record
        return PlannedParam(params, status="failed", message=f"inputs of {describe(params)}: {_describe(error)}")


def trace_case(source: str, name: str, run_dir: str, seed: int, mode: str) -> dict:
    """Write the case's evaluation traces into run_dir/traces: {"stems": files written, "failures": records}."""
    scratch = Path(run_dir) / SCRATCH / name
    shutil.rmtree(scratch, ignore_errors=True)   # NB: ours, from an earlier, interrupted try
    scratch.mkdir(parents=True)
    failures = write_traces(scratch, {name: find_case(source, name)}, seed, mode)
    stems = []
    written = scratch / "traces"
    if (written / "index.json").exists():
        stems = json.loads((written / "index.json").read_text())
        target = Path(run_dir) / "traces"
        target.mkdir(exist_ok=True)
        for path in written.iterdir():
            if path.name != "index.json":
                path.replace(target / path.name)
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        scratch.parent.rmdir()
    except OSError:
        pass    # another case's trace is still being written
    return {"stems": stems, "failures": failures}


def _describe_in(error: BaseException, source: str) -> str:
    """The error, and the line of the case file it came from."""
    if isinstance(error, SyntaxError) and error.lineno:
        return f"SyntaxError: {error.msg} (at {Path(error.filename or source).name}:{error.lineno})"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == Path(source)]
    where = f" (at {Path(source).name}:{frames[-1].lineno})" if frames else ""
    if isinstance(error, SystemExit):
        return f"the case module called sys.exit({error.code!r}){where}"
    return f"{error_text(error)}{where}"


def _describe(error: BaseException) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f" (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return f"{error_text(error)}{where}"
