"""Shared fixtures: one run of every seed family (fewer sizes than a default run), reused by the record tests."""
from dataclasses import replace
from pathlib import Path

import pytest

from diffbench import records
from diffbench.case import load_cases
from diffbench.methods import DEFAULT_METHODS
from diffbench.runner import RunConfig, execute_run

# NB: the *_general and weighted cases have non-symmetric matrices, so a dropped transpose shows in every test.
SEED_CASES = ("logistic", "log_quadratic", "log_quadratic_general", "logdet", "logdet_general", "linear_minus_logdet",
              "mds", "mds_weighted", "trace_example")
# The sizes the session's run uses: each family's smallest, its hardest for float64 (logistic n = 8), and one
# past 64 inputs (mds N = 50), where the fd sweep and the reference's route 2 follow random directions.
# NB: the default run's other sizes (logistic 2,3,5-7, log_quadratic 10/100, logdet 20, mds 200) only add
# sympy timeouts and slow references; the per-size checks of those cases live in test_accuracy/test_lecture_cases.
SESSION_VALUES = {"logistic": (1, 4, 8), "log_quadratic": (2, 10), "log_quadratic_general": (2, 10),
                  "logdet": (2, 5), "logdet_general": (2, 5), "linear_minus_logdet": (2, 5), "mds": (5, 50),
                  "mds_weighted": (5,)}


def session_cases() -> dict:
    cases = {name: case for name, case in load_cases().items() if name in SEED_CASES}
    return {name: replace(case, values=SESSION_VALUES[name]) if name in SESSION_VALUES else case
            for name, case in cases.items()}


@pytest.fixture(scope="session")
def default_run(tmp_path_factory) -> tuple[Path, dict]:
    """Every seed family in default mode (both points, every default method) at SESSION_VALUES, run once."""
    config = RunConfig(cases=session_cases(), methods=DEFAULT_METHODS, out_dir=tmp_path_factory.mktemp("runs"),
                       command=["diffbench", "run"])
    return execute_run(config)


@pytest.fixture(scope="session")
def default_results(default_run):
    return records.read_table(default_run[0], "results")
