"""What a run is asked to do (RunConfig) and the jobs it plans: case x parameter x method."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from diffbench.case import DomainError
from diffbench.runner.worker import Job


@dataclass
class RunConfig:
    cases: dict                      # name -> Case
    methods: tuple
    mode: str = "default"            # quick | default | full
    seed: int = 0
    dps: int = 50
    time_budget_s: float = 5.0
    reference_budget_s: float = 120.0
    workers: int = 2
    out_dir: Path = Path("reports")
    experiments: tuple = ()          # experiment names run after the jobs (diffbench.experiments.command)
    command: list = field(default_factory=lambda: list(sys.argv))


@dataclass
class Plan:
    jobs: list                       # Job
    rejected: list                   # (case, params, message): parameters or inputs outside the domain


def plan(config: RunConfig) -> Plan:
    jobs, rejected = [], []
    for case in config.cases.values():
        for value in case.sweep_values(config.mode):
            params = case.params(value)
            try:
                count = 1 if config.mode == "quick" else case.points  # NB: --quick keeps point 0 only
                points = tuple(case.inputs(config.seed, params, k) for k in range(count))
            except DomainError as error:
                rejected.append((case, params, str(error)))
                continue
            common = dict(source=case.source, case=case.name, params=params, points=points, seed=config.seed,
                          dps=config.dps)
            jobs.extend(Job(kind="reference", **{**common, "points": (inputs,)}, first_point=k)
                        for k, inputs in enumerate(points))
            jobs.extend(Job(kind="method", method=m, **common) for m in config.methods)
    return Plan(jobs, rejected)
