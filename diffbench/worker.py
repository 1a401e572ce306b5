"""One job, run inside a worker process: a reference, or one method at every point of a case parameter."""
from __future__ import annotations

import functools
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from diffbench.backends import FloatOps
from diffbench.case import load_case_file, point_rng
from diffbench.floor import point_floor
from diffbench.methods import METHODS
from diffbench.methods.base import PointResult
from diffbench.reference import reference
from diffbench.timing import measure


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

    @property
    def label(self) -> str:
        what = self.method or f"reference point {self.first_point}"
        return f"{self.case} {', '.join(f'{k}={v}' for k, v in self.params.items())} {what}".strip()


@dataclass
class JobOutput:
    job: Job
    points: list = field(default_factory=list)      # PointResult per point (method) or reference dicts
    func_times: list = field(default_factory=list)  # plain float function time per point
    seconds: float = 0.0                             # wall time of the whole job


@functools.lru_cache(maxsize=None)
def _cases_in(source: str) -> dict:
    return {c.name: c for c in load_case_file(source)}


def find_case(source: str, name: str):
    return _cases_in(source)[name]


def execute(job: Job) -> JobOutput:
    """Run a job; an exception at one point becomes that point's failed result, not a crash."""
    start = time.perf_counter()
    output = _execute(job)
    output.seconds = time.perf_counter() - start
    return output


def _execute(job: Job) -> JobOutput:
    _single_thread()
    case = find_case(job.source, job.case)
    output = JobOutput(job)
    if job.kind == "reference":
        for index, inputs in enumerate(job.points, start=job.first_point):
            rng = point_rng(job.seed, case.name + "|reference", job.params, index)
            try:
                output.points.append({**reference(case, job.params, inputs, rng, job.dps),
                                      **point_floor(case, job.params, inputs, job.seed, index, job.dps)})
            except Exception as error:  # noqa: BLE001 - recorded, the run goes on
                output.points.append({"error": _describe(error)})
        return output
    method = METHODS[job.method]
    ops = FloatOps()
    for inputs in job.points:
        try:
            output.func_times.append(measure(lambda: case.call(ops, inputs, job.params)))
        except Exception:  # noqa: BLE001 - the method's own run reports the failure
            output.func_times.append(float("nan"))
    rng = point_rng(job.seed, case.name + "|" + job.method, job.params, 0)
    # Methods with a shared setup (symbolic derivation) see all points at once, the rest one at a time.
    groups = [list(job.points)] if method.shared_setup else [[p] for p in job.points]
    for group in groups:
        try:
            with np.errstate(all="ignore"):
                output.points.extend(method.run(case, job.params, group, rng))
        except Exception as error:  # noqa: BLE001 - recorded, the run goes on
            output.points.extend(PointResult(status="failed", message=_describe(error)) for _ in group)
    return output


def _describe(error: BaseException) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f" (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return f"{type(error).__name__}: {error}{where}"


def _single_thread():
    import torch
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
