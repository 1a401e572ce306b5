"""What a run does after its jobs: the experiments it was asked for, into its folder."""
from __future__ import annotations

from pathlib import Path

from diffbench.experiments.registry import run_experiment
from diffbench.runner.config import RunConfig


def run_experiments(run_dir: Path, config: RunConfig) -> list:
    """Each requested experiment into run_dir/experiments/<name>/; one that raises is a recorded failure."""
    failures = []
    for name in config.experiments:
        try:
            folder = run_dir / "experiments" / name
            folder.mkdir(parents=True)
            run_experiment(name, folder, quick=config.mode == "quick")
        except Exception as error:  # noqa: BLE001 - recorded, the run goes on
            failures.append({"case": "-", "param": "-", "method": f"experiment {name}", "point": None,
                             "status": "failed", "message": f"{type(error).__name__}: {error}"})
    return failures
