"""The cases a run can see, learnt from workers: each case file is loaded and planned in a worker, never here."""
from __future__ import annotations

from pathlib import Path

from diffbench.case import builtin_case_dir
from diffbench.runner.executor import Failure, Limits, LocalExecutor
from diffbench.runner.scheduler import Task, run_tasks
from diffbench.runner.worker import LoadFailure, plan_file

PLAN_BUDGET_S = 60.0     # loading one case file and building its inputs


def case_files(case_dirs) -> list[str]:
    """Every *.py file (not starting with _) of the folders, or of the built-in library."""
    folders = [Path(d) for d in case_dirs] if case_dirs else [builtin_case_dir()]
    return [str(path) for folder in folders for path in sorted(folder.glob("*.py")) if not path.name.startswith("_")]


def load_failure(source: str, message: str) -> dict:
    return {"case": Path(source).stem, "param": "-", "method": "load", "point": None, "status": "failed",
            "message": message}


def survey(sources, mode: str, seed: int, executor: LocalExecutor, memory_mb: int, stop=None) -> tuple[dict, list]:
    """(name -> CasePlan, failure records): every case of the files, planned for this mode and seed."""
    found: dict = {}
    tasks = [Task(f"plan|{source}", plan_file, (source, mode, seed), Limits(PLAN_BUDGET_S, memory_mb),
                  f"load {Path(source).name}") for source in dict.fromkeys(sources)]
    run_tasks(tasks, executor, lambda task, outcome, seconds: found.__setitem__(task.args[0], outcome), stop)
    plans, failures = {}, []
    for source in dict.fromkeys(sources):
        outcome = found[source]
        if isinstance(outcome, Failure):
            failures.append(load_failure(source, f"could not load cases from {source}: {outcome.message}"))
        elif isinstance(outcome, LoadFailure):
            failures.append(load_failure(source, outcome.message))
        else:
            for plan in outcome:
                if plan.name in plans:
                    failures.append(load_failure(source, f"case {plan.name!r} is defined twice "
                                                         f"({plans[plan.name].source}, {source})"))
                    continue
                plans[plan.name] = plan
    return plans, failures
