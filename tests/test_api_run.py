"""diffbench.run() through the runner, load() against the run's own CSV, and `diffbench run --at` as a real process."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import mpmath
import numpy as np
import pandas as pd
import pytest

import diffbench

MP = mpmath.MPContext()   # NB: its own context, at 60 digits
MP.dps = 60
DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))
CASES = textwrap.dedent('''
    from diffbench.case import Case

    def log_cube(o, x):
        return o.log(x) * x ** 3

    CASES = (Case(name="log_cube", fn=log_cube, wrt=("x",), make_inputs=lambda rng: {"x": rng.uniform(0.5, 2.0)},
                  canonical=lambda: {"x": 0.7}),)
''')


def log_cube_gradient(x):          # d/dx x^3 log x, closed form
    return 3 * x ** 2 * MP.log(x) + x ** 2


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases")
    (folder / "log_cube.py").write_text(CASES)
    return folder


def test_run_writes_a_folder_only_when_asked_and_load_reads_its_csv(case_dir, tmp_path):
    result = diffbench.run(cases="log_cube", methods=["tape_reverse", "fd_central"], out=tmp_path / "runs",
                           case_dirs=[case_dir], jobs=1, budget=60)
    run_dir = result.path
    assert run_dir.parent == tmp_path / "runs" and (run_dir / "results.csv").exists()
    loaded = diffbench.load(run_dir)
    raw = pd.read_csv(run_dir / "results.csv")
    # the file leaves out the columns empty in every row; load gives them back, empty, in the schema's order
    assert loaded.table[list(raw.columns)].to_csv(index=False) == (run_dir / "results.csv").read_text()
    assert [c for c in loaded.table.columns if c in raw] == list(raw.columns)
    assert loaded.table.drop(columns=list(raw.columns)).isna().all().all()
    assert len(raw) == len(loaded.table) == 2
    for column in ("rel_error", "correct_digits", "step_h"):
        assert np.array_equal(raw[column].to_numpy(float), loaded.table[column].to_numpy(float), equal_nan=True)
    assert loaded.meta["status"] == "complete" and loaded.evidence
    # the runner scored the float point 0.7 against the closed form
    point = [line for line in loaded.evidence if line["kind"] == "point"][0]
    assert abs(MP.mpf(point["jacobian_ref"][0]) - log_cube_gradient(MP.mpf(0.7))) < MP.mpf(10) ** -45
    before = sorted(Path(tempfile.gettempdir()).glob("diffbench-run-*"))
    in_memory = diffbench.run(cases="log_cube", methods=["tape_reverse"], case_dirs=[case_dir], jobs=1, budget=60)
    assert in_memory.path is None and len(in_memory.table) == 1
    assert sorted(Path(tempfile.gettempdir()).glob("diffbench-run-*")) == before   # nothing left over


def test_load_refuses_a_folder_that_is_no_run(tmp_path):
    from diffbench.records import RunFolderError
    with pytest.raises(RunFolderError, match="no meta.json"):
        diffbench.load(tmp_path)


def test_in_memory_cases_run_in_process_and_sweep(tmp_path):
    def logistic(o, x, n):
        for _ in range(n - 1):
            x = 4 * x * (1 - x)
        return x
    case = diffbench.Case.from_function(logistic, inputs={"x": "0.3"}, sweep={"n": (1, 2, 3)})
    result = diffbench.run([case], methods=["tape_reverse", "complex_step"], out=tmp_path)
    refs = {line["param"]: line["jacobian_ref"][0] for line in result.evidence if line["kind"] == "point"}
    # l_2 = 4x(1 - x): l_2' = 4 - 8x = 1.6 at x = 3/10 exactly; l_3' = 4(1 - 2 l_2) l_2' = 4 (1 - 1.68) 1.6
    assert MP.mpf(refs["n=1"]) == 1 and abs(MP.mpf(refs["n=2"]) - MP.mpf("1.6")) < 1e-48
    assert abs(MP.mpf(refs["n=3"]) - MP.mpf("-4.352")) < 1e-47
    assert (result.table["correct_digits"] >= 15).all()
    assert diffbench.load(result.path).table.to_csv(index=False) == result.table.to_csv(index=False)


def diffbench_run(*args, cwd):
    return subprocess.run([DIFFBENCH, "run", *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=os.environ)


def point_lines(run_dir: Path) -> list:
    return [json.loads(line) for line in (run_dir / "evidence.jsonl").read_text().splitlines()
            if json.loads(line)["kind"] == "point"]


def test_cli_at_a_point_and_from_a_file(case_dir, tmp_path):
    out = tmp_path / "runs"
    done = diffbench_run("--cases", str(case_dir), "--only", "log_cube", "--at", "x=1.25", "--quick",
                         "--methods", "tape_reverse", "--budget", "60", "--out", str(out), "--no-report", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = out.iterdir()
    (point,) = point_lines(run_dir)
    assert point["inputs"]["x"]["values"] == [repr(1.25)]
    assert abs(MP.mpf(point["jacobian_ref"][0]) - log_cube_gradient(MP.mpf("1.25"))) < MP.mpf(10) ** -45
    assert "rounded to float64" not in done.stderr          # 1.25 is a float64 number

    np.savez(tmp_path / "point.npz", x=np.float64(0.1))
    (tmp_path / "point.json").write_text(json.dumps({"x": "0.1"}))
    for given in ("point.npz", "point.json"):
        done = diffbench_run("--cases", str(case_dir), "--only", "log_cube", "--at", given, "--quick",
                             "--methods", "tape_reverse", "--budget", "60", "--out", str(tmp_path / f"runs-{given}"), "--no-report", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        (run_dir,) = (tmp_path / f"runs-{given}").iterdir()
        (point,) = point_lines(run_dir)
        assert point["inputs"]["x"]["values"] == [repr(0.1)]
        # the runner's reference is at the float64 point 0.1000000000000000055511...
        assert abs(MP.mpf(point["jacobian_ref"][0]) - log_cube_gradient(MP.mpf(0.1))) < MP.mpf(10) ** -45
    assert "x rounded to float64" in done.stderr       # the JSON's decimal 0.1 is no float64 number


def test_cli_at_usage_errors_exit_2(case_dir, tmp_path):
    done = diffbench_run("--cases", str(case_dir), "--only", "log_cube", "--at", "y=1", "--quick",
                         "--out", str(tmp_path / "runs"), cwd=tmp_path)
    assert done.returncode == 2
    assert "Error: Invalid value for --at: case 'log_cube' has no input y; its inputs: x" in done.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())   # no run folder made


def test_in_process_jobs_keep_the_budget_and_the_symbolic_lane_policy():
    def slow_in_sympy(o, x, n):
        if getattr(getattr(o, "base", o), "name", "") == "sympy":
            time.sleep(30)
        return n * o.exp(x)
    case = diffbench.Case.from_function(slow_in_sympy, inputs={"x": "0.5"}, sweep={"n": (1, 2)})
    started = time.monotonic()
    result = diffbench.run([case], methods=["sympy", "tape_reverse"], budget=1.0)
    assert time.monotonic() - started < 20
    rows = result.table.set_index(["param", "method"])
    assert rows.loc[("n=1", "sympy"), "status"] == "timeout"
    assert rows.loc[("n=1", "sympy"), "message"] == "timed out after 1 s"
    assert rows.loc[("n=2", "sympy"), "status"] == "skipped"
    assert (rows.xs("tape_reverse", level="method")["correct_digits"] >= 15).all()
    assert result.meta["jobs"]["failed"] == 0 and result.meta["exit_code"] == 0   # a symbolic timeout is measured


def test_run_takes_cases_loaded_from_files(case_dir):
    from diffbench.case import load_case_file
    (case,) = load_case_file(case_dir / "log_cube.py")
    result = diffbench.run([case], methods=["tape_forward"], jobs=1, budget=60)   # NB: a loaded machine
    assert list(result.table["case"]) == ["log_cube"], result.table
    assert result.table["correct_digits"][0] >= 15, result.table[["status", "message"]].to_string()
