"""The closing summary of `diffbench run` fits the terminal: no line wider than it, no number split."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from diffbench.summary import SHORT_NAMES, digits_table, floor_cell

METHODS = ["sympy", "fd_forward", "fd_central", "complex_step", "richardson", "tape_reverse", "tape_forward",
           "torch", "analytic"]
CASES = ["log_quadratic_general", "logistic", "x"]


def _results() -> pd.DataFrame:
    rows = []
    for i, case in enumerate(CASES):
        for j, method in enumerate(METHODS):
            for point in (0, 1):
                status = "timeout" if (method == "sympy" and case == "log_quadratic_general") else "ok"
                rows.append({"case": case, "method": method, "point": point, "status": status,
                             "correct_digits": 10.0 + 0.1 * i + 0.5 * j - 0.01 * point,
                             "attainable_digits": 15.5 + 0.1 * i, "f_digits": 16.0})
    return pd.DataFrame(rows)


def _render(width: int) -> list[str]:
    console = Console(width=width, force_terminal=False, color_system=None)
    with console.capture() as captured:
        console.print(digits_table(_results(), METHODS))
    return captured.get().splitlines()


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_summary_fits_the_width_and_keeps_every_number_whole(width):
    lines = _render(width)
    assert max(len(line) for line in lines) <= width
    text = "\n".join(lines)
    results = _results()
    for (case, method), rows in results.groupby(["case", "method"]):
        ok = rows[rows["status"] == "ok"]["correct_digits"]
        expected = f"{ok.min():.1f}" if len(ok) else "T2"
        row_lines = [line for line in lines if line.startswith(case + " ")]
        assert any(re.search(rf"(^|\s){re.escape(expected)}(\s|$)", line) for line in row_lines), (case, method)
    # every case appears once per block of methods, with its floor
    blocks = sum(line.startswith("case ") for line in lines)
    assert blocks >= 1 and all(sum(line.startswith(c + " ") for line in lines) == blocks for c in CASES)
    assert "15.5" in text and "T=timeout" in text


def test_summary_abbreviates_with_a_legend_only_when_needed():
    wide, narrow = "\n".join(_render(200)), "\n".join(_render(80))
    assert "tape reverse" in wide and "methods:" not in wide
    headers = " ".join(line for line in narrow.splitlines() if line.startswith("case "))
    assert all(f" {SHORT_NAMES[m]}" in headers for m in METHODS) and "tape reverse" not in headers
    legend = " ".join(narrow.split("methods:")[1].split())
    assert all(f"{SHORT_NAMES[m]}={m}" in legend for m in METHODS)


def test_a_piped_quick_run_prints_no_line_over_80_columns(tmp_path):
    """COLUMNS=80 diffbench run --quick ... | cat: the closing table, the legend and the paths all fit; the
    overflow warnings of cross_entropy_naive's float64 code are recorded in meta.json and counted in one line."""
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("FORCE_COLOR", None)
    command = [str(Path(sys.executable).with_name("diffbench")), "run", "--quick", "--only", "trace_example,cross_entropy_naive",
               "--out", str(tmp_path / "runs"), "--no-report"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("trace_example ") for line in lines)
    assert max(len(line) for line in lines) <= 80, max(lines, key=len)
    # offset 1000: exp overflows in the naive code, so its floor cell says so; trace_example's f is finite
    naive = [line for line in lines if line.startswith("cross_entropy_naive ")]
    assert naive and all(" f inf" in line for line in naive), naive
    assert not any(" f inf" in line for line in lines if line.startswith("trace_example "))
    assert "\x1b[" not in done.stdout   # plain text when stdout is not a terminal
    assert "RuntimeWarning" not in done.stderr + done.stdout
    (run_dir,) = list((tmp_path / "runs").iterdir())
    recorded = json.loads((run_dir / "meta.json").read_text())["warnings"]
    assert any("cross_entropy_naive" in w and "RuntimeWarning: overflow encountered in exp" in w for w in recorded)
    assert f"{len(recorded)} warnings raised by case code, recorded in meta.json (warnings)" in done.stdout
    assert "run folder: " in done.stdout
    assert any(re.fullmatch(r"total: \d+\.\d s \(run \d+\.\d s\)", line) for line in lines)


def test_the_floor_cell_says_where_f_itself_is_not_finite():
    """f_digits is 0 both where f keeps no digit and where its float64 code overflows: the cell tells them
    apart by f_finite (a point whose reference failed has none, and says nothing either way)."""
    rows = pd.DataFrame({"attainable_digits": [13.4, 14.0, 15.0], "f_digits": [0.0, 15.9, float("nan")],
                         "f_finite": [True, True, None]})
    assert floor_cell(rows) == "13.4 f 0.0"
    rows.loc[1, "f_finite"] = False
    assert floor_cell(rows) == "13.4 f inf"
    assert floor_cell(rows.drop(columns="f_finite")) == "13.4 f 0.0"
    assert floor_cell(pd.DataFrame({"attainable_digits": [15.0], "f_digits": [15.9], "f_finite": [True]})) == "15.0"
