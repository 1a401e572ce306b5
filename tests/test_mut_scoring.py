"""Scores, verdicts and the fitted FD error model on hand-computed numbers (every branch and boundary)."""
import math

import numpy as np
import pytest

from diffbench import fd_model, scoring, verdict

NAN = float("nan")


def test_error_is_taken_against_the_double_double_reference():
    # 1 - (1 + 2^-60) is -2^-60; summing hi + lo first would round it away
    assert scoring.error_vs_reference([1.0], np.array([1.0]), np.array([2.0 ** -60]))[0] == -(2.0 ** -60)
    assert scoring.error_vs_reference(3, 2.0, 0.5) == 0.5


@pytest.mark.parametrize("rel, digits", [(0.0, 17.0), (1e-5, 5.0), (1e-20, 17.0), (10.0, -1.0), (0.25, 0.6020599913)])
def test_correct_digits(rel, digits):
    assert scoring.correct_digits(rel) == pytest.approx(digits, rel=1e-10, abs=0)


@pytest.mark.parametrize("rel", [NAN, float("inf")])
def test_correct_digits_of_no_number_is_nan(rel):
    assert math.isnan(scoring.correct_digits(rel))


def test_relative_error_is_a_frobenius_ratio_absolute_at_a_zero_reference():
    assert scoring.relative_error(np.array([[3.0, 4.0]]), np.array([[0.0, 10.0]])) == 0.5
    assert scoring.relative_error(np.array([3.0, 4.0]), np.zeros(2)) == 5.0


def test_score_relative_componentwise_and_digits():
    hi = np.array([2.0, 0.0, 1e-20])
    result = scoring.score(np.array([2.0, 1e-14, 1e-20]), hi, np.zeros(3))
    assert result["rel_error"] == pytest.approx(5e-15, rel=1e-12, abs=0)
    # the zero entry is measured against 1e-15 max|hi| = 2e-15: 1e-14 / 2e-15 = 5
    assert result["max_rel_error"] == pytest.approx(5.0, rel=1e-12, abs=0)
    assert result["correct_digits"] == pytest.approx(-math.log10(5e-15), rel=1e-12, abs=0)
    result = scoring.score(np.array([2.5, 0.0, 1e-20]), hi, np.zeros(3))
    assert result["max_rel_error"] == pytest.approx(0.25, rel=1e-12, abs=0)
    assert result["rel_error"] == pytest.approx(0.25, rel=1e-12, abs=0)


def test_score_against_a_zero_or_empty_reference():
    result = scoring.score(np.array([0.0, -3.0]), np.zeros(2), np.zeros(2))
    assert result["rel_error"] == 3.0 and result["max_rel_error"] == 3.0
    assert result["correct_digits"] == pytest.approx(-math.log10(3.0))
    empty = scoring.score(np.zeros(0), np.zeros(0), np.zeros(0))
    assert empty["max_rel_error"] == 0.0 and empty["rel_error"] == 0.0 and empty["correct_digits"] == 17.0


def test_sweep_errors_full_and_along_directions():
    hi, lo = np.array([[1.0, 2.0]]), np.zeros((1, 2))
    sweep = {"h": [1e-2, 1e-3], "estimates": [np.array([[1.0, 2.2]]), np.array([[1.0, 2.0]])], "directions": None}
    errors = scoring.sweep_errors(sweep, hi, lo)
    assert errors[0] == (1e-2, pytest.approx(0.2 / math.sqrt(5), rel=1e-12, abs=0)) and errors[1] == (1e-3, 0.0)
    directions = np.array([[1.0], [1.0]])          # J v = 3
    sweep = {"h": np.array([0.5]), "estimates": [np.array([[3.3]])], "directions": directions}
    [(h, error)] = scoring.sweep_errors(sweep, hi, lo)
    assert h == 0.5 and isinstance(h, float) and error == pytest.approx(0.1, rel=1e-12, abs=0)


def test_best_step_is_the_smallest_finite_error():
    assert scoring.best_step([(1e-1, 3.0), (1e-2, NAN), (1e-3, 0.5), (1e-4, 0.5), (1e-5, 2.0)]) == (1e-4, 0.5)
    assert scoring.best_step([(1e-1, 3.0), (1e-2, 0.1)]) == (1e-2, 0.1)
    assert all(math.isnan(v) for v in scoring.best_step([(1e-1, NAN), (1e-2, float("inf"))]))
    assert all(math.isnan(v) for v in scoring.best_step([]))


# verdicts

@pytest.mark.parametrize("digits, clipped", [(-3.0, 0.0), (5.5, 5.5), (0.0, 0.0), (float("inf"), float("inf"))])
def test_clipped(digits, clipped):
    assert verdict.clipped(digits) == clipped


def test_clipped_and_shortfall_of_unknowns():
    assert math.isnan(verdict.clipped(NAN))
    assert math.isnan(verdict.shortfall_digits(NAN, 15.0)) and math.isnan(verdict.shortfall_digits(10.0, NAN))
    assert math.isnan(verdict.shortfall_digits(float("inf"), 15.0))
    assert verdict.shortfall_digits(10.0, 15.5) == 5.5
    assert verdict.shortfall_digits(-2.0, 15.0) == 15.0
    assert verdict.shortfall_digits(16.0, 15.0) == 0.0


@pytest.mark.parametrize("row, kind, expected", [
    ({"limit": "domain", "correct_digits": 15.0}, "numeric", "domain"),
    ({"correct_digits": NAN, "attainable_digits": 15.0}, "numeric", "not finite"),
    ({}, "ad", "not finite"),
    ({"correct_digits": 12.0}, "numeric", ""),
    ({"correct_digits": 12.0, "attainable_digits": NAN}, "numeric", ""),
    # at the floor: conditioning below 15.95 - 1, round-off above
    ({"correct_digits": 12.5, "attainable_digits": 13.0}, "numeric", "conditioning"),
    ({"correct_digits": 14.0, "attainable_digits": 14.94}, "ad", "conditioning"),
    ({"correct_digits": 14.0, "attainable_digits": 14.95}, "ad", "round-off"),
    ({"correct_digits": -3.0, "attainable_digits": 0.5}, "ad", "conditioning"),
    # one digit short is not at the floor
    ({"correct_digits": 12.0, "attainable_digits": 13.0, "f_digits": 11.5}, "ad", "cancellation"),
    # f's float64 value is inf/NaN: that, not cancellation, is what limits (f_digits is 0 there)
    ({"correct_digits": -17.0, "attainable_digits": 13.0, "f_digits": 0.0, "f_finite": False}, "numeric",
     "f not finite"),
    ({"correct_digits": 12.0, "attainable_digits": 13.0, "f_digits": 11.5, "f_finite": True}, "ad", "cancellation"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "f_digits": 0.0, "f_finite": False}, "analytic", "round-off"),
    ({"correct_digits": 12.7, "attainable_digits": 13.0, "f_digits": 0.0, "f_finite": False}, "ad", "conditioning"),
    ({"correct_digits": 12.0, "attainable_digits": 13.0, "f_digits": 12.0}, "ad", "round-off"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "f_digits": 10.0}, "analytic", "round-off"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "f_digits": NAN}, "ad", "round-off"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "step_h": 1e-5, "opt_h": 1e-6}, "numeric", "truncation"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "step_h": 1e-6, "opt_h": 1e-6}, "numeric", "round-off"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "step_h": 1e-7, "opt_h": 1e-6}, "numeric", "round-off"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "step_h": 1e-5, "opt_h": 1e-6}, "ad", "round-off"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "step_h": 1e-5, "opt_h": NAN}, "numeric", "round-off"),
    ({"correct_digits": 5.0, "attainable_digits": 15.0, "step_h": NAN, "opt_h": 1e-6}, "numeric", "round-off"),
])
def test_limit_branches(row, kind, expected):
    assert verdict.limit(row, kind) == expected


def test_judged_row():
    row = {"correct_digits": 9.0, "attainable_digits": 15.5, "step_h": 1e-5, "opt_h": 1e-6}
    assert verdict.judged(row, "numeric") == {"shortfall_digits": 6.5, "limit": "truncation"}
    judged = verdict.judged({}, "ad")
    assert math.isnan(judged["shortfall_digits"]) and judged["limit"] == "not finite"


# the fitted error model

def test_error_model_value_and_optimum():
    model = fd_model.ErrorModel(order=2, derivative=1, truncation=3.0, roundoff=2.0, opt_h=0.5)
    assert model.error(0.5) == pytest.approx(3 * 0.25 + 4.0) and model.opt_error == pytest.approx(4.75)
    assert np.allclose(model.error([1.0, 2.0]), [5.0, 13.0])


def test_running_median_bottom():
    h = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    assert fd_model.running_median_bottom(h, np.array([9.0, 8.0, 7.0, 0.1, 0.2, 0.3, 4.0])) == 4.0
    assert fd_model.running_median_bottom(h, np.array([9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 0.0])) == 5.0
    assert fd_model.running_median_bottom(h[:4], np.array([3.0, 1.0, 2.0, 5.0])) == 2.0
    assert fd_model.running_median_bottom(h[:5], np.array([3.0, 1.0, 2.0, 5.0, 6.0])) == 3.0
    assert math.isnan(fd_model.running_median_bottom(np.zeros(0), np.zeros(0)))
    uneven = np.array([9.0, 0.1, 9.0, 8.0, 7.0, 0.2, 0.3])
    assert fd_model.running_median_bottom(h, uneven) == 4.0
    assert fd_model.running_median_bottom(h, uneven, width=3) == 6.0


@pytest.mark.parametrize("order, derivative, c, r", [(2, 1, 1 / 6, 1e-16), (1, 1, 0.5, 2e-16), (4, 1, 2.0, 3e-16),
                                                     (2, 2, 1 / 12, 4e-16)])
def test_fit_recovers_an_exact_error_model(order, derivative, c, r):
    h = np.logspace(-16, -1, 61)
    errors = list(zip(h, c * h ** order + r / h ** derivative))
    model = fd_model.fit_error_model(errors, order, derivative)
    assert (model.order, model.derivative) == (order, derivative)
    assert model.truncation == pytest.approx(c, rel=1e-3, abs=0) and model.roundoff == pytest.approx(r, rel=1e-3, abs=0)
    optimum = (derivative * r / (order * c)) ** (1 / (order + derivative))
    assert model.opt_h == pytest.approx(optimum, rel=1e-3, abs=0)


def test_fit_leaves_out_saturated_zero_and_nan_points():
    h = np.logspace(-12, 0, 49)
    e = 1 / 6 * h ** 2 + 1e-16 / h
    e[h > 0.5] = 0.6           # saturated
    e[5] = 0.0                 # exact: off the model
    e[7] = np.nan
    e[-10] = 1e3               # saturated within the branch: a wrong point if kept
    model = fd_model.fit_error_model(list(zip(h, e)), 2, 1)
    assert model.truncation == pytest.approx(1 / 6, rel=1e-3, abs=0)
    assert model.roundoff == pytest.approx(1e-16, rel=1e-3, abs=0)
    assert fd_model.fit_error_model(list(zip(h[:5], e[:5])), 2, 1) is None


def test_fit_needs_three_points_on_each_branch():
    # a pure truncation sweep: no round-off branch
    h = np.logspace(-8, -1, 29)
    assert fd_model.fit_error_model(list(zip(h, 1 / 6 * h ** 2)), 2, 1) is None
    # the sweep's bottom is at 10^-5.5, so the round-off branch is h < 10^-6: from 10^-6.75 three points, from
    # 10^-6.5 two
    h = np.logspace(-16, -1, 61)
    e = 1 / 6 * h ** 2 + 1e-16 / h
    assert fd_model.running_median_bottom(h[37:], e[37:]) == pytest.approx(10 ** -5.5, rel=1e-12, abs=0)
    model = fd_model.fit_error_model(list(zip(h[37:], e[37:])), 2, 1)
    assert model is not None and model.roundoff == pytest.approx(1e-16, rel=1e-3, abs=0)
    assert fd_model.fit_error_model(list(zip(h[38:], e[38:])), 2, 1) is None


def test_score_against_zero_entries_raises_no_floating_point_warning():
    """0/0 and x/0 in the componentwise ratio are replaced, silently (case warnings are counted per job)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both = scoring.score(np.array([0.0, 1.0]), np.zeros(2), np.zeros(2))     # 0/0 and 1/0
        assert both["max_rel_error"] == 1.0 and both["rel_error"] == 1.0


def test_error_model_of_a_second_derivative_divides_by_h_squared():
    model = fd_model.ErrorModel(order=2, derivative=2, truncation=1.0, roundoff=2.0, opt_h=1.0)
    assert model.error(0.5) == pytest.approx(0.25 + 8.0)


GRID = np.logspace(-16, -1, 61)
EXACT = 1 / 6 * GRID ** 2 + 1e-16 / GRID        # central differences: C = 1/6, R = 1e-16, optimum 6.7e-6


def test_fit_defaults_to_a_first_derivative():
    model = fd_model.fit_error_model(list(zip(GRID, EXACT)), 2)
    assert model.derivative == 1 and model.roundoff == pytest.approx(1e-16, rel=1e-3, abs=0)


def test_fit_of_seven_points_three_on_each_branch():
    chosen = [30, 31, 32, 35, 38, 47, 49]
    model = fd_model.fit_error_model(list(zip(GRID[chosen], EXACT[chosen])), 2, 1)
    assert model.truncation == pytest.approx(1 / 6, rel=1e-2, abs=0)
    assert model.roundoff == pytest.approx(1e-16, rel=1e-2, abs=0)


@pytest.mark.parametrize("value", [0.5, 0.7, np.inf])
def test_fit_leaves_out_a_saturated_majority_of_the_truncation_branch(value):
    e = EXACT.copy()
    e[GRID > 1e-4] = value                       # every step above 1e-4 has lost all digits
    model = fd_model.fit_error_model(list(zip(GRID, e)), 2, 1)
    assert model.truncation == pytest.approx(1 / 6, rel=1e-2, abs=0)


def test_fit_leaves_out_exact_zeros_and_zero_steps_on_the_round_off_branch():
    e = EXACT.copy()
    e[GRID < 1e-9] = 0.0                          # exact results at tiny steps (a linear f, say)
    zero_steps = [(0.0, 1e-3)] * 30
    model = fd_model.fit_error_model(zero_steps + list(zip(GRID, e)), 2, 1)
    assert model.roundoff == pytest.approx(1e-16, rel=1e-3, abs=0)
    assert model.truncation == pytest.approx(1 / 6, rel=1e-3, abs=0)
