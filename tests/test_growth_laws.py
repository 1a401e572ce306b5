"""Growth laws chosen by model choice, checked on laws derived by hand."""
import numpy as np
import pytest

from diffbench import swell
from diffbench.case import load_cases
from diffbench.growth import describe_fit, fit_growth

CASES = load_cases()


def sizes_of(name, representation, ns):
    case = CASES[name]
    return [getattr(swell, representation)(case, case.params(n), case.inputs(0, case.params(n), 0)).nodes
            for n in ns]


def test_unary_chain_tree_is_an_exact_quadratic_and_fits_degree_two():
    ns = range(1, 11)
    trees = sizes_of("sin_chain", "sympy_tree", ns)
    # d/dx sin^n(x) = prod_k cos(sin^k(x)): factor k holds k + 2 nodes, plus the product: (n + 1)(n + 2) / 2.
    assert trees[1:] == [(n + 1) * (n + 2) // 2 for n in ns][1:]
    fit = fit_growth(ns, trees)
    assert fit.law == "polynomial" and fit.degree == pytest.approx(2.0, abs=0.15)
    assert fit.degree_se < 0.15


def test_logistic_tree_exponential_and_its_cse_dag_polynomial():
    ns = range(1, 9)
    tree = fit_growth(ns, sizes_of("logistic", "sympy_tree", ns))
    assert tree.law == "exponential" and tree.rate - 2 * tree.rate_se > 1
    dag = fit_growth(ns, sizes_of("logistic", "sympy_cse", ns))
    assert dag.law == "polynomial"


@pytest.mark.parametrize("law, values, parameter", [
    ("polynomial", lambda n: n * n + 3 * n + 2, 2.0),        # a quadratic with lower-order terms, n = 1..8
    ("polynomial", lambda n: 3 * n - 3 + 4, 1.0),
    ("exponential", lambda n: 7 * 3.0 ** n, 3.0),
    ("exponential", lambda n: n * 2.0 ** (n + 2) - 2, 2.0),   # like the logistic tree: 10 * 2^10 - 2 at n = 12
    ("constant", lambda n: 9 + 0 * n, 0.0),
])
def test_hand_laws_over_all_sizes(law, values, parameter):
    ns = np.arange(1, 9)
    fit = fit_growth(ns, values(ns))
    assert fit.law == law and fit.parameter == pytest.approx(parameter, abs=0.05)
    assert fit.size_from == 1 and fit.size_to == 8      # every size is fitted, no window


def test_one_or_three_sizes_are_too_few_for_a_law():
    for ns in ([5], [2, 4, 8]):
        fit = fit_growth(ns, [2.0 ** n for n in ns])
        assert fit.law == "too few sizes" and "too few sizes" in describe_fit(fit)


@pytest.mark.parametrize("values", [lambda n: 3 + 2 * (n + 0.7) ** 2.3, lambda n: np.round(10 + n * (n + 1) / 2),
                                    lambda n: 5 * 1.7 ** n])
def test_shared_power_grids_give_the_numbers_of_fits_made_from_scratch(values):
    # The jackknife reuses the full fit's powers where a left-out size keeps the smallest and largest, and the
    # ops fit reuses the nodes fit's grids; independent route: every fit from its own sizes, nothing reused.
    from diffbench.growth import polynomial_fit
    ns = np.array([1, 2, 3, 5, 8, 9, 12], dtype=float)
    y = values(ns)
    log_y, weights = np.log(y), y / y.mean()
    leave_one_out = np.array([polynomial_fit(np.delete(ns, i), np.delete(log_y, i), np.delete(weights, i))[0]
                              for i in range(ns.size)])
    spread = float(np.sqrt((ns.size - 1) / ns.size * np.sum((leave_one_out - leave_one_out.mean()) ** 2)))
    known = {}
    first, again = fit_growth(ns, y, known), fit_growth(ns, y, known)
    assert len(known) == 3      # the full sizes and the two with an end left out
    assert first.degree == polynomial_fit(ns, log_y, weights)[0] and first.degree_se == spread
    assert again == first == fit_growth(ns, y)
