"""Bad run options are usage errors: one line on stderr, exit 2, no traceback, no work done."""
import subprocess
import sys
from pathlib import Path

import pytest

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))

BAD = [
    ["--budget", "0"], ["--budget", "nan"], ["--budget", "-1"], ["--budget", "inf"],
    ["--reference-budget", "0"], ["--jobs", "0"], ["--jobs", "100000"], ["--seed", "-5"],
    ["--methods", ","], ["--only", ","], ["--out", "/proc/x"],
]


@pytest.mark.parametrize("option", BAD, ids=lambda o: " ".join(o))
def test_bad_option_is_one_line_exit_2(option, tmp_path):
    out = option if option[0] == "--out" else [*option, "--out", str(tmp_path / "reports")]
    done = subprocess.run([DIFFBENCH, "run", "--quick", "--only", "logistic", *out],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    error_lines = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1, done.stderr
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_out_under_a_file_is_a_usage_error(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("mine")
    done = subprocess.run([DIFFBENCH, "run", "--quick", "--out", str(blocker / "sub")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert blocker.read_text() == "mine"
