"""Run folders and their metadata: a fresh folder, versions, machine, meta.json contents."""
from __future__ import annotations

import datetime as dt
import os
import platform
import socket
import sys
from pathlib import Path

from diffbench.runner.config import RunConfig
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


def versions() -> dict:
    import mpmath
    import numpy
    import sympy
    import torch

    import diffbench
    return {"python": platform.python_version(), "numpy": numpy.__version__, "sympy": sympy.__version__,
            "mpmath": mpmath.__version__, "torch": torch.__version__, "diffbench": diffbench.__version__}


def machine() -> dict:
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "hostname": socket.gethostname()}


def meta_for(config: RunConfig, run_dir: Path, started: dt.datetime, seconds: float, failures: list,
             rejected: list) -> dict:
    return {
        "run_id": run_dir.name, "command": " ".join(config.command), "argv": list(sys.argv),
        "seed": config.seed, "seed_scheme": SEED_SCHEME, "precision_dps": config.dps,
        "time_budget_s": config.time_budget_s, "reference_budget_s": config.reference_budget_s,
        "quick": config.mode == "quick", "mode": config.mode, "workers": config.workers,
        "threads_per_worker": 1, "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now().isoformat(timespec="seconds"), "total_time_s": round(seconds, 3),
        "versions": versions(), "machine": machine(), "cases": list(config.cases), "methods": list(config.methods),
        "experiments": list(config.experiments),
        "case_sources": sorted({c.source for c in config.cases.values()}),
        "ref_required_digits": REFERENCE_AGREEMENT_DIGITS, "failures": failures, "rejected": [m for _, _, m in rejected],
        "exit_code": 1 if failures else 0,
    }


def slowest(results: list, budgets: dict, count: int = 8) -> list:
    """The jobs that took longest (a job stopped at its budget counts the budget), so a user sees where time went."""
    timed = []
    for job, result in results:
        stopped = isinstance(result, tuple)
        seconds = budgets[job.kind] if stopped and result[0] == "timeout" else (0.0 if stopped else result.seconds)
        timed.append({"job": job.label, "seconds": round(seconds, 2), "status": result[0] if stopped else "ok"})
    return sorted(timed, key=lambda t: -t["seconds"])[:count]


def time_by_method(results: list, budgets: dict) -> dict:
    """Worker seconds spent per method (and on references), summed over jobs."""
    totals: dict = {}
    for job, result in results:
        stopped = isinstance(result, tuple)
        seconds = budgets[job.kind] if stopped and result[0] == "timeout" else (0.0 if stopped else result.seconds)
        name = job.method or "reference"
        totals[name] = round(totals.get(name, 0.0) + seconds, 2)
    return dict(sorted(totals.items(), key=lambda item: -item[1]))
