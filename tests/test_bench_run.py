"""diffbench bench's whole-run section: a real run timed in a subprocess, its wall time split by its own records."""
import json

import pytest

from diffbench.bench_run import PARTS, report_seconds, timed_run, worker_seconds


def test_report_seconds_read_from_the_runs_last_line():
    assert report_seconds("run folder: x\ntotal: 37.5 s (run 31.6 s + report 5.9 s)\n") == 5.9
    assert report_seconds("total: 1.1 s (run 1.1 s)\n") == 0.0


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench-run")
    return timed_run("run --quick", ["--quick", "--only", "logistic", "--methods", "tape_reverse,fd_central",
                                     "--no-report"], out)


def test_a_timed_run_is_split_into_parts_that_add_up_to_its_wall_time(small_run):
    assert small_run["exit_code"] == 0, small_run["done"].stderr[-2000:]
    parts = small_run["breakdown"]
    for part in ("imports", "case survey", "references", "methods", "traces", "tables"):
        assert parts[part] > 0, part
    assert parts["report"] == 0.0 and parts["experiments"] >= 0 and parts["of which sympy"] == 0.0
    assert parts["other"] >= 0
    accounted = sum(parts[p] for p in PARTS if p != "of which sympy")
    assert accounted == pytest.approx(small_run["seconds"])
    assert 0 < parts["occupancy"] <= 1.05


def test_the_timeline_is_in_order_and_the_journal_agrees_with_meta(small_run):
    meta = json.loads((small_run["run_dir"] / "meta.json").read_text())
    marks = meta["timeline"]
    order = ["command_start", "run_start", "jobs_start", "experiments_start", "jobs_end", "tables_end"]
    assert [marks[m] for m in order] == sorted(marks[m] for m in order)
    from_journal = worker_seconds(small_run["run_dir"])
    by_method = meta["worker_seconds_by_method"]   # summed in the parent as jobs ended, rounded to 0.01 s
    assert from_journal["reference"] == pytest.approx(by_method["reference"], abs=0.01)
    assert from_journal["trace"] == pytest.approx(by_method["trace"], abs=0.01)
    assert from_journal["method"] == pytest.approx(by_method["tape_reverse"] + by_method["fd_central"], abs=0.02)
