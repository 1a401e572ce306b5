"""Scores against the reference, on numbers worked out by hand."""
import math

import numpy as np
import pytest

from diffbench.scoring import (MAX_DIGITS, best_step, correct_digits, error_vs_reference, relative_error, score,
                               sweep_errors)


def test_error_is_taken_against_the_double_double_reference():
    hi, lo = np.array([[1.0, -2.0]]), np.array([[1e-17, -3e-17]])
    error = error_vs_reference(np.array([[1.0, -2.0]]), hi, lo)
    np.testing.assert_array_equal(error, -lo)           # estimate = hi exactly: the error is -lo, not +lo
    assert error.dtype == np.float64
    from_ints = error_vs_reference([[2, 0]], hi, np.zeros_like(lo))
    assert from_ints.dtype == np.float64 and from_ints.tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("rel_error,digits", [(1e-3, 3.0), (0.5, -math.log10(0.5)), (10.0, -1.0),
                                              (1e-20, MAX_DIGITS), (0.0, MAX_DIGITS)])
def test_correct_digits(rel_error, digits):
    assert correct_digits(rel_error) == pytest.approx(digits, rel=1e-15)


@pytest.mark.parametrize("rel_error", [float("nan"), float("inf")])
def test_no_digits_for_a_non_finite_error(rel_error):
    assert math.isnan(correct_digits(rel_error))


def test_relative_error_and_its_absolute_fallback():
    assert relative_error(np.array([3e-3, 4e-3]), np.array([0.3, 0.4])) == pytest.approx(1e-2, rel=1e-15)
    assert relative_error(np.array([3.0, 4.0]), np.array([0.3, 0.4])) == pytest.approx(10.0, rel=1e-15)
    assert relative_error(np.array([3e-3, 4e-3]), np.zeros(2)) == pytest.approx(5e-3, rel=1e-15)
    assert relative_error(np.array([0.3, 0.4]), np.array([0.06, 0.08])) == pytest.approx(5.0, rel=1e-15)


def test_score_relative_componentwise_and_digits():
    hi, lo = np.array([[2.0, 1e-3, 0.0]]), np.zeros((1, 3))
    estimate = np.array([[2.002, 1.1e-3, 1e-20]])
    result = score(estimate, hi, lo)
    assert result["rel_error"] == pytest.approx(math.hypot(2e-3, 1e-4) / math.hypot(2.0, 1e-3), rel=1e-9)
    # componentwise: |e_i| / max(|ref_i|, 1e-15 max|ref|): 1e-3, 0.1, and 1e-20 / 2e-15 at the zero entry
    assert result["max_rel_error"] == pytest.approx(0.1, rel=1e-9)
    assert result["correct_digits"] == pytest.approx(-math.log10(result["rel_error"]), rel=1e-12)
    tiny = score(np.array([[2.0, 1e-3, 1e-14]]), hi, lo)
    assert tiny["max_rel_error"] == pytest.approx(1e-14 / 2e-15, rel=1e-9)


def test_score_of_a_zero_reference_is_absolute():
    result = score(np.array([[1e-3, 0.0]]), np.zeros((1, 2)), np.zeros((1, 2)))
    assert result["rel_error"] == pytest.approx(1e-3) and result["max_rel_error"] == pytest.approx(1e-3)


def test_score_of_empty_jacobians():
    result = score(np.zeros((1, 0)), np.zeros((1, 0)), np.zeros((1, 0)))
    assert result["rel_error"] == 0.0 and result["max_rel_error"] == 0.0 and result["correct_digits"] == MAX_DIGITS


def test_sweep_errors_full_and_directional():
    hi, lo = np.array([[1.0, 2.0]]), np.zeros((1, 2))
    full = {"h": [1e-2, 1e-3], "estimates": [np.array([[1.01, 2.0]]), np.array([[1.0, 2.0]])], "directions": None}
    assert sweep_errors(full, hi, lo) == [(1e-2, pytest.approx(0.01 / math.sqrt(5))), (1e-3, 0.0)]
    directions = np.array([[1.0], [1.0]])                  # J v = 3
    along = {"h": [1e-2], "estimates": [np.array([[3.03]])], "directions": directions}
    assert sweep_errors(along, hi, lo) == [(1e-2, pytest.approx(0.01, rel=1e-12))]


def test_best_step_skips_non_finite_errors():
    assert best_step([(1e-1, 1e-3), (1e-2, float("nan")), (1e-3, 1e-6), (1e-4, 1e-5)]) == (1e-3, 1e-6)
    h, e = best_step([(1e-1, float("nan")), (1e-2, float("inf"))])
    assert math.isnan(h) and math.isnan(e)
