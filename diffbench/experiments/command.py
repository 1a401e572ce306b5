"""`diffbench experiment NAME`: run one experiment, write its CSV and SVG figure into a new folder."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd
from rich.console import Console

from diffbench.experiments.registry import EXPERIMENTS, run_experiment
from diffbench.runner.meta import new_run_dir


@click.command("experiment")
@click.argument("names", nargs=-1, required=True, type=click.Choice([*EXPERIMENTS, "all"]))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports") / "experiments", show_default=True,
              help="Folder that receives one new folder per experiment.")
@click.option("--quick", is_flag=True, help="Smaller sizes and fewer samples (seconds).")
def experiment_command(names, out_dir, quick):
    """Run experiments: jacobian (mode crossover), hutchinson (trace estimator), checkpoint (memory/time), descent, schwarz."""
    import torch
    torch.set_num_threads(1)  # NB: as the run's workers do: timings of one thread, comparable across tools
    console = Console(width=None if sys.stdout.isatty() else 120)
    for name in (list(EXPERIMENTS) if "all" in names else dict.fromkeys(names)):
        console.print(f"[bold]{name}[/bold]: {EXPERIMENTS[name].title}")
        folder = run_experiment(name, new_run_dir(out_dir / name), quick)
        console.print(pd.read_csv(folder / "summary.csv").to_string(index=False), highlight=False)
        console.print(f"written: {folder}")

