"""--dask: real `dask scheduler` and `dask worker` processes on 127.0.0.1 run the jobs, as local processes would."""
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from diffbench import records

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))
SOLUTIONS = Path(__file__).parent / "solutions"
# NB: a generous --budget, so that no sympy job's outcome depends on how loaded the machine is (a timeout at the
# default 5 s on a busy machine is a measurement, not a difference between the executors)
OPTIONS = ["run", "--quick", "--budget", "60", "--no-report", "--jobs", "2"]
RUN_ARGS = [*OPTIONS, "--only", "logistic,logdet"]
TABLES = ("results", "fd_sweep", "fd_evals", "swell", "swell_fits", "timing")
START_S = 120          # a scheduler's or worker's start on a loaded 2-core machine
RUN_S = 600

needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="the [cluster] extra is not installed: pip install -e '.[cluster]'")


def is_timing(column: str) -> bool:
    """As in test_determinism: timings (and what is derived from them) are what may differ between runs."""
    return (column.endswith("_s") or column in ("cost_ratio", "float_cost_ratio", "break_even_evals")
            or "seconds" in column or "time" in column)


def comparable(run_dir: Path, table: str, cases=None) -> pd.DataFrame:
    rows = records.read_table(run_dir, table)
    if cases is not None:   # NB: those cases' rows, without the parameter columns only other cases have
        rows = rows[rows["case"].isin(cases)]
        rows = rows[[c for c in rows.columns if c in records.TABLES[table] or rows[c].notna().any()]]
    rows = rows[[c for c in rows.columns if not is_timing(c)]]
    return rows.sort_values(list(rows.columns)).reset_index(drop=True)


def assert_same_tables(run_dir: Path, expected_dir: Path, cases=None) -> None:
    """The tables of run_dir are expected_dir's (those rows of `cases` only, where given), timings aside."""
    for table in TABLES:
        got, expected = comparable(run_dir, table, cases), comparable(expected_dir, table, cases)
        assert table != "results" or len(expected) >= 20    # quick: 27 rows of logistic, 90 with the logdets
        pd.testing.assert_frame_equal(got, expected, obj=table)


def journal_lines(run_dir: Path) -> list[str]:
    path = run_dir / "journal.jsonl"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return text.splitlines()[:-1] if text and not text.endswith("\n") else text.splitlines()


class DaskCluster:
    """A `dask scheduler` and `dask worker` processes on 127.0.0.1, each in its own process group."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.address = ""

    def _start(self, arguments: list, name: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")
        process = subprocess.Popen([sys.executable, "-m", *arguments], stdout=log, stderr=subprocess.STDOUT,
                                   env=dict(os.environ), start_new_session=True, cwd=self.folder)
        log.close()
        self.processes.append(process)
        return process

    def start_scheduler(self) -> subprocess.Popen:
        process = self._start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard"], "scheduler")
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            found = re.search(r"Scheduler at:\s+(tcp://127\.0\.0\.1:\d+)", (self.folder / "scheduler.log").read_text())
            if found:
                self.address = found.group(1)
                return process
            assert process.poll() is None, (self.folder / "scheduler.log").read_text()
            time.sleep(0.2)
        raise AssertionError("the dask scheduler did not say its address")

    def start_worker(self) -> subprocess.Popen:
        n = len(self.processes)
        return self._start(["distributed.cli.dask_worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                            "--no-dashboard", "--local-directory", str(self.folder / f"worker{n}")], f"worker{n}")

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client
        with Client(self.address, timeout=30) as client:
            client.wait_for_workers(count, timeout=START_S)

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(30)

    def close(self) -> None:
        for process in reversed(self.processes):
            self.kill(process)


@pytest.fixture
def make_cluster(tmp_path_factory):
    """make_cluster(workers) -> a started DaskCluster; every process of every cluster is killed at the end."""
    clusters = []

    def make(workers: int) -> DaskCluster:
        cluster = DaskCluster(tmp_path_factory.mktemp("dask"))
        clusters.append(cluster)
        cluster.start_scheduler()
        for _ in range(workers):
            cluster.start_worker()
        cluster.wait_for_workers(workers)
        return cluster
    yield make
    for cluster in clusters:
        cluster.close()


@pytest.fixture(scope="module")
def local_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    done = subprocess.run([DIFFBENCH, *RUN_ARGS, "--out", str(out)], capture_output=True, text=True,
                          env=dict(os.environ), timeout=RUN_S)
    assert done.returncode == 0, done.stdout + done.stderr
    return next(out.iterdir())


def start_run(out: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen([DIFFBENCH, *RUN_ARGS, "--out", str(out), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=dict(os.environ), start_new_session=True)


def wait_for_records(out: Path, count: int, process: subprocess.Popen) -> list[str]:
    """The journal's complete lines once it holds at least `count` method records."""
    deadline = time.monotonic() + RUN_S
    while time.monotonic() < deadline:
        runs = list(out.iterdir())
        lines = journal_lines(runs[0]) if runs else []
        if sum('"key": "method|' in line for line in lines) >= count:
            return lines
        assert process.poll() is None, process.communicate()[0]
        time.sleep(0.1)
    raise AssertionError(f"the run journaled fewer than {count} method records")


@needs_dask
def test_dask_run_gives_the_local_tables(make_cluster, local_run, tmp_path):
    cluster = make_cluster(workers=1)
    done = subprocess.run([DIFFBENCH, *RUN_ARGS, "--out", str(tmp_path), "--dask", cluster.address],
                          capture_output=True, text=True, env=dict(os.environ), timeout=RUN_S)
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = next(tmp_path.iterdir())
    assert_same_tables(run_dir, local_run)
    meta = records.read_meta(run_dir)
    assert meta["status"] == "complete"
    assert meta["executor"] == {"kind": "dask", "address": cluster.address, "scheduler": cluster.address,
                                "workers": 1, "threads": 1}
    assert records.read_meta(local_run)["executor"] == {"kind": "local", "workers": 2}


@needs_dask
def test_dask_local_runs_a_local_cluster_with_the_same_tables(local_run, tmp_path):
    done = subprocess.run([DIFFBENCH, *OPTIONS, "--only", "logistic", "--out", str(tmp_path), "--dask", "local"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=RUN_S)
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = next(tmp_path.iterdir())
    cases = sorted(set(records.read_table(run_dir, "results")["case"]))
    assert cases == sorted(c for c in set(records.read_table(local_run, "results")["case"]) if "logistic" in c)
    assert_same_tables(run_dir, local_run, cases)
    executor = records.read_meta(run_dir)["executor"]
    assert (executor["kind"], executor["address"], executor["workers"], executor["threads"]) == ("dask", "local", 2, 2)


@needs_dask
def test_a_worker_killed_mid_run_loses_no_record(make_cluster, local_run, tmp_path):
    cluster = make_cluster(workers=2)
    doomed = cluster.processes[1]
    run = start_run(tmp_path, "--dask", cluster.address)
    try:
        before = wait_for_records(tmp_path, 5, run)
        cluster.kill(doomed)       # the nanny, its worker and the worker's fork server, mid-task
        output, _ = run.communicate(timeout=RUN_S)
    finally:
        DaskCluster.kill(run)
    assert run.returncode == 0, output
    run_dir = next(tmp_path.iterdir())
    after = journal_lines(run_dir)
    assert after[:len(before)] == before                       # what was journaled stays as it was
    keys = [json.loads(line)["key"] for line in after]
    assert len(keys) == len(set(keys)) == len(journal_lines(local_run))   # each task once, none lost
    assert_same_tables(run_dir, local_run)


@needs_dask
def test_a_lost_cluster_interrupts_the_run_and_resume_finishes_it(make_cluster, local_run, tmp_path):
    cluster = make_cluster(workers=1)
    run = start_run(tmp_path, "--dask", cluster.address)
    try:
        before = wait_for_records(tmp_path, 3, run)
        cluster.close()            # scheduler and worker gone
        output, _ = run.communicate(timeout=RUN_S)
    finally:
        DaskCluster.kill(run)
    run_dir = next(tmp_path.iterdir())
    assert run.returncode == 3, output
    assert f"resume with: diffbench run --resume {run_dir}" in output
    meta = records.read_meta(run_dir)
    assert meta["status"] == "interrupted" and "dask scheduler" in meta["interrupted_by"]
    assert journal_lines(run_dir)[:len(before)] == before
    assert 3 <= meta["jobs"]["done"] < meta["jobs"]["total"]
    resumed = subprocess.run([DIFFBENCH, "run", "--resume", str(run_dir), "--no-report"], capture_output=True,
                             text=True, env=dict(os.environ), timeout=RUN_S)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert records.read_meta(run_dir)["status"] == "complete"
    assert_same_tables(run_dir, local_run)


def check_records(*extra) -> tuple[int, list]:
    done = subprocess.run([DIFFBENCH, "check", str(SOLUTIONS / "correct.py"), str(SOLUTIONS / "mistake_sign.py"),
                           "--format", "json", *extra], capture_output=True, text=True, env=dict(os.environ),
                          timeout=RUN_S)
    files = json.loads(done.stdout)
    for record in files:
        for function in record["functions"]:
            function.pop("time_s")
    return done.returncode, files


@needs_dask
def test_check_on_the_cluster_grades_as_locally(make_cluster):
    cluster = make_cluster(workers=1)
    local_code, local = check_records()
    dask_code, graded = check_records("--dask", cluster.address)
    assert (dask_code, graded) == (local_code, local)
    assert local_code == 1
    assert [f["passed"] for f in local] == [True, False]
    assert local[1]["functions"][0]["mistake"] == "sign error: your gradient is minus the true one"


@needs_dask
@pytest.mark.parametrize("address", ["tcp://127.0.0.1:9", "nonsense://x"])
@pytest.mark.parametrize("command", ["run", "check"])
def test_no_scheduler_at_the_address_is_a_usage_error(command, address, tmp_path):
    arguments = [*RUN_ARGS, "--out", str(tmp_path)] if command == "run" else ["check", str(SOLUTIONS / "correct.py")]
    started = time.monotonic()
    done = subprocess.run([DIFFBENCH, *arguments, "--dask", address], capture_output=True, text=True,
                          env=dict(os.environ), timeout=RUN_S, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: --dask {address}: no dask scheduler answers there"), lines
    assert time.monotonic() - started < 60
    assert not list(tmp_path.iterdir())          # no run folder was made


def test_without_the_cluster_extra_dask_says_how_to_install_it(tmp_path):
    hide = ("import sys; sys.modules['distributed'] = None; sys.argv = ['diffbench'] + sys.argv[1:]; "
            "from diffbench.cli import main; main()")
    done = subprocess.run([sys.executable, "-c", hide, "run", "--quick", "--out", str(tmp_path), "--dask", "local"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=RUN_S)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        "Error: --dask needs dask.distributed, which is not installed: pip install 'diffbench[cluster]'"]
    assert not list(tmp_path.iterdir())
