"""Whole runs timed end to end, and where their wall time went, from each run's own meta.json and journal."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from rich.table import Table

RUN_TARGETS_S = {"run": 60.0, "run --quick": 15.0}
CLI = [sys.executable, "-c", "from diffbench.cli import main; main()"]
TOTAL_LINE = re.compile(r"total: [\d.]+ s \(run [\d.]+ s(?: \+ report (?P<report>[\d.]+) s)?\)")
# The parts of a run's wall time, in the order they happen.
PARTS = ("imports", "case survey", "references", "methods", "of which sympy", "traces", "experiments", "tables",
         "report", "other")


def timed_run(label: str, extra: list[str], out_dir: Path) -> dict:
    """Run `diffbench run EXTRA --out OUT_DIR` in a subprocess: its wall seconds, exit code and breakdown."""
    launched = time.time()
    start = time.perf_counter()
    done = subprocess.run([*CLI, "run", *extra, "--out", str(out_dir)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    run_dirs = sorted(d for d in Path(out_dir).iterdir() if (d / "meta.json").exists())
    parts = breakdown(run_dirs[-1], launched, wall, done.stdout) if run_dirs else {}
    return {"command": f"diffbench {label}", "seconds": wall, "exit_code": done.returncode,
            "target_s": RUN_TARGETS_S[label], "run_dir": run_dirs[-1] if run_dirs else None, "breakdown": parts,
            "done": done}


def report_seconds(stdout: str) -> float:
    """The report's seconds as the run printed them on its last line (0 without a report)."""
    found = TOTAL_LINE.search(stdout)
    return float(found["report"]) if found and found["report"] else 0.0


def worker_seconds(run_dir: Path) -> dict:
    """Worker seconds of the run's jobs by kind (reference, method, trace, experiment) and of sympy, from the
    journal (one line per finished job, its seconds as the scheduler measured them)."""
    totals = {"reference": 0.0, "method": 0.0, "sympy": 0.0, "trace": 0.0, "experiment": 0.0}
    with open(Path(run_dir) / "journal.jsonl", encoding="utf-8") as journal:
        for line in journal:
            entry = json.loads(line)
            kind = entry["key"].split("|", 1)[0]
            totals[kind] = totals.get(kind, 0.0) + entry["seconds"]
            if kind == "method" and entry["key"].rsplit("|", 1)[-1] == "sympy":
                totals["sympy"] += entry["seconds"]
    return totals


def breakdown(run_dir: Path, launched: float, wall: float, stdout: str) -> dict:
    """Wall seconds per part of the run (PARTS), summing to `wall`.

    imports: from the launch until the command's body starts; case survey: until the run starts (case files
    loaded and planned in workers, the fork server's preload); the jobs phase is shared between references,
    methods and traces in proportion to their worker seconds (several workers run at once), experiments run
    after it; tables: the journal turned into tables and meta.json; report: as the run printed it; other: the
    rest (the summary printed, shutdown). NB: a part the run did not record (an older run) stays out."""
    meta = json.loads((Path(run_dir) / "meta.json").read_text(encoding="utf-8"))
    marks = meta.get("timeline", {})
    parts = {}
    if "command_start" in marks:
        parts["imports"] = marks["command_start"] - launched
        if "run_start" in marks:
            parts["case survey"] = marks["run_start"] - marks["command_start"]
    if {"jobs_start", "experiments_start", "jobs_end", "tables_end"} <= set(marks):
        jobs_wall = marks["experiments_start"] - marks["jobs_start"]
        seconds = worker_seconds(run_dir)
        shared = seconds["reference"] + seconds["method"] + seconds["trace"]
        for part, kind in (("references", "reference"), ("methods", "method"), ("of which sympy", "sympy"),
                           ("traces", "trace")):
            parts[part] = jobs_wall * seconds[kind] / shared if shared else 0.0
        parts["experiments"] = marks["jobs_end"] - marks["experiments_start"]
        parts["tables"] = marks["tables_end"] - marks["jobs_end"]
        # NB: the run's own setup between its start and the first job (planning, meta.json) counts as survey
        parts["case survey"] = parts.get("case survey", 0.0) + marks["jobs_start"] - marks["run_start"]
        parts["occupancy"] = shared / (jobs_wall * meta.get("workers", 1)) if jobs_wall > 0 else float("nan")
    parts["report"] = report_seconds(stdout)
    accounted = sum(v for k, v in parts.items() if k not in ("of which sympy", "occupancy"))
    parts["other"] = wall - accounted
    return parts


def render_breakdown(rows: list[dict]) -> Table:
    """One column per timed run: wall seconds per part, and how busy the workers were during the jobs."""
    out = Table(title="whole runs: where the wall time went (seconds; jobs shared by worker seconds)",
                header_style="bold")
    out.add_column("part", justify="left")
    for row in rows:
        out.add_column(row["command"], justify="right")
    for part in PARTS:
        out.add_row(part, *(_seconds(row["breakdown"].get(part)) for row in rows))
    out.add_row("total (wall)", *(f"{row['seconds']:.1f}" for row in rows))
    out.add_row("workers busy in the jobs phase",
                *(f"{row['breakdown']['occupancy']:.0%}" if "occupancy" in row["breakdown"] else "" for row in rows))
    return out


def _seconds(value) -> str:
    return "" if value is None else f"{value:.1f}"
