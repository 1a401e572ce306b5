"""Check solution files: each task function in its own worker process, every answer judged here, per task."""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from diffbench.case import load_cases, point_rng
from diffbench.check import channel
from diffbench.check.compare import MIN_DIGITS, Verdict, expected_layout, judge
from diffbench.check.isolate import Limits, ProcessKeeper, WorkerRun, run_worker
from diffbench.check.sandbox import Sandbox
from diffbench.check.tasks import TASKS, Task, call_arguments, task_cases, task_points

DEFAULT_TIME_LIMIT_S = 10.0
DEFAULT_JOBS = 2
FUNCTION_NAMES = tuple(task.function for task in TASKS)


@dataclass(frozen=True)
class CheckOptions:
    seed: int = 0
    limits: Limits = field(default_factory=Limits)
    min_digits: float = MIN_DIGITS
    layout: str = "rows"           # the Jacobian layout answers are expected in (compare.LAYOUTS)


@dataclass
class TaskResult:
    task: Task
    status: str     # pass | fail | not implemented | raised | exited | returned | timed out | crashed | error
    verdicts: list = field(default_factory=list)   # Verdict per point that returned an answer
    message: str = ""                    # why the function could not be judged, or the diagnosis
    seconds: float = float("nan")        # the worker's time from its start to its end
    output: str = ""                     # what the student's code printed (capped)

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
    sandbox: str = "none"                # where the student's code ran: bwrap | none
    output: str = ""                     # what the file printed while it was loaded

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
            from diffbench.reference import reference     # NB: loads torch and sympy; only when judging
            rng = point_rng(seed, f"{case.name}|reference", point.params, point.index)
            self.by_key[key] = reference(case, point.params, point.inputs, rng)
        return self.by_key[key]


def check_solution(path, sandbox: Sandbox, options: CheckOptions = CheckOptions(), cases: dict | None = None,
                   references: ReferenceCache | None = None, jobs: int = DEFAULT_JOBS) -> CheckResult:
    return check_solutions([path], sandbox, options, cases, references, jobs)[0]


def check_solutions(paths: list, sandbox: Sandbox, options: CheckOptions = CheckOptions(),
                    cases: dict | None = None, references: ReferenceCache | None = None,
                    jobs: int = DEFAULT_JOBS) -> list[CheckResult]:
    """Every file checked under the same limits, `jobs` student processes at a time; one result per file."""
    paths = [Path(p).resolve() for p in paths]
    cases = task_cases(cases if cases is not None else load_cases())
    references = references if references is not None else ReferenceCache()
    keeper = ProcessKeeper(sandbox)
    limits = options.limits
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
        probes = [executor.submit(run_worker, keeper, path, {"names": list(FUNCTION_NAMES)}, limits)
                  for path in paths]
        plans = [plan_file(path, probe.result(), cases, options, keeper, executor, sandbox)
                 for path, probe in zip(paths, probes)]
        return [finish_file(plan, cases, options, references) for plan in plans]


@dataclass
class FilePlan:
    result: CheckResult
    runs: dict = field(default_factory=dict)      # function -> (task, points, future of WorkerRun)


def plan_file(path: Path, probe: WorkerRun, cases: dict, options: CheckOptions, keeper: ProcessKeeper,
              executor: ThreadPoolExecutor, sandbox: Sandbox) -> FilePlan:
    """Load the file once (what it defines), then start one worker per task function it defines."""
    defined, problem = channel.defined_functions(probe, FUNCTION_NAMES, options.limits.time_s)
    result = CheckResult(path, [], [name for name in FUNCTION_NAMES if name not in defined],
                         sandbox=sandbox.kind, output=probe.output.text())
    if problem:
        result.error = f"could not load {path.name}: {problem}"
        return FilePlan(result)
    if not defined:
        result.error = f"{path.name} defines none of the template's functions ({', '.join(FUNCTION_NAMES)})"
        return FilePlan(result)
    plan = FilePlan(result)
    for task in TASKS:
        if task.function not in defined:
            continue
        if task.case not in cases:
            result.tasks.append(TaskResult(task, "error", message=f"case {task.case!r} is not in the case library"))
            continue
        points = task_points(task, cases[task.case], options.seed)
        request = {"names": list(FUNCTION_NAMES), "function": task.function,
                   "calls": channel.encode_calls([call_arguments(task, p) for p in points])}
        plan.runs[task.function] = (task, points, executor.submit(run_worker, keeper, path, request, options.limits))
    return plan


def finish_file(plan: FilePlan, cases: dict, options: CheckOptions, references: ReferenceCache) -> CheckResult:
    for task, points, future in plan.runs.values():
        run = future.result()
        answers = channel.call_outcomes(run, len(points), options.limits.time_s)
        judged = judge_task(task, cases[task.case], points, answers, options, references)
        judged.seconds, judged.output = run.seconds, run.output.text()
        plan.result.tasks.append(judged)
    order = {name: k for k, name in enumerate(FUNCTION_NAMES)}
    plan.result.tasks.sort(key=lambda t: order[t.task.function])
    return plan.result


def judge_task(task: Task, case, points: list, answers: list, options: CheckOptions,
               references: ReferenceCache) -> TaskResult:
    """One task's status from its per-point answers: the first failure that is not a wrong number wins."""
    verdicts = []
    for point, (status, answer) in zip(points, answers):
        if status == "not implemented":
            return TaskResult(task, status, message="not implemented (the template's stub)")
        if status == "returned":
            expected = expected_layout(case, point.params, point.inputs, options.layout)
            what = "None" if answer == "NoneType" else f"a {answer}"
            return TaskResult(task, "fail", verdicts,
                              message=f"your function returned {what}, expected {expected} at {point.label}")
        if status != "ok":
            return TaskResult(task, status, verdicts, message=f"{answer} at {point.label}")
        rng = point_rng(options.seed, f"{case.name}|taylor", point.params, point.index)
        mistakes = task.mistakes(**point.inputs) if task.mistakes else ()
        verdicts.append(judge(case, point.params, point.inputs, answer,
                              references.get(task, case, point, options.seed), rng, point.label,
                              options.min_digits, options.layout, mistakes))
    failing = [v for v in verdicts if not v.ok]
    if not failing and len(verdicts) == len(points):
        return TaskResult(task, "pass", verdicts)
    if not failing:
        return TaskResult(task, "crashed", verdicts, message="answered fewer points than it was asked")
    named = [v.mistake for v in failing if v.mistake]
    worst = min(failing, key=lambda v: -math.inf if math.isnan(v.digits) else v.digits)
    message = named[0] if named else worst.problem
    return TaskResult(task, "fail", verdicts, message=f"{message} ({len(failing)} of {len(verdicts)} points)")
