"""The numpy code printed for sympy's step functions: values at scalars and arrays against independent closed forms."""
import mpmath
import numpy as np
import pytest
import sympy

from diffbench.methods import symbolic
from diffbench.runner.worker import find_case
from diffbench.sympy_numpy import lambdify_numpy

X = sympy.symbols("x0:4", real=True)


@pytest.mark.parametrize("values, expected", [((3.0, 1.0, 2.0, 0.0), 1.0), ((1.0, 3.0, 2.0, 0.0), 0.0),
                                              ((3.0, 3.0, 2.0, 0.0), 0.5)])
def test_derivative_of_max_is_sympys_heaviside_at_scalars_and_arrays(values, expected):
    # d max(x)/dx0 = Heaviside(x0 - max(x1, x2, x3)), Heaviside(0) = 1/2 in sympy's convention
    compiled = lambdify_numpy([list(X)], sympy.diff(sympy.Max(*X), X[0]))
    assert float(compiled([np.float64(v) for v in values])) == expected
    assert np.array_equal(compiled([np.full(3, v) for v in values]), np.full(3, expected))


def test_piecewise_prints_as_nested_where_on_scalars():
    relu = sympy.Piecewise((X[0], X[0] > 0), (0, True))
    sign = sympy.Piecewise((-1, X[0] < 0), (0, sympy.Eq(X[0], 0)), (1, True))
    compiled = lambdify_numpy([list(X)], [relu, sympy.diff(relu, X[0]), sign])
    for x0, want in ((-2.0, (0.0, 0.0, -1.0)), (0.0, (0.0, 0.0, 0.0)), (5.0, (5.0, 1.0, 1.0))):
        got = compiled([np.float64(x0), 0.0, 0.0, 0.0])
        assert tuple(float(g) for g in got) == want


def test_piecewise_without_a_default_is_nan_outside_its_pieces():
    compiled = lambdify_numpy([list(X)], sympy.Piecewise((X[0], X[0] > 0)))
    assert np.isnan(compiled([np.float64(-1.0), 0.0, 0.0, 0.0]))


@pytest.mark.parametrize("offset", [0, 1000])
def test_sympy_differentiates_the_stable_cross_entropy_through_its_max(offset):
    # The gradient of -a_y + max a + log sum exp(a - max a) is softmax(a) - e_y, here computed in mpmath at 50 digits.
    case = find_case("cases/cross_entropy.py", "cross_entropy_stable")
    params = {"classes": 10, "offset": offset}
    inputs = case.inputs(0, params, 0)
    [result] = symbolic.run(case, params, [inputs], np.random.default_rng(0))
    assert result.status == "ok"
    with mpmath.workdps(50):
        logits = [mpmath.mpf(float(v)) for v in inputs["a"]]
        total = mpmath.fsum(mpmath.exp(v - logits[0]) for v in logits)
        exact = [float(mpmath.exp(v - logits[0]) / total - int(y)) for v, y in zip(logits, inputs["onehot"])]
    assert np.max(np.abs(np.asarray(result.jacobian).ravel() - exact)) <= 4 * np.finfo(float).eps


def test_a_division_sympy_folds_to_complex_infinity_prints_as_nan():
    # x^2 / (x - x) is zoo*x**2 as soon as it is built; float64 code gives inf or NaN there
    folded = X[0] ** 2 / (X[0] - X[0])
    assert folded.has(sympy.zoo)
    compiled = lambdify_numpy([list(X)], [folded, sympy.Piecewise((folded, X[0] > 5), (X[0], True))])
    scalar = compiled([np.float64(2.0), 0.0, 0.0, 0.0])
    assert np.isnan(scalar[0]) and float(scalar[1]) == 2.0
    arrays = compiled([np.array([1.0, 6.0]), 0.0, 0.0, 0.0])
    assert np.isnan(arrays[0]).all() and arrays[1][0] == 1.0 and np.isnan(arrays[1][1])
