"""The estimate each finite-difference scheme reports at its default step obeys the scheme's own error theory."""
import math
import statistics
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


def running_median_bottom(h, errors):
    """The definition, written out: the h at the centre of the 5-window with the smallest median (first on ties)."""
    medians = [statistics.median(errors[i - 2:i + 3]) for i in range(2, len(errors) - 2)]
    return h[2 + medians.index(min(medians))]


def test_vee_bottom_is_the_running_median_minimum():
    h = [10.0 ** -k for k in range(1, 12)]
    rng = np.random.default_rng(5)
    for _ in range(20):
        errors = list(10.0 ** rng.uniform(-12, 0, len(h)))
        assert fd.vee_bottom(list(zip(h, errors))) == running_median_bottom(h, errors)
    errors = [1e-1, 1e-2, 1e-3, 1e-4, 1e-7, 1e-6, 1e-5, 1e-3, 1e-1, 1e-1, 1e-1]
    assert fd.vee_bottom(list(zip(h, errors))) == 1e-5
    lucky = list(errors)
    lucky[9] = 1e-14                                                   # one lucky rounding far up the right arm
    assert fd.vee_bottom(list(zip(h, lucky))) == 1e-5
    assert fd.vee_bottom([(1e-1, 3.0), (1e-2, 2.0), (1e-3, 1.0), (1e-4, 2.0), (1e-5, 3.0)]) == 1e-3
    assert math.isnan(fd.vee_bottom([(1e-1, 3.0), (1e-2, 2.0), (1e-3, 1.0), (1e-4, 2.0)]))
    assert math.isnan(fd.vee_bottom([(v, float("nan")) for v in h]))
    with_nan = list(zip(h, errors))
    with_nan[4] = (1e-5, float("nan"))                                 # a NaN counts as an infinite error
    assert fd.vee_bottom(with_nan) == running_median_bottom(h, [e if k != 4 else math.inf
                                                                for k, e in enumerate(errors)])


def test_central_probe_uses_the_central_rule_step():
    """For a cubic the central difference is exact up to h^2 g'''/6 = h^2 (g = t^3): the residual reveals h."""
    for x in (np.array([0.3, -0.2]), np.array([5.0, -40.0]), np.array([])):
        direction = np.array([1.0, 0.0]) if x.size else np.array([])
        g = (lambda v: np.array([v[0] ** 3])) if x.size else (lambda v: np.array([1.0]))
        estimate = fd.central_probe(g, x, direction)
        if not x.size:
            assert estimate == 0.0
            continue
        h = EPS ** (1 / 3) * max(1.0, float(np.max(np.abs(x))))
        assert float(estimate[0] - 3 * x[0] ** 2) == pytest.approx(h ** 2, rel=0.05)


def test_hessian_diagonal_takes_the_given_steps():
    """(g(x+h) - 2g(x) + g(x-h))/h^2 = 12x^2 + 2h^2 for g = x^4: the h^2 term shows which step was used."""
    g = lambda v: np.array([np.sum(v ** 4)])                                   # noqa: E731
    x = np.array([0.5, 1.0])
    given = fd.hessian_diagonal(g, x, np.array([0.1, 0.2]))
    np.testing.assert_allclose(given[0], 12 * x ** 2 + 2 * np.array([0.1, 0.2]) ** 2, rtol=1e-9)
    default = fd.hessian_diagonal(g, x)
    np.testing.assert_allclose(default[0], 12 * x ** 2, rtol=1e-6)
