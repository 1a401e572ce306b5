"""One scheduler: jobs to worker processes under their budgets; symbolic lanes skip larger sizes after a timeout."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessExpired, ProcessPool

from diffbench.methods import METHODS
from diffbench.runner.worker import execute


def run_jobs(jobs, config: RunConfig, on_done=None) -> list:
    """(job, JobOutput) pairs, or (job, (status, message)) for a job that ended without output."""
    # NB: one BLAS/OpenMP thread per worker, set before the worker processes import numpy and torch.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["diffbench.runner.worker"])
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
