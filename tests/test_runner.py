"""The run as a user sees it: folders, exit codes, failures recorded, determinism, user case folders."""
import json
import subprocess
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from diffbench import records
from diffbench.case import DomainError, load_cases
from diffbench.cli import main
from diffbench.methods.base import PointResult
from diffbench.runner.executor import Failure, Limits, LocalExecutor
from diffbench.runner.journal import Journal, read_journal
from diffbench.runner.scheduler import Task, run_tasks
from diffbench.runner.worker import JobOutput

USER_CASES = textwrap.dedent('''
    """Cases of a user's own, some of them broken on purpose."""
    import time
    from diffbench.case import Case

    def cube(o, x):
        return x * x * x

    def broken(o, x):
        return o.log(x) + undefined_name

    def slow_on_tape(o, x):
        if type(o).__name__ == "Tape" and o.base.name == "float":  # the tape method hangs; the reference does not
            time.sleep(30)
        return o.exp(x)

    def power_sum(o, x, n=1):
        return o.sum(x ** n)

    CASES = (
        Case(name="cube", fn=cube, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",),
             canonical=lambda: {"x": 1.5}),
        Case(name="broken", fn=broken, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",)),
        Case(name="slow", fn=slow_on_tape, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",), points=1),
        Case(name="power_sum", fn=power_sum, make_inputs=lambda rng, n: {"x": rng.uniform(1, 2, 3)}, wrt=("x",),
             sweep="n", values=(0, 2), check_params=lambda n: None if n >= 1 else f"parameter n={n} must be >= 1"),
    )
''')


@pytest.fixture(scope="module")
def user_case_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("user_cases")
    (folder / "mine.py").write_text(USER_CASES)
    return folder


@pytest.fixture(scope="module")
def user_run(user_case_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(main, ["run", "--cases", str(user_case_dir), "--methods", "tape_reverse,fd_central",
                                       "--out", str(out), "--budget", "3", "--no-report"])
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return result, run_dir


def test_failures_are_recorded_and_the_run_goes_on(user_run):
    result, run_dir = user_run
    assert result.exit_code == 1, result.output
    rows = records.read_table(run_dir, "results")
    by_case = {case: set(group["status"]) for case, group in rows.groupby("case")}
    assert by_case["cube"] == {"ok"}
    assert by_case["broken"] == {"failed"}
    assert "NameError" in rows[rows["case"] == "broken"]["message"].iloc[0]
    slow = rows[(rows["case"] == "slow")]
    assert set(slow[slow["method"] == "tape_reverse"]["status"]) == {"timeout"}
    assert "timed out after 3 s" in slow[slow["method"] == "tape_reverse"]["message"].iloc[0]
    assert set(slow[slow["method"] == "fd_central"]["status"]) == {"ok"}
    rejected = rows[(rows["case"] == "power_sum") & (rows["param"] == "n=0")]
    assert set(rejected["status"]) == {"domain_error"}
    assert "case 'power_sum'" in rejected["message"].iloc[0] and "n=0" in rejected["message"].iloc[0]
    assert set(rows[(rows["case"] == "power_sum") & (rows["param"] == "n=2")]["status"]) == {"ok"}
    cube = rows[(rows["case"] == "cube") & (rows["method"] == "tape_reverse")]
    assert (cube["correct_digits"] >= 15).all()
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["exit_code"] == 1 and {f["case"] for f in meta["failures"]} >= {"broken", "slow", "power_sum"}


def test_runs_never_overwrite_each_other(user_case_dir, tmp_path):
    args = ["run", "--cases", str(user_case_dir), "--only", "cube", "--methods", "tape_reverse", "--out",
            str(tmp_path), "--no-report"]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    folders = sorted(p for p in tmp_path.iterdir() if p.is_dir())
    assert len(folders) == 2
    a, b = (records.read_table(f, "results") for f in folders)
    np.testing.assert_array_equal(a["rel_error"], b["rel_error"])   # same seed, same numbers
    meta = json.loads((folders[0] / "meta.json").read_text())
    assert meta["seed"] == 0 and meta["versions"]["torch"] and meta["command"].startswith("diffbench run")


def test_seeded_inputs_are_deterministic():
    case = load_cases()["log_quadratic"]
    params = case.params(10)
    a, b = case.inputs(5, params, 1), case.inputs(5, params, 1)
    np.testing.assert_array_equal(a["x"], b["x"])
    assert not np.array_equal(a["x"], case.inputs(6, params, 1)["x"])


def test_domain_errors_name_case_and_parameter():
    case = load_cases()["logistic"]
    with pytest.raises(DomainError, match=r"case 'logistic'.*n=0"):
        case.inputs(0, case.params(0), 0)
    log_quadratic = load_cases()["log_quadratic"]
    inputs = log_quadratic.inputs(0, log_quadratic.params(2), 0)
    assert "A is not positive definite" in log_quadratic.check_inputs(x=inputs["x"], A=-inputs["A"], n=2)


def test_broken_case_file_is_a_clear_error(tmp_path):
    (tmp_path / "bad.py").write_text("def f(:\n")
    result = CliRunner().invoke(main, ["run", "--cases", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and "could not load cases" in result.output
    (tmp_path / "bad.py").write_text("X = 1\n")
    result = CliRunner().invoke(main, ["list", "--cases", str(tmp_path)])
    assert result.exit_code != 0 and "must define CASES" in result.output


def test_usage_errors(tmp_path):
    result = CliRunner().invoke(main, ["run", "--methods", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "unknown method" in result.output
    result = CliRunner().invoke(main, ["run", "--only", "no_such_case", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no case matches" in result.output
    assert not any(tmp_path.iterdir())


def test_list_shows_cases_and_methods():
    result = CliRunner().invoke(main, ["list"])
    assert result.exit_code == 0
    for word in ("logistic", "log_quadratic", "logdet", "mds", "trace_example", "tape_reverse", "sympy"):
        assert word in result.output


# ----- the execution layer's parts: journal, scheduler, executor -----

def test_journal_round_trips_outputs_exactly_and_ignores_a_cut_last_line(tmp_path):
    sweep = {"h": np.logspace(-12, -1, 5), "estimates": [np.array([[0.1 + 2e-17, np.nan]]), np.array([[np.inf, -0.0]])],
             "direction": "full", "directions": None}
    point = PointResult(jacobian=np.array([[1 / 3, -2 / 7]]), status="ok", eval_time_s=1.5e-6,
                        extra={"sweep": sweep, "step_h": 1e-6, "pair": (1, "two")}, timings={"eval": 1.5e-6},
                        swell=[{"representation": "sympy_tree", "nodes": 12}])
    output = JobOutput(points=[point, {"hi": np.array([[1j + 0.5]]), "digits": 50.0}], func_times=[2e-7],
                       seconds=0.25, nonfinite_reason="exp overflows")
    with Journal(tmp_path) as journal:
        journal.append("method|c|n=1|tape", output, 0.3)
        journal.append("method|c|n=2|tape", Failure("timeout", "timed out after 2 s"), 2.0)
    with open(tmp_path / "journal.jsonl", "a") as handle:
        handle.write('{"key": "method|c|n=3|tape", "seconds": 1.0, "outc')   # what a SIGKILL can leave
    entries = read_journal(tmp_path)
    assert list(entries) == ["method|c|n=1|tape", "method|c|n=2|tape"]
    back, seconds = entries["method|c|n=1|tape"]
    assert seconds == 0.3 and isinstance(back, JobOutput) and back.nonfinite_reason == "exp overflows"
    got = back.points[0]
    assert isinstance(got, PointResult) and got.jacobian.tobytes() == point.jacobian.tobytes()
    assert got.extra["pair"] == (1, "two") and got.extra["sweep"]["directions"] is None
    np.testing.assert_array_equal(got.extra["sweep"]["h"], sweep["h"])
    assert got.extra["sweep"]["estimates"][0].tobytes() == sweep["estimates"][0].tobytes()   # NaN, -0.0, inf kept
    assert got.extra["sweep"]["estimates"][1].tobytes() == sweep["estimates"][1].tobytes()
    assert back.points[1]["hi"].dtype == complex and back.points[1]["hi"][0, 0] == 0.5 + 1j
    assert entries["method|c|n=2|tape"][0] == Failure("timeout", "timed out after 2 s")


def test_a_lane_stops_at_its_first_timeout_and_a_finished_lane_is_not_rerun():
    quick, slow = Limits(30, 512), Limits(0.5, 512)
    tasks = [Task("a1", time.sleep, (5,), slow, "a n=1", lane="a"), Task("a2", time.sleep, (0,), quick, "a n=2", "a"),
             Task("b1", time.sleep, (0,), quick, "b n=1", lane="b"), Task("b2", time.sleep, (0,), quick, "b n=2", "b"),
             Task("free", time.sleep, (0,), quick, "free")]
    seen = {}
    started = time.monotonic()
    run_tasks(tasks, LocalExecutor(2), lambda task, outcome, seconds: seen.__setitem__(task.key, outcome))
    assert time.monotonic() - started < 20
    assert seen["a1"] == Failure("timeout", "timed out after 0.5 s")
    assert seen["a2"] == Failure("skipped", "not run: a n=1 already timed out after 0.5 s")
    assert seen["b1"] is None and seen["b2"] is None and seen["free"] is None
    again = {}
    done = {"a1": seen["a1"], "b1": None}      # as a resumed run knows them from its journal
    run_tasks(tasks, LocalExecutor(2), lambda task, outcome, seconds: again.__setitem__(task.key, outcome), done=done)
    assert again == {"a2": seen["a2"], "b2": None, "free": None}


def test_a_timed_out_task_takes_its_own_children_with_it():
    marker = "31.4159"     # a sleep only this test starts
    seen = {}
    run_tasks([Task("spawn", subprocess.call, (["sleep", marker],), Limits(1.5, 512), "spawns a child")],
              LocalExecutor(1), lambda task, outcome, seconds: seen.__setitem__(task.key, outcome))
    assert seen["spawn"] == Failure("timeout", "timed out after 1.5 s")
    time.sleep(0.5)
    assert sleeping(marker) == []


def sleeping(marker: str) -> list[str]:
    """Pids of the `sleep MARKER` processes still running (a marker only one test starts)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                found.append(cmdline.parent.name)
        except OSError:
            continue
    return found


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_memory_limit_must_be_a_positive_number_of_megabytes(tmp_path, value):
    result = CliRunner().invoke(main, ["run", "--memory-mb", value, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--memory-mb" in result.output and "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


SLOW_SYMPY = textwrap.dedent('''
    """A case whose sympy derivation never ends: the symbolic lane stops at its first size."""
    import time
    from diffbench.case import Case

    def power(o, x, n=1):
        if getattr(o, "name", "") == "sympy":
            time.sleep(60)
        return x ** n

    CASES = (Case(name="slow_sympy", fn=power, make_inputs=lambda rng, n: {"x": rng.uniform(1, 2)}, wrt=("x",),
                  sweep="n", values=(1, 2, 3), quick_values=(1, 2, 3)),)
''')


def test_resume_keeps_a_timed_out_lane_stopped(tmp_path):
    """The journal says sympy timed out at n=1; on resume its larger sizes are skipped again, not run."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "slow.py").write_text(SLOW_SYMPY)
    args = ["run", "--cases", str(tmp_path / "cases"), "--quick", "--methods", "sympy,tape_reverse", "--budget", "1",
            "--reference-budget", "20", "--out", str(tmp_path / "out"), "--no-report"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output            # a sympy timeout is the measured outcome
    (run_dir,) = (tmp_path / "out").iterdir()
    journal = (run_dir / "journal.jsonl").read_text().splitlines()
    kept = [line for line in journal if '"skipped"' not in line]
    assert len(kept) == len(journal) - 2                  # n=2 and n=3 were skipped
    (run_dir / "journal.jsonl").write_text("\n".join(kept) + "\n")
    meta = json.loads((run_dir / "meta.json").read_text())
    (run_dir / "meta.json").write_text(json.dumps({**meta, "status": "interrupted"}))
    started = time.monotonic()
    resumed = CliRunner().invoke(main, ["run", "--resume", str(run_dir), "--no-report"])
    assert resumed.exit_code == 0, resumed.output
    assert time.monotonic() - started < 30     # nothing waited for another sympy budget
    rows = records.read_table(run_dir, "results")
    sympy = rows[rows["method"] == "sympy"].set_index("param")
    assert sympy.loc["n=1", "status"] == "timeout"
    assert list(sympy.loc[["n=2", "n=3"], "status"]) == ["skipped", "skipped"]
    assert "already timed out after 1 s" in sympy.loc["n=2", "message"]
    assert len((run_dir / "journal.jsonl").read_text().splitlines()) == len(journal)


def test_an_error_without_a_message_reads_as_its_type():
    from diffbench.error_text import error_text
    assert error_text(ZeroDivisionError()) == "ZeroDivisionError (no message)"
    assert error_text(ValueError("x must be > 0")) == "ValueError: x must be > 0"
