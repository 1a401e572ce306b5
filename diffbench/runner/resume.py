"""Configs for the command line: a fresh run's cases surveyed in workers, or an interrupted run's own options."""
from __future__ import annotations

import json
from pathlib import Path

import click

from diffbench import records
from diffbench.runner.catalog import case_files, survey
from diffbench.runner.config import RunConfig
from diffbench.runner.executor import LocalExecutor
from diffbench.runner.interrupts import Interrupted, StopRequest


def survey_cases(case_dirs, mode: str, seed: int, workers: int, memory_mb: int) -> tuple[dict, list]:
    """(name -> CasePlan, load failure records) of the case folders (default: the built-in library)."""
    # NB: forked from this process, so the case files load while the fork server still imports torch and sympy
    executor = LocalExecutor(workers, start_method="fork")
    try:
        with StopRequest() as stop:
            return survey(case_files(case_dirs), mode, seed, executor, memory_mb, stop)
    except Interrupted as interrupted:
        click.echo(f"interrupted ({interrupted}) while loading the cases; nothing was written", err=True)
        raise SystemExit(interrupted.exit_code) from None
    finally:
        executor.stop()


def resumed_config(run_dir: Path) -> RunConfig:
    """The configuration an interrupted run was started with, its cases planned again (same seed, same inputs)."""
    try:
        meta = records.read_meta(run_dir)
        saved = meta["config"]
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise click.UsageError(f"{run_dir} is not a run folder that can be resumed (meta.json without its config)")
    if meta.get("status") == "complete":
        raise click.UsageError(f"{run_dir} is complete already; nothing to resume")
    dirs = tuple(saved["case_dirs"])
    plans, failures = survey_cases(dirs, saved["mode"], saved["seed"], saved["workers"], saved["memory_mb"])
    missing = [name for name in saved["cases"] if name not in plans]
    failures += [{"case": name, "param": "-", "method": "load", "point": None, "status": "failed",
                  "message": f"case {name!r} of the interrupted run is no longer in {list(dirs) or 'the library'}"}
                 for name in missing]
    chosen = {name: plans[name] for name in saved["cases"] if name in plans}
    return RunConfig(cases=chosen, methods=tuple(saved["methods"]), mode=saved["mode"], seed=saved["seed"],
                     dps=saved["dps"], time_budget_s=saved["time_budget_s"],
                     reference_budget_s=saved["reference_budget_s"], workers=saved["workers"],
                     out_dir=Path(run_dir).parent, experiments=tuple(saved["experiments"]),
                     command=meta.get("command", "").split(), case_dirs=dirs, memory_mb=saved["memory_mb"],
                     plans=chosen, load_failures=failures, order=saved.get("order", 1),
                     precisions=tuple(saved.get("precisions") or RunConfig.precisions))
