"""Bad case files in a real `diffbench run`: each failure is a record naming its case, the run goes on and exits 1."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from diffbench import records

BAD_CASES = Path(__file__).parent / "cases_bad"
BUDGET_S, REFERENCE_BUDGET_S = 2.0, 3.0
DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bad_run")
    started = time.monotonic()
    done = subprocess.run([DIFFBENCH, "run", "--cases", str(BAD_CASES), "--quick", "--methods", "tape_reverse,fd_central",
                           "--budget", str(BUDGET_S), "--reference-budget", str(REFERENCE_BUDGET_S), "--jobs", "2",
                           "--out", str(out)], capture_output=True, text=True, env=os.environ, timeout=600)
    seconds = time.monotonic() - started
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return done, run_dir, seconds


def test_the_run_survives_every_bad_case_and_exits_1(bad_run):
    done, run_dir, seconds = bad_run
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    # the infinite loop costs at most its reference, two method budgets and a trace budget on two workers,
    # plus start-up (imports, fork server) and the report
    assert seconds < 120, seconds
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "complete" and meta["exit_code"] == 1
    assert (run_dir / "report.html").stat().st_size > 0
    assert not (run_dir / ".traces").exists()     # the scratch of the trace that timed out is gone too


def test_the_good_case_keeps_its_results(bad_run):
    _, run_dir, _ = bad_run
    rows = records.read_table(run_dir, "results")
    good = rows[rows["case"] == "good_cube"]
    assert set(good["method"]) == {"tape_reverse", "fd_central"} and set(good["status"]) == {"ok"}
    assert (good[good["method"] == "tape_reverse"]["correct_digits"] >= 15).all()


@pytest.mark.parametrize("case,status,words", [
    ("infinite_loop", "timeout", f"timed out after {BUDGET_S:g} s"),
    ("os_exit", "failed", "exited with code 3"),
    ("sys_exit", "failed", "the case called sys.exit(0)"),
    ("keyboard_interrupt", "failed", "the case raised KeyboardInterrupt"),
    ("no_message", "failed", "RuntimeError (no message) (at misbehaving.py:28)"),
    ("huge_allocation", "failed", "MemoryError"),
])
def test_each_misbehaving_function_is_its_jobs_record(bad_run, case, status, words):
    _, run_dir, _ = bad_run
    rows = records.read_table(run_dir, "results")
    mine = rows[rows["case"] == case]
    assert set(mine["method"]) == {"tape_reverse", "fd_central"}
    assert set(mine["status"]) == {status}, mine[["method", "status", "message"]]
    assert all(words in message for message in mine["message"]), list(mine["message"])
    failures = json.loads((run_dir / "meta.json").read_text())["failures"]
    assert any(f["case"] == case and f["method"] == "tape_reverse" for f in failures)


@pytest.mark.parametrize("file,words", [("exits_at_import.py", "called sys.exit(0) (at exits_at_import.py:4)"),
                                        ("syntax_error.py", "SyntaxError")])
def test_a_module_that_cannot_load_is_a_record_naming_file_and_line(bad_run, file, words):
    done, run_dir, _ = bad_run
    failures = json.loads((run_dir / "meta.json").read_text())["failures"]
    mine = [f for f in failures if f["method"] == "load" and file in f["message"]]
    assert len(mine) == 1 and words in mine[0]["message"], failures
    if file == "syntax_error.py":
        assert "syntax_error.py:3" in mine[0]["message"]
    assert "could not load cases" in done.stdout
