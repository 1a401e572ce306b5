"""The descent experiment: equal budgets, the exact gradient against mpmath, and the O(n) gap of zero-order methods."""
import numpy as np
import pytest

from diffbench.case import load_cases
from diffbench.experiments import descent
from diffbench.testing import assert_grad_close

SIZES = (4, 8)


@pytest.fixture(scope="module")
def table():
    return descent.run_descent(sizes=SIZES, evaluations_per_unknown=100, seed=0)


def test_the_exact_gradient_used_is_the_mpmath_reference_gradient():
    case = load_cases()["mds"]
    for N in SIZES:
        loss, gradient, x0, _ = descent.mds_problem(N, seed=0)
        point = [{"W": x0.reshape(N, 2), "D": case.inputs(0, case.params(N), 1)["D"]}]
        assert_grad_close(lambda W, D: gradient(W.reshape(-1)).reshape(W.shape), case, points=point,
                          params=case.params(N), rtol=1e-12)


def test_every_method_spends_the_same_budget(table):
    for (N, method), runs in table.groupby(["N", "method"]):
        n, budget = runs["n"].iloc[0], runs["budget"].iloc[0]
        assert n == 2 * N and budget == 100 * n
        per_step = {"exact (tape)": 1, "finite differences": 2 * n, "random direction": 2}[method]
        assert runs["evaluations"].iloc[-1] == (budget // per_step) * per_step
        assert np.all(np.diff(runs["wall_s"]) >= 0)


def test_zero_order_methods_need_order_n_times_more_evaluations(table):
    summary = descent.summary(table)
    assert summary["evaluations_to_target"].notna().all(), summary
    finite_differences = summary[summary["method"] == "finite differences"]
    # central differences reproduce the exact gradient to ~1e-10, so the path is the same: 2n evaluations a step
    assert np.allclose(finite_differences["gap_over_n"], 2.0)
    random = summary[summary["method"] == "random direction"]
    assert ((random["gap_over_n"] > 0.5) & (random["gap_over_n"] < 8)).all(), random
    # at equal budgets the exact gradient ends lowest, by at least two orders of magnitude
    final = summary.pivot(index="N", columns="method", values="final_loss_ratio")
    others = final[["finite differences", "random direction"]].min(axis=1)
    assert (final["exact (tape)"] < 1e-2 * others).all(), final


def test_figure_is_an_svg_with_both_panels(table, tmp_path):
    path = tmp_path / "descent.svg"
    descent.figure(table, path)
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "function evaluations" in text and "wall time (s)" in text
