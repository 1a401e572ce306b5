"""Check a solution file: run each task function it defines in a worker, judge every answer, summarise per task."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from diffbench.case import load_cases, point_rng
from diffbench.check import isolate
from diffbench.check.compare import MIN_DIGITS, Verdict, judge
from diffbench.check.tasks import TASKS, Task, call_arguments, task_points
from diffbench.reference import reference

DEFAULT_TIME_LIMIT_S = 10.0


@dataclass
class TaskResult:
    task: Task
    status: str                          # pass | fail | not implemented | raised | timed out | crashed
    verdicts: list = field(default_factory=list)   # Verdict per point that returned an answer
    message: str = ""                    # why the function could not be judged, or the diagnosis

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def digits(self) -> float:
        values = [v.digits for v in self.verdicts]
        return min(values, key=lambda d: -math.inf if math.isnan(d) else d) if values else float("nan")

    @property
    def worst(self) -> Verdict | None:
        return min(self.verdicts, key=lambda v: (v.ok, -math.inf if math.isnan(v.digits) else v.digits),
                   default=None)

    @property
    def order(self) -> float | None:
        orders = [v.order for v in self.verdicts if v.order is not None]
        return min(orders) if orders else None


@dataclass
class CheckResult:
    path: Path
    tasks: list                          # TaskResult per task function the file defines
    missing: list                        # template functions the file does not define
    error: str = ""                      # the file itself could not be loaded

    @property
    def passed(self) -> bool:
        return not self.error and bool(self.tasks) and all(t.passed for t in self.tasks)


class ReferenceCache:
    """References by (task, point): reused when one process checks several files (the tests, a grader)."""

    def __init__(self):
        self.by_key = {}

    def get(self, task: Task, case, point, seed: int) -> dict:
        key = (task.function, seed, point.label)
        if key not in self.by_key:
            rng = point_rng(seed, f"{case.name}|reference", point.params, point.index)
            self.by_key[key] = reference(case, point.params, point.inputs, rng)
        return self.by_key[key]


def check_solution(path, pool, seed: int = 0, time_limit_s: float = DEFAULT_TIME_LIMIT_S,
                   min_digits: float = MIN_DIGITS, cases: dict | None = None,
                   references: ReferenceCache | None = None) -> CheckResult:
    """Every task function `path` defines, run in `pool` (isolate.student_pool) and judged against mpmath."""
    path = Path(path).resolve()
    cases = cases if cases is not None else load_cases()
    references = references if references is not None else ReferenceCache()
    names = tuple(task.function for task in TASKS)
    status, defined = isolate.outcome(
        isolate.submit(pool, isolate.defined_functions, (str(path), names), time_limit_s), time_limit_s)
    if status != "ok":
        return CheckResult(path, [], list(names), error=f"could not load {path.name}: {defined}")
    if not defined:
        return CheckResult(path, [], list(names),
                           error=f"{path.name} defines none of the template's functions ({', '.join(names)})")
    results = [TaskResult(task, "error", message=f"case {task.case!r} is not in the case library")
               for task in TASKS if task.function in defined and task.case not in cases]
    tasks = [task for task in TASKS if task.function in defined and task.case in cases]
    points = {task.function: task_points(task, cases[task.case], seed) for task in tasks}
    futures = {task.function: isolate.submit(pool, isolate.call_function,
                                             (str(path), task.function,
                                              [call_arguments(task, p) for p in points[task.function]]),
                                             time_limit_s)
               for task in tasks}
    for task in tasks:
        status, answers = isolate.outcome(futures[task.function], time_limit_s)
        if status != "ok":
            results.append(TaskResult(task, status, message=answers))
            continue
        results.append(judge_task(task, cases[task.case], points[task.function], answers, seed, min_digits,
                                  references))
    return CheckResult(path, results, [name for name in names if name not in defined])


def judge_task(task: Task, case, points: list, answers: list, seed: int, min_digits: float,
               references: ReferenceCache) -> TaskResult:
    """One task's status from its per-point answers: the first failure that is not a wrong number wins."""
    verdicts = []
    for point, (status, answer) in zip(points, answers):
        if status == "not implemented":
            return TaskResult(task, status, message="not implemented (the template's stub)")
        if status != "ok":
            return TaskResult(task, status, verdicts, message=f"{answer} at {point.label}")
        rng = point_rng(seed, f"{case.name}|taylor", point.params, point.index)
        verdicts.append(judge(case, point.params, point.inputs, answer, references.get(task, case, point, seed),
                              rng, point.label, min_digits))
    failing = [v for v in verdicts if not v.ok]
    if not failing:
        return TaskResult(task, "pass", verdicts)
    named = [v.mistake for v in failing if v.mistake]
    worst = min(failing, key=lambda v: -math.inf if math.isnan(v.digits) else v.digits)
    message = named[0] if named else worst.problem
    return TaskResult(task, "fail", verdicts, message=f"{message} ({len(failing)} of {len(verdicts)} points)")
