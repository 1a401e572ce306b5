"""A real `diffbench run --precision float32,float64`: rows in both types, the ladder table and its section."""
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from diffbench import records
from diffbench.evidence import tables_from_evidence
from diffbench.methods import DEFAULT_METHODS

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))
LOG_U_RATIO = 29 * math.log10(2)       # log10(u32 / u64) = log10(2^-24 / 2^-53)


@pytest.fixture(scope="module")
def ladder_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ladder")
    done = subprocess.run([DIFFBENCH, "run", "--quick", "--precision", "float32,float64", "--only", "logistic",
                           "--out", str(out)], capture_output=True, text=True, timeout=600, env=os.environ.copy())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return run_dir


def test_every_method_has_rows_in_both_precisions(ladder_run):
    results = records.read_table(ladder_run, "results")
    assert set(results["precision"]) == {"float32", "float64"}
    for method in DEFAULT_METHODS:
        rows = results[results["method"] == method]
        assert set(rows["precision"]) == {"float32", "float64"}, method
        counts = rows.groupby("precision").size()
        assert counts["float32"] == counts["float64"], method
    sweep = records.read_table(ladder_run, "fd_sweep")
    assert set(sweep["precision"]) == {"float32", "float64"}
    assert records.read_meta(ladder_run)["config"]["precisions"] == ["float32", "float64"]


def test_float32_errors_are_larger_by_the_expected_orders(ladder_run):
    """At l_4 (x = 0.2) log10(err32 / err64) is the theory slope times log10(u32 / u64), within 0.1 of the slope
    (0.87 decades): about 4.4 decades for forward, 5.8 central, 8.7 for complex step, AD, torch and sympy."""
    table = records.read_table(ladder_run, "precision_ladder")
    at = table[(table["param"] == "n=4") & (table["point"] == 0)].set_index("method")
    for method in ("sympy", "fd_forward", "fd_central", "complex_step", "richardson", "tape_reverse",
                   "tape_forward", "torch"):
        row = at.loc[method]
        decades = math.log10(row["err32"] / row["err64"])
        assert abs(decades - row["theory_slope"] * LOG_U_RATIO) <= 0.1 * LOG_U_RATIO, (method, decades)
        assert row["err32"] > row["err64"]


def test_report_has_the_ladder_section(ladder_run):
    page = (ladder_run / "report.html").read_text()
    assert 'id="ladder"' in page and "The precision ladder" in page
    assert (ladder_run / "figures" / "ladder_01_precision.svg").exists()
    assert "fd_forward: measured" in page and "against the theory 0.50" in page    # its sentence


def test_evidence_rebuilds_both_precisions(ladder_run, tmp_path):
    """evidence.jsonl keeps the float32 and float64 rows apart: the tables rebuilt from it equal the CSVs."""
    rebuilt = tables_from_evidence(ladder_run)
    shutil.copy(ladder_run / "meta.json", tmp_path / "meta.json")   # it types the parameter columns
    for table in ("results", "fd_sweep", "precision_ladder"):
        stored = records.read_table(ladder_run, table)
        records.write_table(tmp_path, table, rebuilt[table])
        again = records.read_table(tmp_path, table)
        key = [c for c in ("precision", "method", "param", "point", "scheme", "h") if c in stored]
        pd.testing.assert_frame_equal(stored.sort_values(key).reset_index(drop=True),
                                      again.sort_values(key).reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("value", ["float16", "garbage", "float32,double"])
def test_unknown_precision_is_a_one_line_usage_error(value, tmp_path):
    done = subprocess.run([DIFFBENCH, "run", "--quick", "--only", "logistic", "--precision", value,
                           "--out", str(tmp_path / "reports")], capture_output=True, text=True, timeout=120,
                          env=os.environ.copy())
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "unknown precision" in errors[0], done.stderr
    assert not any((tmp_path / "reports").iterdir()) if (tmp_path / "reports").exists() else True


def test_resume_finishes_the_float32_jobs_it_lacks(ladder_run, tmp_path):
    """An interrupted ladder run whose journal lacks float32 jobs is finished by --resume with its own precisions,
    to the same results as the uninterrupted run (timings aside)."""
    import json
    import shutil
    copy = tmp_path / ladder_run.name
    shutil.copytree(ladder_run, copy)
    journal = copy / "journal.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not json.loads(line)["key"].endswith("|fd_central|float32")]
    assert len(lines) - len(kept) == 3                              # n = 1, 2, 4 of the quick sweep
    journal.write_text("".join(kept))
    meta = json.loads((copy / "meta.json").read_text())
    (copy / "meta.json").write_text(json.dumps({**meta, "status": "interrupted"}))
    for name in ("results", "fd_sweep", "precision_ladder"):
        (copy / f"{name}.csv").unlink()
    done = subprocess.run([DIFFBENCH, "run", "--resume", str(copy), "--no-report"], capture_output=True, text=True,
                          timeout=600, env=os.environ.copy())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    timing = [c for c in records.RESULTS_COLUMNS if c.endswith("_s") or "cost_ratio" in c or c == "break_even_evals"]
    for name in ("results", "fd_sweep", "precision_ladder"):
        before, after = records.read_table(ladder_run, name), records.read_table(copy, name)
        key = [c for c in ("precision", "case", "param", "method", "point", "scheme", "h") if c in before]
        before = before.drop(columns=[c for c in timing if c in before]).sort_values(key).reset_index(drop=True)
        after = after.drop(columns=[c for c in timing if c in after]).sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(before, after)
