"""The float64 floor of a point, shortfall and limit, complex step by trial, FD at a domain edge, FD optima."""
import math

import mpmath
import numpy as np
import pytest

from diffbench.assemble import method_rows
from diffbench.case import load_cases
from diffbench.fd_model import fit_error_model
from diffbench.floor import point_floor
from diffbench.methods import METHODS
from diffbench.methods.finite_diff import SCHEMES
from diffbench.records import TABLES
from diffbench.reference import reference
from diffbench.scoring import sweep_errors
from diffbench.runner.worker import JobOutput

CASES = load_cases()
mp = mpmath.MPContext()
mp.dps = 60


def case_point(name, value=None, point=0):
    case = CASES[name]
    params = case.params(value)
    return case, params, case.inputs(0, params, point)


def rows_of(name, method, value=None, point=0):
    """The results rows method_rows writes for one method at one point, with its reference and floor."""
    case, params, inputs = case_point(name, value, point)
    ref = {**reference(case, params, inputs, np.random.default_rng(0)), **point_floor(case, params, inputs, 0, point)}
    output = JobOutput(job=None, points=METHODS[method].run(case, params, [inputs], np.random.default_rng(0)),
                       func_times=[1e-6])
    tables = {name: [] for name in TABLES}
    method_rows(case, params, METHODS[method], output, [ref], tables)
    return tables


def test_f_digits_of_expm1_over_x_near_zero():
    case, params, inputs = case_point("expm1_over_x")
    x = float(inputs["x"])
    assert x == 1e-9
    computed = (np.exp(x) - 1) / x
    exact = mp.expm1(mp.mpf(x)) / mp.mpf(x)                 # closed form at 60 digits, no cancellation
    independent = -math.log10(float(abs(mp.mpf(computed) - exact) / exact))
    floor = point_floor(case, params, inputs, 0, 0)
    assert floor["f_digits"] == pytest.approx(7, abs=1)     # e^x - 1 loses about log10(1/x) = 9 of 16 digits
    assert floor["f_digits"] == pytest.approx(independent, abs=0.01)
    assert mp.mpf(floor["f_ref"][0]) == pytest.approx(exact, rel=1e-45)


def test_attainable_digits_follow_the_condition_number():
    case, params, inputs = case_point("logdet_illcond", 5)
    condition = np.linalg.cond(inputs["X"])
    assert condition == pytest.approx(1e7, rel=1e-3)
    floor = point_floor(case, params, inputs, 0, 0)
    assert floor["attainable_digits"] == pytest.approx(16 - math.log10(condition), abs=1)
    case, params, inputs = case_point("sum_of_squares", 5)
    assert point_floor(case, params, inputs, 0, 0)["attainable_digits"] >= 14


def test_shortfall_and_limit_name_the_cause():
    [cancelled] = rows_of("expm1_over_x", "tape_reverse")["results"]
    assert cancelled["correct_digits"] < 1                  # AD of the cancelling code: wrong from digit one
    assert cancelled["limit"] == "cancellation" and cancelled["shortfall_digits"] > 14
    [conditioned] = rows_of("logdet_illcond", "tape_reverse", 5)["results"]
    assert conditioned["limit"] == "conditioning" and conditioned["shortfall_digits"] < 1
    assert conditioned["correct_digits"] < 12              # fewer digits, yet nothing a float64 method could do
    [plain] = rows_of("sum_of_squares", "torch", 5)["results"]
    assert plain["shortfall_digits"] == 0 and plain["limit"] == "round-off"


def test_an_overflowing_f_is_named_as_such_not_as_cancellation():
    """Naive cross-entropy at offset 1000: exp overflows in float64 (f = inf), though its exact value is finite;
    complex step returns finite numbers 17 orders off. The limit is f's overflow, not a cancellation."""
    case, params, inputs = case_point("cross_entropy_naive", 1000)
    assert not np.isfinite(np.log(np.sum(np.exp(inputs["a"].astype(np.float64)))))
    floor = point_floor(case, params, inputs, 0, 0)
    assert floor["f_finite"] is False and floor["f_digits"] == 0.0
    assert mp.isfinite(mp.mpf(floor["f_ref"][0]))
    [row] = rows_of("cross_entropy_naive", "complex_step", 1000)["results"]
    assert row["status"] == "ok" and row["correct_digits"] < 0
    assert row["f_finite"] is False and row["limit"] == "f not finite"
    [plain] = rows_of("cross_entropy_naive", "complex_step", 0)["results"]
    assert plain["f_finite"] is True and plain["limit"] != "f not finite"


def test_nan_from_a_case_whose_own_float_f_overflows_says_why():
    """A user's case with no nonfinite_reason: log-sum-exp of logits near 800 overflows in float64 (f = inf). The
    NaN stays a failure (the case did not declare it, tests/test_exit_codes.py), its message names the cause."""
    from diffbench.case import Case
    case = Case(name="lse800", fn=lambda o, x: o.log(o.sum(o.exp(x))), make_inputs=lambda rng: {}, wrt=("x",))
    inputs = {"x": np.array([800.0, 800.5, 801.0])}
    ref = {**reference(case, {}, inputs, np.random.default_rng(0)), **point_floor(case, {}, inputs, 0, 0)}
    assert ref["f_finite"] is False and ref["digits"] >= 45
    tables = {name: [] for name in TABLES}
    output = JobOutput(job=None, points=METHODS["tape_reverse"].run(case, {}, [inputs], np.random.default_rng(0)),
                       func_times=[1e-6])
    method_rows(case, {}, METHODS["tape_reverse"], output, [ref], tables)
    [row] = tables["results"]
    assert row["status"] == "failed" and row["limit"] == "not finite"
    assert row["message"] == ("returned NaN/inf in 3 of 3 entries; the case's own float64 f is inf or NaN at this "
                              "point (f_finite False)")


def test_the_stable_form_is_the_cure():
    [stable] = rows_of("expm1_over_x_stable", "tape_reverse")["results"]
    assert stable["correct_digits"] >= 15 and stable["shortfall_digits"] < 1


def test_complex_step_is_scored_on_an_analytic_function():
    case, params, inputs = case_point("analytic_cos")
    [result] = METHODS["complex_step"].run(case, params, [inputs], np.random.default_rng(0))
    assert result.status == "ok"
    x, y = mp.mpf(0.7), mp.mpf(-0.3)
    d, n = x - y * y + 3, mp.cos(x) + y
    exact = np.array([float(-mp.sin(x) / d - n / d ** 2 - 1), float(1 / d + 2 * y * n / d ** 2)])
    np.testing.assert_allclose(result.jacobian[0], exact, rtol=1e-15)


def test_fd_central_at_a_domain_edge_falls_back_to_one_sided():
    tables = rows_of("log_near_edge", "fd_central")
    [row] = tables["results"]
    assert row["status"] == "ok" and row["limit"] == "domain" and "one-sided (forward)" in row["message"]
    x = mp.mpf(1e-7)
    h = float(np.sqrt(np.finfo(float).eps))                # the forward rule's step at |x| < 1
    forward = mp.log1p(mp.mpf((1e-7 + h) - 1e-7) / x) / mp.mpf((1e-7 + h) - 1e-7)
    assert row["correct_digits"] == pytest.approx(-math.log10(float(abs(forward - 1 / x) * x)), abs=0.05)
    steps = [r["h"] for r in tables["fd_sweep"]]
    assert steps and max(steps) < 1e-7                     # the curve keeps the steps whose x - h stays inside
    assert all(np.isfinite(r["rel_error"]) for r in tables["fd_sweep"])


def test_richardson_at_a_domain_edge_is_not_a_failure():
    [row] = rows_of("log_near_edge", "richardson")["results"]
    assert row["status"] == "not_applicable" and row["limit"] == "domain"


@pytest.mark.parametrize("method, low, high", [("fd_forward", 2e-9 / 3, 2e-9 * 3), ("fd_central", 3e-8, 1e-6)])
def test_fd_optimum_on_l4_from_the_fitted_model(method, low, high):
    case, params, inputs = case_point("logistic", 4)
    ref = reference(case, params, inputs, np.random.default_rng(0))
    [result] = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))
    errors = sweep_errors(result.extra["sweep"], ref["hi"], ref["lo"])
    scheme = SCHEMES[method.removeprefix("fd_")]
    model = fit_error_model(errors, scheme.order, scheme.derivative)
    assert low <= model.opt_h <= high
    # The fitted truncation constant against the closed form: forward |f''| / (2 |f'|), central |f'''| / (6 |f'|).
    x = mp.mpf(0.2)
    f = lambda t: (lambda l2: (lambda l3: 4 * l3 * (1 - l3))(4 * l2 * (1 - l2)))(4 * t * (1 - t))  # noqa: E731
    derivative = mp.diff(f, x)
    expected = abs(mp.diff(f, x, 2) / (2 * derivative)) if method == "fd_forward" else \
        abs(mp.diff(f, x, 3) / (6 * derivative))
    assert model.truncation == pytest.approx(float(expected), rel=0.3)


def test_fd_sweep_keeps_absolute_error_beside_relative():
    sweep = rows_of("logistic", "fd_forward", 4)["fd_sweep"]
    assert len(sweep) == 61
    for r in sweep:       # |l_4'(0.2)| = 9.0660864 (the survey's Table 1): absolute = relative x |f'|
        assert r["abs_error"] == pytest.approx(r["rel_error"] * 9.0660864, rel=1e-12)


def test_f_that_overflows_in_float64_has_no_correct_digit():
    """Naive cross-entropy at logits near 1000: exp overflows, the float64 f is inf, its exact value is finite."""
    case = load_cases()["cross_entropy_naive"]
    params = case.params(1000)
    inputs = case.inputs(0, params, 0)
    floor = point_floor(case, params, inputs, 0, 0)
    assert floor["f_digits"] == 0.0
    assert float(floor["f_ref"][0]) > 0 and math.isfinite(float(floor["f_ref"][0]))
