"""The whole run: plan in workers, run the jobs into the journal, derive the tables and meta.json from the journal."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from diffbench import records
from diffbench.conclude import conclude
from diffbench.methods import expects_timeout, method_modules
from diffbench.runner.catalog import survey
from diffbench.runner.config import Plan, RunConfig, job_key, plan
from diffbench.runner.dask_executor import DaskExecutor
from diffbench.runner.executor import Failure, Limits, LocalExecutor
from diffbench.runner.extras import experiment_tasks, extra_failures, trace_tasks, write_trace_index
from diffbench.runner.interrupts import Interrupted, StopRequest
from diffbench.runner.join import assemble, empty_table_reasons
from diffbench.runner.journal import Journal, read_journal
from diffbench.runner.meta import new_run_dir, run_meta, slowest, time_by_method
from diffbench.runner.scheduler import Task, run_tasks
from diffbench.runner.worker import execute


META_EVERY_S = 5.0     # how often meta.json's job counts are refreshed while the run goes


def job_tasks(plan_: Plan, config: RunConfig) -> list[Task]:
    tasks = []
    for job in plan_.jobs:
        budget = config.reference_budget_s if job.kind == "reference" else config.time_budget_s
        # NB: one lane per precision, so a float32 timeout does not skip float64's job (and the reverse)
        symbolic = job.kind == "method" and expects_timeout(job.method)
        lane = (job.case, job.method, job.precision) if symbolic else None
        # NB: a symbolic job gets a fresh process (sympy's cache would carry one size's work into the next);
        # the others may share one with jobs of the same case file, whose module they already share
        tasks.append(Task(job_key(job), execute, (job,), Limits(budget, config.memory_mb), job.label, lane,
                          reuse=None if symbolic else job.source))
    return tasks


def execute_run(config: RunConfig, progress=None, resume_dir: Path | None = None,
                cluster: DaskExecutor | None = None) -> tuple[Path, dict]:
    """Run into a new folder (or finish resume_dir); meta["status"] says how it ended, meta["exit_code"] what to exit.

    cluster: run the jobs on this dask cluster instead of local processes (the caller closes it); the traces,
    which write into the run folder, and the experiments, which time things, still run here."""
    clock = time.perf_counter()
    stamps = {"command_start": config.command_started, "run_start": time.time()}   # the timeline (epoch seconds)
    run_dir = Path(resume_dir) if resume_dir else new_run_dir(Path(config.out_dir))
    previous = records.read_meta(run_dir) if resume_dir else {}
    started = previous.get("started") or dt.datetime.now().isoformat(timespec="seconds")
    entries = read_journal(run_dir)
    local = LocalExecutor(config.workers, preload=method_modules(config.method_names()))
    executor = cluster or local
    where = cluster.describe() if cluster else {"kind": "local", "workers": config.workers}
    plan_, tasks, status, interrupted = Plan([], [], {}), [], "running", None
    failures = list(config.load_failures)
    _write_meta(run_dir, config, plan_, tasks, entries, failures, started, previous, clock, status, where)
    with StopRequest() as stop:
        try:
            plans = config.plans
            if plans is None:
                plans, load_failures = survey(config.sources().values(), config.mode, config.seed, executor,
                                              config.memory_mb, stop)
                failures += load_failures
            plan_ = plan(config, plans)
            jobs, traces = job_tasks(plan_, config), trace_tasks(run_dir, config, plan_.cases)
            tasks = jobs + traces
            extras = experiment_tasks(run_dir, config)
            _write_meta(run_dir, config, plan_, tasks + extras, entries, failures, started, previous, clock, status,
                        where)
            if progress:
                progress.start(len(tasks) + len(extras))
                for task in tasks + extras:
                    if task.key in entries:
                        progress.advance(task)
            with Journal(run_dir) as journal:
                stamps["jobs_start"] = time.time()
                last_meta = [time.monotonic()]

                def on_done(task, outcome, seconds):
                    entries[task.key] = (journal.append(task.key, outcome, seconds), seconds)
                    if progress:
                        progress.advance(task)
                    if time.monotonic() - last_meta[0] >= META_EVERY_S:   # counts a watcher (or a SIGKILL) sees
                        _write_meta(run_dir, config, plan_, tasks + extras, entries, failures, started, previous,
                                    clock, status, where)
                        last_meta[0] = time.monotonic()

                known = {key: outcome for key, (outcome, _) in entries.items()}
                if cluster is None:
                    run_tasks(tasks, local, on_done, stop, known)
                else:
                    run_tasks(jobs, cluster, on_done, stop, known)
                    run_tasks(traces, local, on_done, stop, known)
                stamps["experiments_start"] = time.time()
                # NB: experiments time things, so they run alone, after the jobs
                run_tasks(extras, LocalExecutor(1), on_done, stop, known)
                tasks += extras
                stamps["jobs_end"] = time.time()
            status = "complete"
        except Interrupted as signal_received:
            status, interrupted = "interrupted", signal_received
        except BaseException:
            _stop(local, cluster)
            _write_meta(run_dir, config, plan_, tasks, entries, failures, started, previous, clock, "failed", where)
            raise
        finally:
            _stop(local, cluster)
    meta = _finish(run_dir, config, plan_, tasks, entries, failures, started, previous, clock, status, where, stamps)
    if interrupted:
        meta["exit_code"] = interrupted.exit_code
        meta["interrupted_by"] = str(interrupted)    # a signal's name, or why the cluster was lost
        records.write_meta(run_dir, meta)
    return run_dir, meta


def _stop(local: LocalExecutor, cluster: DaskExecutor | None) -> None:
    local.stop()
    if cluster is not None:
        cluster.stop()


def _finish(run_dir, config, plan_, tasks, entries, failures, started, previous, clock, status, where,
            stamps) -> dict:
    results = [(job, entries[job_key(job)][0]) for job in plan_.jobs if job_key(job) in entries]
    tables, job_failures = assemble(plan_, results, config)
    conclude(run_dir, tables, results)
    not_written = records.write_tables(run_dir, tables, empty_table_reasons(tables, config))
    write_trace_index(run_dir, entries, plan_.cases)
    stamps["tables_end"] = time.time()
    return _write_meta(run_dir, config, plan_, tasks, entries, failures + job_failures + extra_failures(entries),
                       started, previous, clock, status, where, not_written, stamps)


def _write_meta(run_dir, config, plan_, tasks, entries, failures, started, previous, clock, status, where,
                not_written=None, stamps=None) -> dict:
    finished = [(task, *entries[task.key]) for task in tasks if task.key in entries]
    failed = sum(isinstance(outcome, Failure) and outcome.status != "skipped"
                 and not (outcome.status == "timeout" and task.lane is not None)   # NB: a symbolic timeout is measured
                 for task, outcome, _ in finished)
    counts = {"total": len(tasks), "done": len(finished), "failed": failed, "left": len(tasks) - len(finished)}
    seconds = previous.get("total_time_s", 0.0) + time.perf_counter() - clock
    meta = run_meta(config, run_dir, started, seconds, status, counts, failures, plan_.rejected)
    meta["executor"] = where      # local, or the dask cluster the jobs ran on
    meta["slowest_jobs"] = slowest(finished)
    meta["warnings"] = [f"{task.label}: {w}" for task, outcome, _ in finished for w in getattr(outcome, "warnings", [])]
    meta["worker_seconds_by_method"] = time_by_method(finished)
    # NB: wall-clock marks of this (last) session of the run, for `diffbench bench`'s breakdown
    meta["timeline"] = {name: round(t, 3) for name, t in (stamps or {}).items() if t is not None}
    meta["resumed"] = previous.get("resumed", []) + ([dt.datetime.now().isoformat(timespec="seconds")]
                                                     if previous else [])
    meta["experiments_used"] = {key.split("|", 1)[1]: outcome for key, (outcome, _) in entries.items()
                                if key.startswith("experiment|") and not isinstance(outcome, Failure)}
    if previous.get("command"):
        meta["command"] = previous["command"]
    if not_written is not None:
        meta["tables_not_written"] = not_written
    records.write_meta(run_dir, meta)
    return meta
