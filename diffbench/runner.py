"""Plan jobs (case x parameter x method), run them in terminable worker processes, write the run folder."""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import platform
import socket
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from diffbench import records
from diffbench.assemble import method_rows, status_rows
from diffbench.case import DomainError, describe
from diffbench.conclude import conclude
from diffbench.methods import METHODS
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS
from diffbench.swell import fit_rows
from diffbench.trace import write_traces
from diffbench.worker import Job, execute

SEED_SCHEME = "numpy.random.default_rng([seed, crc32(case|params), point])"


@dataclass
class RunConfig:
    cases: dict                      # name -> Case
    methods: tuple
    mode: str = "default"            # quick | default | full
    seed: int = 0
    dps: int = 50
    time_budget_s: float = 5.0
    reference_budget_s: float = 120.0
    workers: int = 2
    out_dir: Path = Path("reports")
    experiments: tuple = ()          # experiment names run after the jobs (diffbench.experiments.command)
    command: list = field(default_factory=lambda: list(sys.argv))


@dataclass
class Plan:
    jobs: list                       # Job
    rejected: list                   # (case, params, message): parameters or inputs outside the domain


def plan(config: RunConfig) -> Plan:
    jobs, rejected = [], []
    for case in config.cases.values():
        for value in case.sweep_values(config.mode):
            params = case.params(value)
            try:
                count = 1 if config.mode == "quick" else case.points  # NB: --quick keeps point 0 only
                points = tuple(case.inputs(config.seed, params, k) for k in range(count))
            except DomainError as error:
                rejected.append((case, params, str(error)))
                continue
            common = dict(source=case.source, case=case.name, params=params, points=points, seed=config.seed,
                          dps=config.dps)
            jobs.extend(Job(kind="reference", **{**common, "points": (inputs,)}, first_point=k)
                        for k, inputs in enumerate(points))
            jobs.extend(Job(kind="method", method=m, **common) for m in config.methods)
    return Plan(jobs, rejected)


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


def run_jobs(jobs, config: RunConfig, on_done=None) -> list:
    """(job, JobOutput) pairs, or (job, (status, message)) for a job that ended without output."""
    # NB: one BLAS/OpenMP thread per worker, set before the worker processes import numpy and torch.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["diffbench.worker"])
    results = []
    # Reference jobs first and big parameters first, so the slowest work starts early.
    order = sorted(jobs, key=lambda j: (j.kind != "reference", -max((v for v in j.params.values()
                                                                      if isinstance(v, (int, float))), default=0)))
    chains = symbolic_chains(order, config)
    followers = {id(job) for chain in chains.values() for job in chain[1:]}
    with ProcessPool(max_workers=config.workers, context=context) as pool:
        pending = {}

        def submit(job):
            budget = config.reference_budget_s if job.kind == "reference" else config.time_budget_s
            pending[pool.schedule(execute, args=(job,), timeout=budget)] = (job, budget)

        def finish(job, result):
            results.append((job, result))
            if on_done:
                on_done(job)

        for job in order:
            if id(job) not in followers:
                submit(job)
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                job, budget = pending.pop(future)
                result = outcome(future, budget)
                finish(job, result)
                chain = chains.get((job.case, job.method))
                if not chain or chain[0] is not job:
                    continue
                chain.pop(0)
                if isinstance(result, tuple) and result[0] == "timeout":
                    for later in chain:  # NB: a larger size of a swelling expression would only time out too
                        finish(later, ("skipped", f"not run: {job.label} already timed out after {budget:g} s"))
                    chain.clear()
                elif chain:
                    submit(chain[0])
    return results


def symbolic_chains(jobs: list, config: RunConfig) -> dict:
    """(case, method) -> that method's jobs by increasing size, for methods whose timeouts are expected."""
    chains: dict = {}
    for job in jobs:
        if job.kind == "method" and METHODS[job.method].expected_timeout:
            chains.setdefault((job.case, job.method), []).append(job)
    for (case_name, _), chain in chains.items():
        sweep = config.cases[case_name].sweep
        chain.sort(key=lambda j: j.params.get(sweep, 0) if sweep else 0)
    return chains


def outcome(future, budget: float):
    """A job's output, or the (status, message) that ended it."""
    try:
        return future.result()
    except FutureTimeout:
        return ("timeout", f"timed out after {budget:g} s")
    except ProcessExpired as error:
        return ("failed", f"worker process died (exit code {error.exitcode})")
    except Exception as error:  # noqa: BLE001 - recorded, the run goes on
        return ("failed", f"{type(error).__name__}: {error}")


def assemble(plan_: Plan, results: list, config: RunConfig) -> tuple[dict, list]:
    """Rows of every table, and the list of unexpected failures."""
    tables = {name: [] for name in records.TABLES}
    failures = []
    references = {}
    by_point: dict = {}
    for job, result in results:
        if job.kind == "reference":
            key = (job.case, describe(job.params))
            if isinstance(result, tuple):
                found = [{"error": f"reference {result[0]}: {result[1]}"}] * len(job.points)
            else:
                found = result.points
            for index, ref in enumerate(found, start=job.first_point):
                by_point.setdefault(key, {})[index] = ref
                if "error" in ref:
                    failures.append({"case": job.case, "param": describe(job.params), "method": "reference",
                                     "point": index, "status": "failed", "message": ref["error"]})
    for key, points in by_point.items():
        references[key] = [points.get(k, {"error": "reference missing"}) for k in range(max(points) + 1)]
    for job, result in results:
        if job.kind != "method":
            continue
        case, method = config.cases[job.case], METHODS[job.method]
        refs = references.get((job.case, describe(job.params)))
        if isinstance(result, tuple):
            status, message = result
            status_rows(case, job.params, method.name, len(job.points), status, message, tables, refs)
        else:
            method_rows(case, job.params, method, result, refs, tables)
    for case, params, message in plan_.rejected:
        for method in config.methods:
            status_rows(case, params, method, 0, "domain_error", message, tables)
    tables["swell_fits"] = fit_rows(tables["swell"])
    for row in tables["results"]:
        if is_failure(row):
            failures.append({k: row.get(k) for k in ("case", "param", "method", "point", "status", "message")})
    return tables, failures


def is_failure(row: dict) -> bool:
    """Unexpected outcomes: errors, bad domains, and timeouts of methods that should not time out."""
    if row["status"] in ("failed", "domain_error"):
        return True
    return row["status"] == "timeout" and not METHODS[row["method"]].expected_timeout


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


def run_experiments(run_dir: Path, config: RunConfig) -> list:
    """Each requested experiment into run_dir/experiments/<name>/; one that raises is a recorded failure."""
    from diffbench.experiments.command import run_experiment
    failures = []
    for name in config.experiments:
        try:
            folder = run_dir / "experiments" / name
            folder.mkdir(parents=True)
            run_experiment(name, run_dir / "experiments", quick=config.mode == "quick", folder=folder)
        except Exception as error:  # noqa: BLE001 - recorded, the run goes on
            failures.append({"case": "-", "param": "-", "method": f"experiment {name}", "point": None,
                             "status": "failed", "message": f"{type(error).__name__}: {error}"})
    return failures


def execute_run(config: RunConfig, progress=None) -> tuple[Path, dict]:
    """The whole run: plan, compute, write CSVs and meta.json into a new run folder."""
    started, clock = dt.datetime.now(), time.perf_counter()
    run_dir = new_run_dir(Path(config.out_dir))
    plan_ = plan(config)
    if progress:
        progress.start(len(plan_.jobs))
    results = run_jobs(plan_.jobs, config, on_done=progress.advance if progress else None)
    tables, failures = assemble(plan_, results, config)
    conclude(run_dir, tables, results)
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
