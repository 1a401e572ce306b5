"""The same command twice gives the same tables (timings aside) wherever randomness enters."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from diffbench import records
from diffbench.experiments.command import EXPERIMENTS

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))

# 80 inputs: past the 64 where the fd sweep and the reference's route 2 switch to random directions
WIDE_CASES = textwrap.dedent('''
    """Library cases at sizes whose sweeps and reference checks follow seeded random directions."""
    from dataclasses import replace
    from diffbench_cases.log_quadratic import CASES as LOG_QUADRATIC
    from diffbench_cases.mds import CASES as MDS

    CASES = (replace(LOG_QUADRATIC[0], name="log_quadratic_wide", values=(80,), quick_values=(80,)),
             replace(MDS[1], name="mds_weighted_wide", values=(40,), quick_values=(40,)))
''')
METHODS = "fd_random,fd_central,fd_forward,tape_reverse"


def is_timing(column: str) -> bool:
    return (column.endswith("_s") or column in ("cost_ratio", "float_cost_ratio", "break_even_evals")
            or "seconds" in column or "time" in column)


def without_timings(table: pd.DataFrame) -> pd.DataFrame:
    return table[[c for c in table.columns if not is_timing(c)]].reset_index(drop=True)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wide_cases")
    (folder / "wide.py").write_text(WIDE_CASES)
    runs = []
    for attempt in range(2):
        out = tmp_path_factory.mktemp(f"runs{attempt}")
        done = subprocess.run([DIFFBENCH, "run", "--quick", "--cases", str(folder), "--methods", METHODS,
                               "--out", str(out), "--no-report", "--seed", "3"],
                              capture_output=True, text=True, env=dict(os.environ), timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        runs.append(next(out.iterdir()))
    return runs


def test_random_directions_are_in_play(two_runs):
    results = records.read_table(two_runs[0], "results")
    assert set(results["ref_route2"]) == {"directional k=3"}
    sweep = records.read_table(two_runs[0], "fd_sweep")
    assert set(sweep["direction"]) == {"random 3"}
    evals = records.read_table(two_runs[0], "fd_evals")
    assert set(evals["estimator"]) == {"random_direction"} and evals["samples"].max() >= 64


@pytest.mark.parametrize("table", ["results", "fd_sweep", "fd_evals"])
def test_same_command_twice_gives_identical_tables(two_runs, table):
    first, second = (without_timings(records.read_table(run, table)) for run in two_runs)
    sort = [c for c in ("case", "param", "method", "point", "scheme", "h", "samples") if c in first.columns]
    first, second = (t.sort_values(sort).reset_index(drop=True) for t in (first, second))
    assert len(first) > 0
    pd.testing.assert_frame_equal(first, second)


@pytest.fixture(scope="module")
def two_experiment_runs(tmp_path_factory):
    """`diffbench experiment all --quick` twice (side by side: only timings may differ)."""
    outs = [tmp_path_factory.mktemp(f"experiments{attempt}") for attempt in range(2)]
    launched = [subprocess.Popen([DIFFBENCH, "experiment", "all", "--quick", "--out", str(out)],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
                for out in outs]
    for process in launched:
        output, _ = process.communicate(timeout=400)
        assert process.returncode == 0, output
    return outs


def experiment_table(out: Path, name: str, file: str) -> pd.DataFrame:
    (folder,) = list((out / name).iterdir())
    return without_timings(pd.read_csv(folder / file.format(name=name)))


# NB: the Jacobian experiment's summary is the timing crossover and checkpointing's peak bytes come from
# tracemalloc (allocator state); what is left of them is compared.
TIMING_DERIVED = {"jacobian": {"crossover_m_over_n", "found"}, "checkpoint": {"traced_peak_bytes"}}


@pytest.mark.parametrize("name", list(EXPERIMENTS))
def test_every_experiment_twice_gives_identical_tables(two_experiment_runs, name):
    for file in ("{name}.csv", "summary.csv"):
        first, second = (experiment_table(out, name, file) for out in two_experiment_runs)
        keep = [c for c in first.columns if c not in TIMING_DERIVED.get(name, set())]
        assert len(first) > 0 and keep
        pd.testing.assert_frame_equal(first[keep], second[keep])
