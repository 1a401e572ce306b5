"""The run's tasks beyond its jobs: each case's evaluation traces and the experiments asked for, and their records."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from diffbench.runner.config import RunConfig
from diffbench.runner.executor import Failure, Limits
from diffbench.runner.scheduler import Task
from diffbench.runner.worker import SCRATCH, trace_case


def trace_tasks(run_dir: Path, config: RunConfig, case_names) -> list[Task]:
    """One task per case: its traces are user code too, so they run in a worker under the reference budget."""
    sources = config.sources()
    limits = Limits(config.reference_budget_s, config.memory_mb)
    return [Task(f"trace|{name}", trace_case, (sources[name], name, str(run_dir), config.seed, config.mode), limits,
                 f"{name} evaluation trace", reuse=sources[name]) for name in case_names]


def experiment_tasks(run_dir: Path, config: RunConfig) -> list[Task]:
    if not config.experiments:
        return []
    # NB: imported here: the experiments' modules import torch, which a run's parent otherwise never needs
    from diffbench.experiments.registry import EXPERIMENT_BUDGET_S, run_experiment
    limits = Limits(EXPERIMENT_BUDGET_S, config.memory_mb)
    dirs = tuple(str(Path(d).resolve()) for d in config.case_dirs)
    return [Task(f"experiment|{name}", run_experiment,
                 (name, str(Path(run_dir) / "experiments" / name), config.mode == "quick", config.seed, dirs),
                 limits, f"experiment {name}") for name in config.experiments]


def extra_failures(entries: dict) -> list[dict]:
    """Failure records of trace and experiment tasks, from the journal's entries (key -> (outcome, seconds))."""
    failures = []
    for key, (outcome, _) in entries.items():
        kind, _, name = key.partition("|")
        if kind == "trace":
            if isinstance(outcome, Failure):
                failures.append({"case": name, "param": "-", "method": "trace", "point": 0, "status": outcome.status,
                                 "message": f"evaluation trace: {outcome.message}"})
            else:
                failures.extend(outcome["failures"])
        elif kind == "experiment" and isinstance(outcome, Failure):
            failures.append({"case": "-", "param": "-", "method": f"experiment {name}", "point": None,
                             "status": outcome.status, "message": outcome.message})
    return failures


def write_trace_index(run_dir: Path, entries: dict, case_names) -> None:
    """traces/index.json: the stored traces in the run's case order; the workers' scratch folder goes."""
    shutil.rmtree(Path(run_dir) / SCRATCH, ignore_errors=True)   # NB: written by trace_case only, never a user's
    stems = [stem for name in case_names for stem in _stems(entries.get(f"trace|{name}"))]
    if stems:
        (Path(run_dir) / "traces" / "index.json").write_text(json.dumps(stems), encoding="utf-8")


def _stems(entry) -> list:
    if entry is None or isinstance(entry[0], Failure):
        return []
    return entry[0]["stems"]
