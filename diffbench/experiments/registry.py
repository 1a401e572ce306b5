"""The experiments by name: how each is measured, drawn and summarised (no command-line code here)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from diffbench.case import load_cases
from diffbench.experiments import checkpoint, descent, hutchinson, jacobian, schwarz, vanishing


@dataclass(frozen=True)
class Experiment:
    title: str
    table: Callable      # table(quick, seed, cases) -> tidy DataFrame, measured now (cases: name -> Case)
    figure: Callable     # figure(table, path): an SVG drawn from that table alone
    summary: Callable    # summary(table) -> DataFrame printed after the run (and written as summary.csv)


def _jacobian_table(quick, seed, cases):
    return jacobian.crossover_table(sizes=jacobian.QUICK_OUTPUT_SIZES if quick else jacobian.OUTPUT_SIZES,
                                    budget_s=0.3 if quick else 1.0, seed=seed)


def _hutchinson_table(quick, seed, cases):
    return hutchinson.error_table(sample_counts=hutchinson.QUICK_SAMPLE_COUNTS if quick else hutchinson.SAMPLE_COUNTS,
                                  repeats=8 if quick else 16, seed=seed, cases=cases)


def _checkpoint_table(quick, seed, cases):
    chains = ([checkpoint.logistic_chain(n=256, width=200, seed=seed),
               checkpoint.mlp_chain(n=64, width=32, batch=16, seed=seed)] if quick
              else [checkpoint.logistic_chain(seed=seed), checkpoint.mlp_chain(seed=seed)])
    return checkpoint.tradeoff_table(chains)


def _schwarz_table(quick, seed, cases):   # NB: the Hessian at the origin has no random input
    return schwarz.table(quick)


def _vanishing_table(quick, seed, cases):
    return vanishing.gradient_table(depths=vanishing.QUICK_DEPTHS if quick else vanishing.DEPTHS, seed=seed)


def _checkpoint_summary(table):
    keep = table[table["every"].eq("none") | table["label"].str.contains("√")]
    return keep[["chain", "n", "label", "stored_bytes", "memory_ratio", "seconds", "time_ratio"]]


def _hutchinson_summary(table):
    return table[table["samples"] == table["samples"].max()][
        ["case", "param", "dimension", "samples", "trace", "rms_relative_error", "theory_relative_error"]]


EXPERIMENT_BUDGET_S = 1800.0   # one experiment in its worker (the full jacobian sweep takes minutes)

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
                          _schwarz_table, schwarz.figure, schwarz.summary),
    "vanishing": Experiment("Vanishing gradients: each layer's gradient norm vs depth, sigmoid vs tanh vs ReLU "
                            "(lecture 000)", _vanishing_table, vanishing.figure, vanishing.summary),
}


def run_experiment(name: str, folder: Path, quick: bool = False, seed: int = 0, case_dirs=()) -> dict:
    """Measure experiment `name` and write <name>.csv, summary.csv and <name>.svg into folder (run in a worker)."""
    experiment = EXPERIMENTS[name]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = experiment.table(quick, seed, load_cases(list(case_dirs) or None))
    table.to_csv(folder / f"{name}.csv", index=False)
    experiment.summary(table).to_csv(folder / "summary.csv", index=False)
    experiment.figure(table, folder / f"{name}.svg")
    return {"folder": str(folder), "seed": seed, "case_dirs": list(case_dirs), "quick": quick}
