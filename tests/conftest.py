"""Shared fixtures: one run of every seed family (fewer sizes than a default run), reused by the record tests."""
from dataclasses import replace
from pathlib import Path

import pytest

from diffbench import records
from diffbench.methods import DEFAULT_METHODS
from diffbench.runner import RunConfig, execute_run
from diffbench.runner.config import default_memory_mb
from diffbench.runner.resume import survey_cases

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


def session_plans() -> dict:
    """The seed cases planned for a default run (in workers, as the runner plans), cut to SESSION_VALUES."""
    plans, failures = survey_cases((), "default", 0, 2, default_memory_mb(2))
    assert not failures, failures

    def kept(plan):
        if plan.name not in SESSION_VALUES:
            return plan
        return replace(plan, planned=tuple(p for p in plan.planned
                                           if p.params.get(plan.sweep) in SESSION_VALUES[plan.name]))
    return {name: kept(plans[name]) for name in SEED_CASES}


@pytest.fixture(scope="session")
def default_run(tmp_path_factory) -> tuple[Path, dict]:
    """Every seed family in default mode (both points, every default method) at SESSION_VALUES, run once."""
    plans = session_plans()
    config = RunConfig(cases=plans, plans=plans, methods=DEFAULT_METHODS, out_dir=tmp_path_factory.mktemp("runs"),
                       command=["diffbench", "run"])
    return execute_run(config)


@pytest.fixture(scope="session")
def default_results(default_run):
    return records.read_table(default_run[0], "results")
