"""diffbench check --dask: each submission's own isolated grading runs on a dask worker; results come back here."""
from __future__ import annotations

import tempfile
from pathlib import Path

from diffbench.check.checker import CheckOptions, CheckResult, check_solutions
from diffbench.check.sandbox import choose_sandbox
from diffbench.runner.dask_executor import close_cluster, connect, one_line


class ClusterCheckFailed(RuntimeError):
    """A submission could not be graded on the cluster (not the student's fault: a worker or its sandbox)."""


def grade_on_worker(name: str, source: bytes, sandbox_request: str, options: CheckOptions,
                    jobs: int) -> tuple[CheckResult, str]:
    """On a dask worker: (the file's result, the worker's sandbox warning), graded as `diffbench check` does.

    The file is written to a fresh folder of the worker under its own name, so messages name it as locally."""
    sandbox = choose_sandbox(sandbox_request)    # NB: the worker's bubblewrap, not the client's
    with tempfile.TemporaryDirectory(prefix="diffbench-check-") as folder:
        path = Path(folder) / name
        path.write_bytes(source)
        return check_solutions([path], sandbox, options, jobs=jobs)[0], sandbox.warning


def check_on_cluster(paths: list, sandbox_request: str, options: CheckOptions, address: str,
                     jobs: int) -> tuple[list[CheckResult], list[str]]:
    """(a result per file, in order; the workers' sandbox warnings) with every file graded on the cluster.

    jobs: student processes at a time on the worker grading one file (and the workers of --dask local)."""
    client, cluster = connect(address, jobs)
    try:
        paths = [Path(p).resolve() for p in paths]
        futures = [client.submit(grade_on_worker, path.name, path.read_bytes(), sandbox_request, options, jobs,
                                 pure=False) for path in paths]
        results, warnings = [], []
        for path, future in zip(paths, futures):
            try:
                result, warning = future.result()
            except Exception as error:  # noqa: BLE001 - a worker's failure stops the grading: no partial grades
                raise ClusterCheckFailed(f"could not grade {path.name} on the dask cluster: "
                                         f"{type(error).__name__}: {one_line(error)}") from None
            result.path = path
            results.append(result)
            warnings += [warning] if warning and warning not in warnings else []
        return results, warnings
    finally:
        close_cluster(client, cluster)
