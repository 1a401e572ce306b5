"""The estimate each finite-difference scheme reports at its default step obeys the scheme's own error theory."""
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from diffbench.backends import MpOps
from diffbench.case import load_cases
from diffbench.methods import METHODS
from diffbench.methods import finite_diff as fd
from diffbench.methods.base import unflatten
from diffbench.reference import reference
from diffbench.scoring import score
from diffbench.case import describe
from diffbench.thresholds import FD_ESTIMATE_MARGIN, FD_ESTIMATE_THEORY, fd_default_steps, fd_estimate_bound

CASES = load_cases()
EPS = np.finfo(np.float64).eps
SETTINGS = [("logistic", 4), ("logistic", 8), ("log_quadratic", 10), ("log_quadratic_general", 2),
            ("log_quadratic_general", 10), ("logdet", 5), ("logdet_general", 2), ("linear_minus_logdet", 5),
            ("mds", 5), ("mds_weighted", 5), ("trace_example", None)]


def exact(weight):
    """The stencil weight as the fraction it stands for (1/12, not its float64 rounding)."""
    fraction = Fraction(weight).limit_denominator(1000)
    return mpmath.mpf(fraction.numerator) / fraction.denominator


def taylor_moment(scheme, k):
    """sum_j w_j o_j^k / k!: the coefficient of h^k g^(k) in the stencil's expansion (before dividing by h)."""
    stencil = fd.SCHEMES[scheme]
    return sum(exact(w) * mpmath.mpf(o) ** k for o, w in zip(stencil.offsets, stencil.weights)) / math.factorial(k)


@pytest.mark.parametrize("method", sorted(FD_ESTIMATE_THEORY))
def test_stencil_constants_are_its_taylor_coefficients(method):
    scheme, theory = method.removeprefix("fd_"), FD_ESTIMATE_THEORY[method]
    stencil = fd.SCHEMES[scheme]
    p = theory.order
    assert stencil.order == p and stencil.derivative == 1
    assert abs(taylor_moment(scheme, 0)) < 1e-15 and abs(taylor_moment(scheme, 1) - 1) < 1e-15
    for k in range(2, p + 1):
        assert abs(taylor_moment(scheme, k)) < 1e-15, (scheme, k)
    leading = abs(taylor_moment(scheme, p + 1))
    assert float(leading) == pytest.approx(theory.truncation, rel=1e-14)
    assert stencil.truncation == pytest.approx(theory.truncation, rel=1e-14)
    assert stencil.roundoff == pytest.approx(theory.roundoff, rel=1e-14)


@pytest.mark.parametrize("method", sorted(FD_ESTIMATE_THEORY))
def test_stencil_error_in_high_precision_is_its_truncation_term(method):
    """exp at x = 0.3 in 60 digits, no rounding: (estimate - g')/(h^p g^(p+1)) -> the truncation constant."""
    scheme, theory = method.removeprefix("fd_"), FD_ESTIMATE_THEORY[method]
    stencil = fd.SCHEMES[scheme]
    with mpmath.workdps(60):
        x, h = mpmath.mpf("0.3"), mpmath.mpf("1e-6")
        estimate = sum(exact(w) * mpmath.exp(x + o * h) for o, w in zip(stencil.offsets, stencil.weights)) / h
        ratio = (estimate - mpmath.exp(x)) / (h ** theory.order * mpmath.exp(x))
    assert abs(float(ratio)) == pytest.approx(theory.truncation, rel=1e-5)


@pytest.mark.parametrize("method", sorted(FD_ESTIMATE_THEORY))
def test_default_steps_follow_the_theory(method):
    x = np.array([0.0, 0.5, -3.0, 1e4])
    scheme = method.removeprefix("fd_")
    p = FD_ESTIMATE_THEORY[method].order
    np.testing.assert_allclose(fd.rule_steps(x, scheme), EPS ** (1 / (p + 1)) * np.array([1, 1, 3, 1e4]), rtol=1e-15)
    np.testing.assert_array_equal(fd.rule_steps(x, scheme), fd_default_steps(method, x))


def case_scale(case, params, inputs, derivative_order):
    """(|d^k g / dx_i^k| per input from mpmath's ctx.diff, rounding error of one float64 evaluation of g)."""
    mp = MpOps(40)
    xs, data = case.split(inputs)
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    xs_mp = [mp.asarray(v) for v in xs]
    x = np.concatenate([np.asarray(v, dtype=float).reshape(-1) for v in xs])
    x_mp = np.array([mp.ctx.mpf(float(v)) for v in x], dtype=object)

    def g(vector):
        return np.asarray(f(mp, *unflatten(vector, xs_mp)), dtype=object).reshape(-1)[0]

    higher = []
    for i in range(x.size):
        unit = np.array([mp.ctx.mpf(int(i == j)) for j in range(x.size)], dtype=object)
        higher.append(abs(float(mp.ctx.diff(lambda t: g(x_mp + t * unit), 0, derivative_order))))
    exact = g(x_mp)
    g_float, _ = fd.flat_function(case, params, inputs)
    value_error = max(abs(float(g_float(x)[0] - exact)), EPS * abs(float(exact)))
    return x, np.array(higher), value_error


@pytest.mark.parametrize("name,value", SETTINGS)
@pytest.mark.parametrize("point", [0, 1])
def test_default_step_estimate_within_its_error_bound(name, value, point):
    case = CASES[name]
    params = case.params(value)
    inputs = case.inputs(0, params, point)
    ref = reference(case, params, inputs, np.random.default_rng(0))
    for method, theory in FD_ESTIMATE_THEORY.items():
        x, higher, value_error = case_scale(case, params, inputs, theory.order + 1)
        result = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))[0]
        rel_error = score(result.jacobian, ref["hi"], ref["lo"])["rel_error"]
        bound = fd_estimate_bound(method, fd_default_steps(method, x), higher, value_error,
                                  float(np.linalg.norm(ref["hi"])))
        assert rel_error <= bound, f"{method} at {name} {params} point {point}: {rel_error:.3g} > {bound:.3g}"
        assert result.extra["step_h"] == pytest.approx(float(np.median(fd_default_steps(method, x))), rel=1e-15)


def test_bound_is_tight_where_truncation_dominates():
    """On the logistic map truncation dominates: the measured error is the model's within 10 %, so a step 10x too
    large (10^p x the truncation) cannot hide inside the margin."""
    case = CASES["logistic"]
    params = case.params(8)
    inputs = case.inputs(0, params, 1)
    ref = reference(case, params, inputs, np.random.default_rng(0))
    for method, theory in FD_ESTIMATE_THEORY.items():
        x, higher, value_error = case_scale(case, params, inputs, theory.order + 1)
        result = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))[0]
        rel_error = score(result.jacobian, ref["hi"], ref["lo"])["rel_error"]
        model = fd_estimate_bound(method, fd_default_steps(method, x), higher, value_error,
                                  float(np.linalg.norm(ref["hi"])))
        assert rel_error == pytest.approx(model / FD_ESTIMATE_MARGIN, rel=0.1), method
        assert 10 ** theory.order * rel_error > 2 * model


def test_run_rows_of_fd_methods_obey_the_bound(default_results):
    """The fd rows of the session's run (what results.csv reports) for inputs of at most 10 entries."""
    rows = default_results[default_results["method"].isin(["fd_forward", "fd_central"])
                           & (default_results["n_inputs"] <= 10) & (default_results["status"] == "ok")]
    assert len(rows) >= 10 and set(rows["family"]) >= {"logistic", "logdet", "quadratic", "trace_example"}
    for row in rows.itertuples():
        case = CASES[row.case]
        params = next(case.params(v) for v in case.sweep_values("default") if describe(case.params(v)) == row.param)
        inputs = case.inputs(0, params, int(row.point))
        theory = FD_ESTIMATE_THEORY[row.method]
        x, higher, value_error = case_scale(case, params, inputs, theory.order + 1)
        ref = reference(case, params, inputs, np.random.default_rng(0))
        bound = fd_estimate_bound(row.method, fd_default_steps(row.method, x), higher, value_error,
                                  float(np.linalg.norm(ref["hi"])))
        assert row.rel_error <= bound, f"{row.method} {row.case} {row.param} point {row.point}"
