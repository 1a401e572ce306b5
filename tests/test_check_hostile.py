"""`diffbench check` against hostile student files: none passes, each is named, nothing escapes or survives."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import diffbench.check.checker as checker
from diffbench.case import load_cases
from diffbench.check.checker import CheckOptions, ReferenceCache, check_solution
from diffbench.check.command import check_command
from diffbench.check.isolate import Limits
from diffbench.check.sandbox import choose_sandbox

HOSTILE = Path(__file__).parent / "solutions" / "hostile"
CORRECT = Path(__file__).parent / "solutions" / "correct.py"
DIFFBENCH = Path(sys.executable).with_name("diffbench")


@pytest.fixture(scope="module")
def check():
    cases, references = load_cases(), ReferenceCache()
    sandbox = choose_sandbox("bwrap")     # NB: CI installs bubblewrap; without it these tests must fail, not skip

    def run(path, time_limit_s=10.0):
        options = CheckOptions(limits=Limits(time_s=time_limit_s, memory_mb=512))
        return check_solution(path, sandbox, options, cases=cases, references=references)
    return run


def student_processes(marker: str) -> list[int]:
    """Live processes running the student worker on a file whose name contains `marker` (read from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                arguments = handle.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(b"student_worker.py" in a for a in arguments) and \
                any(marker.encode() in a for a in arguments):
            found.append(int(entry))
    return found


def statuses(result) -> dict:
    return {task.task.function: (task.status, task.message) for task in result.tasks}


def copy_student(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    return Path(shutil.copy(HOSTILE / name, folder / name))


def test_a_file_that_exits_at_import_fails_and_says_so():
    result = CliRunner().invoke(check_command, [str(HOSTILE / "exit_at_import.py")])
    assert result.exit_code == 1
    assert "FAIL: could not load exit_at_import.py: your file called sys.exit(0) at import" in result.output


def test_exits_in_functions_are_their_results_and_the_others_are_kept(check):
    result = check(HOSTILE / "exit_in_function.py")
    found = statuses(result)
    assert found["grad_logistic"] == ("exited", "your function called sys.exit(0) at n=1, point 0")
    assert found["grad_trace_example"] == ("exited", "your function called sys.exit(1) at point 0")
    assert found["grad_log_quadratic"][0] == "crashed"
    assert "exit code 0 during the call at n=2, point 0" in found["grad_log_quadratic"][1]
    assert found["grad_logdet"][0] == "pass"
    assert not result.passed


def test_a_return_value_with_a_pickle_hook_is_only_numbers_to_the_checker(check):
    judge_task = checker.judge_task
    result = check(HOSTILE / "pickle_hook_return.py")
    assert checker.judge_task is judge_task and "DIFFBENCH_TAKEN_OVER" not in os.environ
    found = statuses(result)
    for name in ("grad_trace_example", "grad_sum_times_difference", "grad_log_sqrt"):
        assert found[name][0] == "fail" and found[name][1].startswith("your gradient is zero (3 of 3 points)")
    assert found["grad_logdet"][0] == "pass"
    assert not result.passed


def test_an_exception_with_a_pickle_hook_is_a_message_not_a_verdict():
    result = CliRunner().invoke(check_command, [str(HOSTILE / "pickle_hook_exception.py")])
    assert result.exit_code == 1
    assert "raised Poisoned: look at my pickle hook (line 17) at n=1, point 0" in result.output
    assert "PASS: 16 of 16" not in result.output and "FAIL: 1 of 2 functions pass" in result.output


def test_a_file_cannot_read_a_solution_elsewhere_on_disk(tmp_path, check):
    student = copy_student(tmp_path, "read_outside.py")
    (tmp_path / "other").mkdir()
    shutil.copy(CORRECT, tmp_path / "other" / "correct.py")
    found = statuses(check(student))
    for name in ("grad_logdet", "grad_log_quadratic"):
        assert found[name] == ("raised", f"raised FileNotFoundError: no solution to copy (line 19) at n=2, point 0")


def test_a_file_cannot_write_outside_its_sandbox(tmp_path, check):
    student = copy_student(tmp_path, "write_outside.py")
    victims = [tmp_path / "victim.txt", tmp_path / "student" / "victim.txt"]
    for victim in victims:
        victim.write_text("the grader's file\n")
    source = student.read_bytes()
    home_drop = Path.home() / "dropped.txt"
    existed = home_drop.exists()
    result = check(student)
    assert statuses(result)["grad_logdet"][0] == "fail" and not result.passed
    assert all(victim.read_text() == "the grader's file\n" for victim in victims)
    assert student.read_bytes() == source
    assert sorted(p.name for p in student.parent.iterdir()) == ["victim.txt", "write_outside.py"]
    assert home_drop.exists() == existed


def test_forked_children_die_with_the_check_and_cannot_multiply(check):
    started = time.monotonic()
    result = check(HOSTILE / "fork_many.py")
    assert time.monotonic() - started < 60
    found = statuses(result)
    assert found["grad_log_quadratic"][0] == "fail" and found["grad_logdet"][0] == "pass"
    assert student_processes("fork_many.py") == []


@pytest.mark.parametrize("sandbox", ["bwrap", "none"])
def test_a_daemon_holding_stdout_neither_delays_nor_outlives_the_checker(sandbox):
    started = time.monotonic()
    done = subprocess.run([str(DIFFBENCH), "check", "--sandbox", sandbox, str(HOSTILE / "daemon_stdout.py")],
                          capture_output=True, text=True, timeout=100, env=os.environ.copy())
    assert time.monotonic() - started < 45         # the daemon would hold stdout for 120 s
    assert done.returncode == 1
    assert "FAIL: 1 of 2 functions pass" in done.stdout
    assert "  | PASS: 16 of 16 functions pass" in done.stdout     # its output, marked as the student's
    assert student_processes("daemon_stdout.py") == []


def test_forked_children_are_killed_without_a_sandbox_too():
    done = subprocess.run([str(DIFFBENCH), "check", "--sandbox", "none", str(HOSTILE / "fork_many.py")],
                          capture_output=True, text=True, timeout=100, env=os.environ.copy())
    assert done.returncode == 1 and "NOT safe against a hostile student" in done.stderr
    assert "(sandbox: none)" in done.stdout
    assert student_processes("fork_many.py") == []


def test_megabytes_of_output_are_capped_and_marked():
    done = subprocess.run([str(DIFFBENCH), "check", str(HOSTILE / "huge_output.py")],
                          capture_output=True, timeout=200, env=os.environ.copy())
    assert done.returncode == 1
    assert len(done.stdout) < 64 * 1024           # of 120 MiB printed
    text = done.stdout.decode()
    assert "more bytes of output not shown" in text and "\x1b" not in text
    fake = [line for line in text.splitlines() if "PASS: 16 of 16" in line]
    assert fake and all(line.startswith("  | ") for line in fake)
    assert text.rindex("FAIL: 1 of 2 functions pass") > text.rindex("  | PASS: 16 of 16")


def test_keyboard_interrupt_and_exit_keep_the_other_results(check):
    found = statuses(check(HOSTILE / "keyboard_interrupt.py"))
    assert found["grad_logistic"] == ("raised", "raised KeyboardInterrupt (line 8) at n=1, point 0")
    assert found["grad_trace_example"] == ("exited", "your function called sys.exit(1) at point 0")
    assert found["grad_logdet"][0] == found["grad_log_quadratic"][0] == "pass"


def test_loops_are_stopped_at_the_time_limit(check):
    started = time.monotonic()
    found = statuses(check(HOSTILE / "loops.py", time_limit_s=1.5))
    assert time.monotonic() - started < 30
    assert found["grad_logistic"] == ("timed out", "timed out after 1.5 s at n=1, point 0")
    assert found["grad_trace_example"] == ("timed out", "timed out after 1.5 s at point 0")
    assert student_processes("loops.py") == []


@pytest.mark.parametrize("option, value, message", [
    ("--time-limit", "0", "Invalid value for '--time-limit': '0' must be a positive, finite number of seconds"),
    ("--time-limit", "-1", "must be a positive, finite number of seconds"),
    ("--memory-mb", "-5000", "Invalid value for '--memory-mb': -5000 must be > 0"),
    ("--memory-mb", "0", "Invalid value for '--memory-mb': 0 must be > 0"),
])
def test_limits_that_would_mean_no_limit_are_usage_errors(option, value, message):
    result = CliRunner().invoke(check_command, [option, value, str(HOSTILE / "loops.py")])
    assert result.exit_code == 2
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and message in error_lines[0]


def test_importing_diffbench_to_call_its_reference_fails_in_the_sandbox(check):
    found = statuses(check(HOSTILE / "import_diffbench.py"))
    for name in ("grad_log_quadratic", "grad_logdet"):
        assert found[name] == ("raised", "raised ModuleNotFoundError: No module named 'diffbench' (line 6) "
                                         "at n=2, point 0")


def test_without_a_sandbox_the_warning_is_loud_and_every_result_records_it():
    result = CliRunner().invoke(check_command, ["--sandbox", "none", "--format", "json",
                                                str(HOSTILE / "exit_at_import.py"), str(HOSTILE / "loops.py"),
                                                "--time-limit", "1"])
    assert result.exit_code == 1
    assert "WARNING: no sandbox (--sandbox none)" in result.stderr
    documents = json.loads(result.stdout)
    assert [d["sandbox"] for d in documents] == ["none", "none"]
    assert documents[0]["error"] == "could not load exit_at_import.py: your file called sys.exit(0) at import"


def test_auto_without_bubblewrap_falls_back_loudly_and_bwrap_is_then_a_usage_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    sandbox = choose_sandbox("auto")
    assert sandbox.kind == "none" and "bubblewrap (bwrap) is not installed" in sandbox.warning
    result = CliRunner().invoke(check_command, ["--sandbox", "bwrap", str(HOSTILE / "loops.py")])
    assert result.exit_code == 2 and "--sandbox bwrap: bubblewrap (bwrap) is not installed" in result.output


# file -> (function or None for the file, what its result must say); grad_logdet, where defined, is right
NAMED = {
    "exit_at_import.py": (None, "your file called sys.exit(0) at import"),
    "exit_in_function.py": ("grad_logistic", "your function called sys.exit(0)"),
    "pickle_hook_return.py": ("grad_trace_example", "your gradient is zero"),
    "pickle_hook_exception.py": ("grad_logistic", "raised Poisoned: look at my pickle hook"),
    "read_outside.py": ("grad_logdet", "raised FileNotFoundError: no solution to copy"),
    "write_outside.py": ("grad_logdet", "your gradient is zero"),
    "fork_many.py": ("grad_log_quadratic", "your gradient is zero"),
    "daemon_stdout.py": ("grad_log_quadratic", "your gradient is zero"),
    "huge_output.py": ("grad_log_quadratic", "your gradient is zero"),
    "keyboard_interrupt.py": ("grad_logistic", "raised KeyboardInterrupt"),
    "import_diffbench.py": ("grad_logdet", "No module named 'diffbench'"),
    "loops.py": ("grad_logistic", "timed out after 3 s"),
}


def tree_snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_hostile_file_at_once_fails_named_in_one_json_list_and_leaves_nothing_behind(tmp_path):
    assert sorted(NAMED) == sorted(p.name for p in HOSTILE.glob("*.py"))
    student = tmp_path / "student"
    shutil.copytree(HOSTILE, student)
    (tmp_path / "other").mkdir()
    shutil.copy(CORRECT, tmp_path / "other" / "correct.py")
    (tmp_path / "victim.txt").write_text("the grader's file\n")
    before, repository_before = tree_snapshot(tmp_path), tree_snapshot(HOSTILE.parent)
    done = subprocess.run([str(DIFFBENCH), "check", "--format", "json", "--time-limit", "3", "--jobs", "2",
                           *[str(student / name) for name in NAMED]],
                          capture_output=True, timeout=500, env=os.environ.copy())
    assert done.returncode == 1
    documents = json.loads(done.stdout)
    assert [Path(d["file"]).name for d in documents] == list(NAMED)
    for document in documents:
        function, words = NAMED[Path(document["file"]).name]
        assert not document["passed"] and document["sandbox"] == "bwrap" and document["score"] <= 2
        if function is None:
            assert words in document["error"]
            continue
        results = {f["function"]: f for f in document["functions"]}
        assert results[function]["status"] != "pass" and words in results[function]["message"], document["file"]
        if "grad_logdet" in results and function != "grad_logdet":
            assert results["grad_logdet"]["status"] == "pass", document["file"]    # the others are kept
    assert tree_snapshot(tmp_path) == before and tree_snapshot(HOSTILE.parent) == repository_before
    assert all(student_processes(name) == [] for name in NAMED)
