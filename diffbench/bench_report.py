"""`diffbench bench`'s report section: a run's report rebuilt from scratch and unchanged, its seconds and bytes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.table import Table

REPORT_TARGET_S = 5.0            # `diffbench report RUN_DIR` on a default run, on the 2-core machine
REPORT_TARGET_BYTES = 1_000_000  # report.html of a default run
FIGURES = "figures"              # the report's figure folder, which is also its figure cache


def _report_seconds(run_dir: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds of `diffbench report run_dir` in a fresh process (start-up and imports included)."""
    command = [sys.executable, "-c", "from diffbench.cli import main; main()", "report", str(run_dir)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    return time.perf_counter() - start, done


def measure_report(run_dir: Path, label: str) -> dict:
    """Rebuild the report of a copy of run_dir twice: from scratch (the copy's figures/ removed, so every
    figure is drawn) and then with nothing changed (every figure reused). The run folder itself is not touched."""
    with tempfile.TemporaryDirectory(prefix="diffbench-bench-report-") as scratch:
        copy = Path(scratch) / Path(run_dir).name
        shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns(FIGURES))
        fresh_s, fresh = _report_seconds(copy)
        cached_s, cached = _report_seconds(copy)
        page = copy / "report.html"
        failed = next((d for d in (fresh, cached) if d.returncode), None)
        return {"run": label, "scratch_s": fresh_s, "cached_s": cached_s,
                "bytes": page.stat().st_size if page.exists() else None,
                "exit_code": failed.returncode if failed else 0,
                "note": (failed.stderr.strip().splitlines() or [""])[-1] if failed else ""}


class ReportBench:
    """Collects report measurements: of the runs the bench makes (called with each while its folder exists) and
    of a folder given on the command line."""

    def __init__(self, run_dir: Path | None = None):
        self.rows = [measure_report(run_dir, str(run_dir))] if run_dir is not None else []

    def __call__(self, label: str, run_dir: Path) -> None:
        if label == "run":   # NB: the targets are for a default run; the quick run's report is timed in the runs table
            self.rows.append(measure_report(run_dir, "the bench's `diffbench run`"))


def _cell(value: float | None, target: float, text: str) -> str:
    if value is None:
        return "–"
    return f"[green]{text}[/green]" if value <= target else f"[red]{text}[/red]"


def render_report_bench(rows: list[dict]) -> Table:
    out = Table(title=f"diffbench report RUN_DIR (wall seconds; targets ≤ {REPORT_TARGET_S:g} s, report.html ≤ "
                      f"{REPORT_TARGET_BYTES:,} bytes)", header_style="bold")
    for column in ("run", "from scratch s", "unchanged s", "report.html bytes", "exit code", "note"):
        out.add_column(column, justify="left" if column in ("run", "note") else "right")
    for r in rows:
        out.add_row(r["run"], _cell(r["scratch_s"], REPORT_TARGET_S, f"{r['scratch_s']:.2f}"),
                    _cell(r["cached_s"], REPORT_TARGET_S, f"{r['cached_s']:.2f}"),
                    _cell(r["bytes"], REPORT_TARGET_BYTES, f"{r['bytes']:,}" if r["bytes"] is not None else ""),
                    str(r["exit_code"]), r["note"])
    return out


def missed_report_targets(rows: list[dict]) -> list[str]:
    """One line per measurement over its target."""
    lines = []
    for r in rows:
        for what, value in (("from scratch", r["scratch_s"]), ("unchanged", r["cached_s"])):
            if value > REPORT_TARGET_S:
                lines.append(f"report of {r['run']} {what}: {value:.2f} s > {REPORT_TARGET_S:g} s")
        if r["bytes"] is not None and r["bytes"] > REPORT_TARGET_BYTES:
            lines.append(f"report.html of {r['run']}: {r['bytes']:,} bytes > {REPORT_TARGET_BYTES:,}")
        if r["exit_code"]:
            lines.append(f"report of {r['run']} exited {r['exit_code']}: {r['note']}")
    return lines
