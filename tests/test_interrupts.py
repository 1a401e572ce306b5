"""Real signals to a real `diffbench run --quick`: finished jobs survive, no process outlives the run, --resume completes."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from diffbench import records

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))
RUN = ["run", "--quick", "--only", "log_quadratic,logdet,mds", "--jobs", "2", "--no-report",
       "--methods", "tape_reverse,tape_forward,fd_central,fd_forward,torch,complex_step,richardson"]
def is_timing(column: str) -> bool:
    """Columns measured by a clock, or derived from one (the cost ratios and their break-even)."""
    return column.endswith("_s") or column in ("cost_ratio", "float_cost_ratio", "break_even_evals")


def comparable(run_dir: Path, table: str = "results") -> pd.DataFrame:
    """A table without its timing columns, in a fixed row order."""
    rows = records.read_table(run_dir, table)
    rows = rows.drop(columns=[c for c in rows.columns if is_timing(c)])
    order = ["case", "param", "method", "point"] if table == "results" else ["case", "param", "point", "scheme", "direction", "h"]
    return rows.sort_values(order).reset_index(drop=True)


def journal_lines(run_dir: Path) -> int:
    path = run_dir / "journal.jsonl"
    return path.read_text().count("\n") if path.exists() else 0


def method_jobs_done(out: Path) -> int:
    """Method jobs in the journal of the one run folder under out (references run first)."""
    folders = list(out.iterdir())
    path = folders[0] / "journal.jsonl" if folders else None
    return path.read_text().count('{"key": "method|') if path and path.exists() else 0


def session_processes(session: int) -> list[int]:
    """Live (not zombie) processes of a session: the run and everything it started."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    done = subprocess.run([DIFFBENCH, *RUN, "--out", str(out)], capture_output=True, text=True, env=os.environ,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = list(out.iterdir())
    return run_dir


@pytest.mark.parametrize("signum,exit_code,group", [(signal.SIGINT, 130, False), (signal.SIGTERM, 143, False),
                                                    (signal.SIGKILL, -9, False),
                                                    (signal.SIGTERM, 143, True)])   # as `timeout` or systemd send it
def test_interrupted_run_keeps_finished_jobs_and_resumes_to_a_clean_runs_rows(tmp_path, clean_run, signum, exit_code,
                                                                             group):
    process = subprocess.Popen([DIFFBENCH, *RUN, "--out", str(tmp_path)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=os.environ, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and method_jobs_done(tmp_path) < 3:
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.1)
    (run_dir,) = list(tmp_path.iterdir())
    (os.killpg if group else os.kill)(process.pid, signum)   # the group: the fork server gets it too
    finished_before = journal_lines(run_dir)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == exit_code, output
    time.sleep(5)
    assert session_processes(process.pid) == [], "processes of the run outlived it"
    keys = [json.loads(line)["key"] for line in (run_dir / "journal.jsonl").read_text().splitlines()]
    assert len(keys) >= finished_before and len(set(keys)) == len(keys)
    total = json.loads((clean_run / "meta.json").read_text())["jobs"]["total"]
    assert len(keys) < total, "the run had finished before the signal came"
    meta = json.loads((run_dir / "meta.json").read_text())
    if signum == signal.SIGKILL:
        assert meta["status"] == "running"      # nobody was left to say otherwise; the journal holds the work
    else:
        assert meta["status"] == "interrupted" and meta["exit_code"] == exit_code
        assert meta["jobs"]["done"] == len(keys) and meta["jobs"]["left"] == total - len(keys)
        assert f"diffbench run --resume {run_dir}" in output
        partial = records.read_table(run_dir, "results")
        assert 0 < len(partial) < len(records.read_table(clean_run, "results"))
    resumed = subprocess.run([DIFFBENCH, "run", "--resume", str(run_dir), "--no-report"], capture_output=True, text=True,
                             env=os.environ, timeout=600)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "complete" and meta["jobs"] == {"total": total, "done": total, "failed": 0, "left": 0}
    assert meta["seed"] == 0 and meta["mode"] == "quick" and meta["resumed"]
    rerun = [json.loads(line)["key"] for line in (run_dir / "journal.jsonl").read_text().splitlines()]
    assert len(rerun) == total and set(keys) <= set(rerun)      # nothing that had finished ran again
    pd.testing.assert_frame_equal(comparable(run_dir), comparable(clean_run))
    pd.testing.assert_frame_equal(comparable(run_dir, "fd_sweep"), comparable(clean_run, "fd_sweep"))


def test_resume_refuses_other_options_and_folders_that_are_not_runs(tmp_path, clean_run):
    done = subprocess.run([DIFFBENCH, "run", "--resume", str(clean_run), "--seed", "3"], capture_output=True,
                          text=True, env=os.environ)
    assert done.returncode == 2 and "drop --seed" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([DIFFBENCH, "run", "--resume", str(clean_run)], capture_output=True, text=True,
                          env=os.environ)
    assert done.returncode == 2 and "complete already" in done.stderr
    done = subprocess.run([DIFFBENCH, "run", "--resume", str(tmp_path)], capture_output=True, text=True,
                          env=os.environ)
    assert done.returncode == 2 and "not a run folder" in done.stderr
    assert list(tmp_path.iterdir()) == []
