"""`diffbench experiment NAME`: run one experiment, write its CSV and SVG figure into a new folder."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click
import pandas as pd
from rich.console import Console

from diffbench.experiments import checkpoint, descent, hutchinson, jacobian, schwarz


@dataclass(frozen=True)
class Experiment:
    title: str
    table: Callable      # table(quick: bool) -> tidy DataFrame, measured now
    figure: Callable     # figure(table, path): an SVG drawn from that table alone
    summary: Callable    # summary(table) -> DataFrame printed after the run (and written as summary.csv)


def _jacobian_table(quick):
    return jacobian.crossover_table(sizes=jacobian.QUICK_OUTPUT_SIZES if quick else jacobian.OUTPUT_SIZES,
                                    budget_s=0.3 if quick else 1.0)


def _hutchinson_table(quick):
    return hutchinson.error_table(sample_counts=hutchinson.QUICK_SAMPLE_COUNTS if quick else hutchinson.SAMPLE_COUNTS,
                                  repeats=8 if quick else 16)


def _checkpoint_table(quick):
    chains = ([checkpoint.logistic_chain(n=256, width=200), checkpoint.mlp_chain(n=64, width=32, batch=16)] if quick
              else [checkpoint.logistic_chain(), checkpoint.mlp_chain()])
    return checkpoint.tradeoff_table(chains)


def _checkpoint_summary(table):
    keep = table[table["every"].eq("none") | table["label"].str.contains("√")]
    return keep[["chain", "n", "label", "stored_bytes", "memory_ratio", "seconds", "time_ratio"]]


def _hutchinson_summary(table):
    return table[table["samples"] == table["samples"].max()][
        ["case", "param", "dimension", "samples", "trace", "rms_relative_error", "theory_relative_error"]]


EXPERIMENTS = {
    "jacobian": Experiment("Jacobian by forward vs reverse mode as m/n sweeps (n = 100)",
                           _jacobian_table, jacobian.figure, jacobian.crossovers),
    "hutchinson": Experiment("Hutchinson's trace estimator: error vs number of samples",
                             _hutchinson_table, hutchinson.figure, _hutchinson_summary),
    "checkpoint": Experiment("Checkpointing: memory vs time as the checkpoint spacing k varies",
                             _checkpoint_table, checkpoint.figure, _checkpoint_summary),
    "descent": Experiment("Gradient descent on MDS: exact gradient vs finite differences vs random directions "
                          "at equal evaluation budgets", descent.descent_table, descent.figure, descent.summary),
    "schwarz": Experiment("Schwarz's counterexample: the Hessian at the origin by every method",
                          schwarz.table, schwarz.figure, schwarz.summary),
}


def run_experiment(name: str, out_dir: Path, quick: bool = False, folder: Path | None = None) -> Path:
    """Measure experiment `name` and write <name>.csv, summary.csv and <name>.svg into a new folder."""
    from diffbench.runner import new_run_dir
    experiment = EXPERIMENTS[name]
    folder = folder or new_run_dir(Path(out_dir) / name)
    table = experiment.table(quick)
    table.to_csv(folder / f"{name}.csv", index=False)
    experiment.summary(table).to_csv(folder / "summary.csv", index=False)
    experiment.figure(table, folder / f"{name}.svg")
    return folder


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
        folder = run_experiment(name, out_dir, quick)
        console.print(pd.read_csv(folder / "summary.csv").to_string(index=False), highlight=False)
        console.print(f"written: {folder}")

