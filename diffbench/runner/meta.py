"""Run folders and their metadata: a fresh folder, versions, machine, meta.json contents."""
from __future__ import annotations

import datetime as dt
import functools
import os
import platform
import socket
import sys
from importlib.metadata import version
from pathlib import Path

from diffbench.runner.config import RunConfig
from diffbench.runner.executor import Failure
from diffbench.second_order import DIRECTION_SCHEME
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS

SEED_SCHEME = "numpy.random.default_rng([seed, crc32(case|params), point])"


def new_run_dir(out_dir: Path) -> Path:
    """A fresh folder under out_dir; never one that exists."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 1000):
        path = out_dir / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a new run folder in {out_dir}")


@functools.lru_cache(maxsize=1)   # NB: constant for the process; meta.json is rewritten while a run goes
def versions() -> dict:
    """The packages' versions as installed. NB: read from their metadata, not by importing them: importing
    torch and sympy here cost the run's parent seconds (the workers import them, in the fork server)."""
    import numpy

    import diffbench
    return {"python": platform.python_version(), "numpy": numpy.__version__, "sympy": version("sympy"),
            "mpmath": version("mpmath"), "torch": version("torch"), "diffbench": diffbench.__version__}


@functools.lru_cache(maxsize=1)
def machine() -> dict:
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "hostname": socket.gethostname()}


def common_meta(kind: str, run_dir: Path, seed: int, workers: int, started: dt.datetime | str, seconds: float) -> dict:
    """What every command's meta.json says: what ran, where, when, on what."""
    started = started if isinstance(started, str) else started.isoformat(timespec="seconds")
    return {"kind": kind, "run_id": Path(run_dir).name, "command": " ".join(["diffbench", *sys.argv[1:]]),
            "argv": list(sys.argv), "seed": seed, "workers": workers, "threads_per_worker": 1, "started": started,
            "finished": dt.datetime.now().isoformat(timespec="seconds"), "total_time_s": round(seconds, 3),
            "versions": versions(), "machine": machine()}


def run_meta(config: RunConfig, run_dir: Path, started: str, seconds: float, status: str, counts: dict,
             failures: list, rejected: list) -> dict:
    """meta.json of a run: what was asked (config, resumable), where it stands (status, counts), what failed."""
    return {
        **common_meta("run", run_dir, config.seed, config.workers, started, seconds),
        "status": status, "jobs": counts, "command": " ".join(config.command),
        "seed_scheme": SEED_SCHEME, "precision_dps": config.dps,
        "time_budget_s": config.time_budget_s, "reference_budget_s": config.reference_budget_s,
        "memory_mb": config.memory_mb, "quick": config.mode == "quick", "mode": config.mode,
        "cases": list(config.cases), "methods": list(config.methods),
        "experiments": list(config.experiments), "case_sources": sorted(set(config.sources().values())),
        "config": config.resumable(), "ref_required_digits": REFERENCE_AGREEMENT_DIGITS, "failures": failures,
        "rejected": [planned.message for _, planned in rejected],
        "exit_code": 1 if failures or status == "failed" else 0,
        "order": config.order,
        **({"hvp_direction_scheme": DIRECTION_SCHEME} if config.order >= 2 else {}),
    }


def slowest(results: list, count: int = 8) -> list:
    """The tasks that took longest (wall seconds in their worker), so a user sees where time went."""
    timed = [{"job": task.label, "seconds": round(seconds, 2),
              "status": outcome.status if isinstance(outcome, Failure) else "ok"} for task, outcome, seconds in results]
    return sorted(timed, key=lambda t: -t["seconds"])[:count]


def time_by_method(results: list) -> dict:
    """Worker seconds spent per method (and on references), summed over jobs."""
    totals: dict = {}
    for task, _, seconds in results:
        name = task.label.rsplit(" ", 1)[-1] if task.key.startswith("method|") else task.key.split("|", 1)[0]
        totals[name] = round(totals.get(name, 0.0) + seconds, 2)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))
