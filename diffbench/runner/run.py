"""The whole run: plan, compute, write CSVs and meta.json into a new run folder."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from diffbench import records
from diffbench.runner.config import RunConfig, plan
from diffbench.runner.extras import run_experiments
from diffbench.runner.join import assemble
from diffbench.runner.meta import meta_for, new_run_dir, slowest, time_by_method
from diffbench.runner.scheduler import run_jobs
from diffbench.trace import write_traces


def execute_run(config: RunConfig, progress=None) -> tuple[Path, dict]:
    """The whole run: plan, compute, write CSVs and meta.json into a new run folder."""
    started, clock = dt.datetime.now(), time.perf_counter()
    run_dir = new_run_dir(Path(config.out_dir))
    plan_ = plan(config)
    if progress:
        progress.start(len(plan_.jobs))
    results = run_jobs(plan_.jobs, config, on_done=progress.advance if progress else None)
    tables, failures = assemble(plan_, results, config)
    for name, rows in tables.items():
        records.write_table(run_dir, name, rows)
    failures += write_traces(run_dir, config.cases, config.seed, config.mode)
    failures += run_experiments(run_dir, config)
    meta = meta_for(config, run_dir, started, time.perf_counter() - clock, failures, plan_.rejected)
    budgets = {"reference": config.reference_budget_s, "method": config.time_budget_s}
    meta["slowest_jobs"] = slowest(results, budgets)
    meta["worker_seconds_by_method"] = time_by_method(results, budgets)
    records.write_meta(run_dir, meta)
    return run_dir, meta
