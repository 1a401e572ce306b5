"""`diffbench experiment NAME`: run experiments in a worker each, write CSV, summary, SVG and meta.json into new folders."""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click
import pandas as pd
from rich.console import Console

from diffbench import records
from diffbench.experiments.registry import EXPERIMENT_BUDGET_S, EXPERIMENTS, run_experiment
from diffbench.options import SECONDS, SEED
from diffbench.runner.config import default_memory_mb
from diffbench.runner.executor import Failure, Limits, LocalExecutor
from diffbench.runner.meta import common_meta, new_run_dir
from diffbench.runner.scheduler import Task, run_tasks


@click.command("experiment")
@click.argument("names", nargs=-1, required=True, type=click.Choice([*EXPERIMENTS, "all"]))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports") / "experiments", show_default=True,
              help="Folder that receives one new folder per experiment.")
@click.option("--quick", is_flag=True, help="Smaller sizes and fewer samples (seconds).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the experiments' random inputs.")
@click.option("--cases", "case_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Take the cases from this folder instead of the built-in library (repeatable).")
@click.option("--budget", "budget_s", type=SECONDS, default=EXPERIMENT_BUDGET_S, show_default=True,
              help="Seconds one experiment may run before it is stopped.")
def experiment_command(names, out_dir, quick, seed, case_dirs, budget_s):
    """Run experiments: jacobian (mode crossover), hutchinson (trace estimator), checkpoint (memory/time), descent,
    schwarz, vanishing (gradient norm per layer vs depth)."""
    console = Console(width=None if sys.stdout.isatty() else 120)
    dirs = tuple(str(Path(d).resolve()) for d in case_dirs)
    chosen = list(EXPERIMENTS) if "all" in names else list(dict.fromkeys(names))
    folders = {name: new_run_dir(out_dir / name) for name in chosen}
    limits = Limits(budget_s, default_memory_mb(1))
    tasks = [Task(f"experiment|{name}", run_experiment, (name, str(folders[name]), quick, seed, dirs), limits,
                  f"experiment {name}") for name in chosen]
    failed, started = [], dt.datetime.now()

    def report(task, outcome, seconds):
        name = task.args[0]
        folder = folders[name]
        meta = {**common_meta("experiment", folder, seed, 1, started, seconds),
                "experiment": name, "title": EXPERIMENTS[name].title, "quick": quick, "case_dirs": list(dirs),
                "time_budget_s": budget_s,
                "failures": [outcome.message] if isinstance(outcome, Failure) else [],
                "exit_code": 1 if isinstance(outcome, Failure) else 0}
        records.write_meta(folder, meta)
        console.print(f"[bold]{name}[/bold]: {EXPERIMENTS[name].title}")
        if isinstance(outcome, Failure):
            failed.append(name)
            console.print(f"[red]failed[/red] {outcome.status}: {outcome.message}", highlight=False)
            return
        console.print(pd.read_csv(folder / "summary.csv").to_string(index=False), highlight=False)
        console.print(f"written: {folder}")

    clock = time.perf_counter()
    run_tasks(tasks, LocalExecutor(1), report)   # NB: one at a time: experiments time things
    console.print(f"{len(chosen) - len(failed)} of {len(chosen)} experiments done in {time.perf_counter() - clock:.1f} s")
    sys.exit(1 if failed else 0)
