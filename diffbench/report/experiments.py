"""The report's experiments section: figures redrawn from each stored experiment CSV, with its summary table."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from markupsafe import Markup


def _registry() -> dict:
    from diffbench.experiments.command import EXPERIMENTS   # NB: lazy, keeps start-up fast (torch, sympy)
    return EXPERIMENTS


def stored_experiments(run_path: Path) -> list[tuple[str, Path]]:
    """(name, folder) of every experiment the run stored, in the registry's order."""
    root = Path(run_path) / "experiments"
    if not root.is_dir():
        return []
    return [(name, root / name) for name in _registry() if (root / name / f"{name}.csv").exists()]


def redraw(name: str, table: pd.DataFrame) -> str:
    """The experiment's figure, drawn again from its table alone (nothing is re-measured)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.svg"
        _registry()[name].figure(table, path)
        return path.read_text()


RENAMED = {"jacobian": {"mode": "ad_mode"}}   # columns of older runs' experiment tables -> today's names


def experiments_context(run, figure_type, figure_name) -> dict | None:
    out = []
    for index, (name, folder) in enumerate(stored_experiments(run.path)):
        experiment = _registry()[name]
        table = pd.read_csv(folder / f"{name}.csv").rename(columns=RENAMED.get(name, {}))
        summary = pd.read_csv(folder / "summary.csv") if (folder / "summary.csv").exists() else pd.DataFrame()
        caption = (f"{experiment.title}: measured on this run (data in experiments/{name}/{name}.csv); "
                   f"the table below gives its summary.")
        figure = figure_type(figure_name("experiment", index, name), Markup(redraw(name, table)), caption)
        out.append({"name": name, "title": experiment.title, "figure": figure,
                    "columns": list(summary.columns), "rows": summary.astype(object).where(summary.notna(), "")
                    .values.tolist()})
    return {"experiments": out, "figures": [e["figure"] for e in out]} if out else None
