"""Exit codes as the README documents them: 0 all as expected, 1 for each kind of unexpected failure, 2 for usage."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from diffbench import records
from diffbench.cli import main

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))

PATH_CASES = textwrap.dedent('''
    """One case per exit path; each misbehaves on exactly one backend or input."""
    import multiprocessing
    import time
    from diffbench.case import Case

    def on(o, name):
        base = getattr(o, "base", o)
        return getattr(base, "name", "") == name

    def cube(o, x):
        return x * x * x

    def raises(o, x):
        return o.log(x) + undefined_name

    def overflow(o, x):                 # exp(800) exp(-800) = 1: inf * 0 = NaN in float64, exact in mpmath
        return o.exp(x) * o.exp(-x)

    def slow_on_float_tape(o, x):       # in a worker only: the parent's report trace would wait here too
        if type(o).__name__ == "Tape" and on(o, "float") and multiprocessing.parent_process() is not None:
            time.sleep(30)
        return o.exp(x)

    def slow_in_sympy(o, x):
        if on(o, "sympy"):
            time.sleep(30)
        return o.exp(x)

    def no_mpmath(o, x):
        if on(o, "mpmath") or on(o, "arb"):    # neither high-precision backend: no reference at all
            raise ArithmeticError("this case cannot be evaluated in high precision")
        return o.exp(x)

    def positive_only(x):
        return None if x > 0 else f"x={float(x)} must be > 0"

    CASES = (
        Case(name="cube", fn=cube, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",), points=1),
        Case(name="raises", fn=raises, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",), points=1),
        Case(name="overflow", fn=overflow, make_inputs=lambda rng: {"x": 800.0 + rng.uniform(0, 1)}, wrt=("x",),
             points=1),
        Case(name="slow_tape", fn=slow_on_float_tape, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",),
             points=1),
        Case(name="slow_sympy", fn=slow_in_sympy, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",),
             points=1),
        Case(name="no_mpmath", fn=no_mpmath, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",), points=1),
        Case(name="outside_domain", fn=cube, make_inputs=lambda rng: {"x": -rng.uniform(1, 2)}, wrt=("x",),
             check_inputs=positive_only, points=1),
    )
''')


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exit_cases")
    (folder / "paths.py").write_text(PATH_CASES)
    return folder


def diffbench(*args, timeout=180):
    return subprocess.run([DIFFBENCH, *map(str, args)], capture_output=True, text=True, env=dict(os.environ),
                          timeout=timeout)


def in_process(*args):
    """The CLI in this process (click's runner): the exit code is the one sys.exit gets."""
    result = CliRunner().invoke(main, list(map(str, args)))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    return result


def run_case(case_dir, tmp_path, name, methods="tape_reverse", *extra, launch=in_process):
    out = tmp_path / "runs"
    done = launch("run", "--cases", case_dir, "--only", name, "--methods", methods, "--out", out, "--no-report",
                  "--jobs", "1", *extra)
    folders = list(out.iterdir()) if out.exists() else []
    rows = records.read_table(folders[0], "results") if folders else None
    meta = json.loads((folders[0] / "meta.json").read_text()) if folders else None
    return done, rows, meta


def test_exit_0_when_every_job_finishes_as_expected(case_dir, tmp_path):
    done, rows, meta = run_case(case_dir, tmp_path, "cube", "tape_reverse,fd_central", launch=diffbench)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(rows["status"]) == {"ok"} and meta["exit_code"] == 0 and meta["failures"] == []


def test_exit_1_for_an_exception(case_dir, tmp_path):
    done, rows, meta = run_case(case_dir, tmp_path, "raises")
    assert done.exit_code == 1
    assert set(rows["status"]) == {"failed"} and "NameError" in rows["message"].iloc[0]


def test_unexpected_nan_is_failed_not_inaccurate(case_dir, tmp_path):
    done, rows, meta = run_case(case_dir, tmp_path, "overflow", "tape_reverse,torch")
    assert done.exit_code == 1
    assert set(rows["status"]) == {"failed"}, rows[["method", "status", "message"]]
    assert rows["message"].str.contains("NaN/inf").all()
    assert {f["status"] for f in meta["failures"]} == {"failed"}


def test_exit_1_for_an_input_outside_the_domain(case_dir, tmp_path):
    done, rows, meta = run_case(case_dir, tmp_path, "outside_domain")
    assert done.exit_code == 1
    assert set(rows["status"]) == {"domain_error"} and "must be > 0" in rows["message"].iloc[0]


def test_exit_1_when_a_non_symbolic_method_runs_out_of_budget(case_dir, tmp_path):
    done, rows, meta = run_case(case_dir, tmp_path, "slow_tape", "tape_reverse", "--budget", "2")
    assert done.exit_code == 1
    assert set(rows["status"]) == {"timeout"}


def test_sympy_out_of_budget_is_measured_not_failed(case_dir, tmp_path):
    done, rows, meta = run_case(case_dir, tmp_path, "slow_sympy", "sympy,tape_reverse", "--budget", "2")
    assert done.exit_code == 0, done.output
    assert dict(zip(rows["method"], rows["status"])) == {"sympy": "timeout", "tape_reverse": "ok"}


def test_exit_1_when_the_reference_cannot_be_computed(case_dir, tmp_path):
    done, rows, meta = run_case(case_dir, tmp_path, "no_mpmath")
    assert done.exit_code == 1
    assert [f["method"] for f in meta["failures"]] == ["reference"]
    assert "ArithmeticError" in meta["failures"][0]["message"]
    assert rows["message"].iloc[0].startswith("not scored")


USAGE_ERRORS = {
    "unknown method": ["run", "--methods", "nope"],
    "no case matches": ["run", "--only", "no_such_case_anywhere"],
    "dps below 30": ["run", "--dps", "20"],
    "unknown experiment": ["run", "--experiments", "nope"],
    "missing case folder": ["run", "--cases", "/nonexistent/folder"],
    "unknown option": ["run", "--no-such-option"],
    "unknown command": ["no-such-command"],
    "list of a missing folder": ["list", "--cases", "/nonexistent/folder"],
}


@pytest.mark.parametrize("args", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_exit_2_for_each_usage_error(args, tmp_path):
    done = in_process(*args, "--out", tmp_path / "runs") if args[0] == "run" else in_process(*args)
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output and "Error" in done.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_exit_1_for_a_case_file_that_does_not_load(tmp_path):
    """A broken case file is not a usage error: it is its file's failure record, and the run goes on (exit 1)."""
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "bad.py").write_text("x = (\n")
    done = diffbench("run", "--cases", folder, "--out", tmp_path / "runs")
    assert done.returncode == 1, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "could not load cases" in output and "bad.py" in output and "Traceback" not in output
