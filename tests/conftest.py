"""Shared fixtures: one default run of the seed cases, reused by every test that reads its records."""
from pathlib import Path

import pytest

from diffbench import records
from diffbench.case import load_cases
from diffbench.methods import DEFAULT_METHODS
from diffbench.runner import RunConfig, execute_run

# NB: the *_general and weighted cases have non-symmetric matrices, so a dropped transpose shows in every test.
SEED_CASES = ("logistic", "log_quadratic", "log_quadratic_general", "logdet", "logdet_general", "linear_minus_logdet",
              "mds", "mds_weighted", "trace_example")


@pytest.fixture(scope="session")
def default_run(tmp_path_factory) -> tuple[Path, dict]:
    """The default sweep of the seed cases with the default methods, run once per session."""
    cases = {name: case for name, case in load_cases().items() if name in SEED_CASES}
    config = RunConfig(cases=cases, methods=DEFAULT_METHODS, out_dir=tmp_path_factory.mktemp("runs"),
                       command=["diffbench", "run"])
    return execute_run(config)


@pytest.fixture(scope="session")
def default_results(default_run):
    return records.read_table(default_run[0], "results")
