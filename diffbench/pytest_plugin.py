"""pytest plugin (entry point pytest11): the `grad_check` fixture, a gradient checked against diffbench's references."""
import functools

import pytest


def pytest_addoption(parser):
    parser.addoption("--diffbench-seed", type=int, default=0,
                     help="diffbench: seed of the random points grad_check uses (default 0).")


@pytest.fixture
def grad_check(request):
    """grad_check(grad_fn, case_or_fn, points=3, rtol=1e-8, ...): digits vs mpmath, then the Taylor order."""
    from diffbench.testing import check_gradient
    return functools.partial(check_gradient, seed=request.config.getoption("diffbench_seed"))
