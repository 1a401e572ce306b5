"""What a run is asked to do (RunConfig) and the jobs it plans from its cases' plans: case x parameter x method."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from diffbench.case import describe
from diffbench.methods import expects_timeout, is_second_order
from diffbench.options import available_memory_gib
from diffbench.precision import DEFAULT, rounded_inputs
from diffbench.runner.second_order_jobs import run_methods, second_order_jobs
from diffbench.runner.worker import Job

MEMORY_SHARE = 0.75      # of the available memory, split between the workers: the default --memory-mb
RESUMABLE = ("case_dirs", "methods", "mode", "seed", "dps", "time_budget_s", "reference_budget_s", "workers",
             "memory_mb", "experiments", "order", "precisions")


def default_memory_mb(workers: int) -> int:
    available = available_memory_gib()
    return max(512, int((available or 4.0) * 1024 * MEMORY_SHARE / max(1, workers)))


@dataclass
class RunConfig:
    cases: dict                      # name -> Case or CasePlan (their .source is all the parent uses), or source path
    methods: tuple
    mode: str = "default"            # quick | default | full
    seed: int = 0
    dps: int = 50
    time_budget_s: float = 5.0
    reference_budget_s: float = 120.0
    workers: int = 2
    out_dir: Path = Path("reports")
    experiments: tuple = ()          # experiment names run after the jobs (diffbench.experiments.registry)
    command: list = field(default_factory=lambda: list(sys.argv))
    case_dirs: tuple = ()            # the folders the cases came from (empty: the built-in library)
    memory_mb: int | None = None     # per worker, beyond its start (None: default_memory_mb(workers))
    plans: dict | None = None        # name -> CasePlan, when the caller has planned already
    load_failures: list = field(default_factory=list)   # case files that could not be loaded
    order: int = 1                   # 2: also second derivatives (Hessians, HVPs) of the cases that opt in
    precisions: tuple = (DEFAULT,)   # each method is scored in each (diffbench.precision names)
    command_started: float | None = None   # epoch seconds when the command began (before surveying the cases)

    def __post_init__(self):
        if self.memory_mb is None:
            self.memory_mb = default_memory_mb(self.workers)

    def method_names(self) -> tuple:
        """Every method the run's jobs use: --methods' first-order ones and, with order 2, the second-order ones."""
        return run_methods(self.methods, self.order)

    def sources(self) -> dict:
        return {name: case if isinstance(case, str) else case.source for name, case in self.cases.items()}

    def resumable(self) -> dict:
        """What --resume needs to plan the same jobs again."""
        values = {name: getattr(self, name) for name in RESUMABLE}
        values["case_dirs"] = [str(Path(d).resolve()) for d in self.case_dirs]
        return {**values, "methods": list(self.methods), "experiments": list(self.experiments),
                "cases": list(self.cases), "precisions": list(self.precisions)}


@dataclass
class Plan:
    jobs: list                       # Job, in the order they are started
    rejected: list                   # (CasePlan, PlannedParam): parameters without inputs (domain, failure)
    cases: dict                      # name -> CasePlan


def job_key(job: Job) -> str:
    what = job.method if job.kind == "method" else f"point {job.first_point}"
    what += f" ({job.derivative})" if job.derivative != "gradient" else ""
    suffix = f"|{job.precision}" if job.precision != DEFAULT else ""   # NB: float64 keys as before the ladder
    return f"{job.kind}|{job.case}|{describe(job.params)}|{what}{suffix}"


def plan(config: RunConfig, plans: dict) -> Plan:
    """The jobs of the run: a reference job per point, a method job per parameter; slowest first."""
    jobs, rejected = [], []
    for name in config.cases:
        case = plans[name]
        for planned in case.planned:
            if planned.status != "ok":
                rejected.append((case, planned))
                continue
            for precision in config.precisions:   # a precision's points are the inputs rounded to it
                points = tuple(rounded_inputs(inputs, precision) for inputs in planned.points)
                common = dict(source=case.source, case=case.name, params=planned.params, points=points,
                              seed=config.seed, dps=config.dps, precision=precision)
                jobs.extend(Job(kind="reference", **{**common, "points": (inputs,)}, first_point=k)
                            for k, inputs in enumerate(points))
                jobs.extend(Job(kind="method", method=m, **common) for m in config.methods if not is_second_order(m))
            if config.order >= 2:   # NB: second derivatives are scored in float64 only, whatever --precision says
                common = dict(source=case.source, case=case.name, params=planned.params, points=planned.points,
                              seed=config.seed, dps=config.dps)
                jobs.extend(second_order_jobs(case, planned, common, config.methods))
    sizes = {id(job): _size(plans[job.case], job.params) for job in jobs}

    def order(job):   # references first, then symbolic lanes by increasing size, then big first
        lane = job.kind == "method" and expects_timeout(job.method)
        return (job.kind != "reference", not lane, sizes[id(job)] if lane else -sizes[id(job)])
    return Plan(sorted(jobs, key=order), rejected, {name: plans[name] for name in config.cases})


def _size(case, params: dict) -> float:
    if case.sweep and isinstance(params.get(case.sweep), (int, float)):
        return float(params[case.sweep])
    return max((v for v in params.values() if isinstance(v, (int, float))), default=0)
