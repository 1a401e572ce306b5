"""The one step the runner takes after assembling a run's rows: cross-method columns, then evidence.jsonl."""
from __future__ import annotations

from pathlib import Path

from diffbench.costs import add_break_even
from diffbench.evidence import write_evidence


def conclude(run_dir: Path, tables: dict, results: list) -> None:
    """break_even_evals across the methods of each point; evidence.jsonl with every row and raw output."""
    add_break_even(tables["results"])
    write_evidence(run_dir, tables, results)
