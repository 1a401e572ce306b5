"""Start-up time of the light commands: seconds to their first output, as a ratio to `python -c pass`."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "python -c pass"
# What a user types, with RUN standing for a run folder the benchmark makes first.
LIGHT_COMMANDS = (("--help",), ("list",), ("check", "--template"), ("report", "RUN"))
CLI = [sys.executable, "-c", "from diffbench.cli import main; main()"]


def first_output_seconds(argv: list[str]) -> float:
    """Wall seconds from starting `argv` to its first byte on stdout (to its exit, if it prints nothing)."""
    start = time.perf_counter()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        process.stdout.read(1)
        elapsed = time.perf_counter() - start
        process.stdout.read()
        process.wait()
    if process.returncode:
        raise RuntimeError(f"{' '.join(argv[3:]) or argv[0]} exited {process.returncode}")
    return elapsed


def small_run(out_dir: Path) -> Path:
    """A real run folder to report on: one case, two methods, quick sweep, no report yet."""
    command = [*CLI, "run", "--quick", "--only", "logistic", "--methods", "tape_reverse,fd_central", "--no-report",
               "--out", str(out_dir)]
    done = subprocess.run(command, capture_output=True, text=True)
    runs = sorted(p for p in Path(out_dir).iterdir() if p.is_dir())
    if done.returncode or len(runs) != 1:
        raise RuntimeError(f"the run to report on failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return runs[0]


def startup_rows(run_dir: Path, rounds: int = 3) -> list[dict]:
    """One row per light command: median seconds to first output and its ratio to the baseline's median.

    NB: the commands take turns within each round, so a slow spell of a shared machine hits all alike."""
    commands = {BASELINE: [sys.executable, "-c", "pass"]}
    commands.update({f"diffbench {' '.join(args)}": [*CLI, *(str(run_dir) if a == "RUN" else a for a in args)]
                     for args in LIGHT_COMMANDS})
    seconds = {label: [] for label in commands}
    for _ in range(rounds):
        for label, argv in commands.items():
            seconds[label].append(first_output_seconds(argv))
    base = statistics.median(seconds[BASELINE])
    return [{"command": label, "seconds": statistics.median(times), "ratio": statistics.median(times) / base,
             "rounds": rounds} for label, times in seconds.items()]


def measure_startup(rounds: int = 3) -> list[dict]:
    """startup_rows on a fresh small run in a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="diffbench-startup-") as out:
        return startup_rows(small_run(Path(out)), rounds)
