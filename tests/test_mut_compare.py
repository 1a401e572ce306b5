"""The checker's comparison at its boundaries: shapes, mistake tolerance, Taylor order fit, remainders in mpmath."""
import math

import numpy as np
import pytest

from diffbench.case import Case
from diffbench.check import compare


def quadratic(o, x, c):
    return c * x * x                      # vector f of a vector x: Jacobian diag(2 c x)


VECTOR = Case("mut_vector", quadratic, lambda rng: {}, ("x",))
POINT = {"x": np.array([1.0, -2.0, 0.5]), "c": np.array(3.0)}
TRUTH = np.diag(6.0 * POINT["x"])


def reference_of(truth):
    return {"hi": truth, "lo": np.zeros_like(truth)}


def test_vector_output_shape_and_jacobian_layout():
    assert compare.output_shape(VECTOR, {}, POINT) == (3,)
    assert compare.part_shapes(VECTOR, {}, POINT) == [(3, 3)]
    assert compare.expected_layout(VECTOR, {}, POINT) == "an array of shape (3, 3) (like x)"
    assert np.array_equal(compare.as_jacobian(TRUTH, VECTOR, {}, POINT), TRUTH)
    columns = compare.as_jacobian(TRUTH.T + np.triu(np.ones((3, 3)), 1), VECTOR, {}, POINT, layout="columns")
    assert np.array_equal(columns, TRUTH + np.tril(np.ones((3, 3)), -1))


def test_a_wrong_shape_is_the_verdicts_problem_and_mistake():
    verdict = compare.judge(VECTOR, {}, POINT, np.zeros(3), reference_of(TRUTH), np.random.default_rng(0), "p0")
    expected = "wrong shape: d/dx has shape (3,), expected (3, 3)"
    assert verdict.problem == expected and verdict.mistake == expected and not verdict.ok
    assert math.isnan(verdict.digits) and verdict.order is None


def test_a_few_digits_off_fail_by_their_taylor_order_when_the_digit_bar_is_low():
    """1e-3 relative off passes min_digits = 2, but the remainder is O(h): the order names it wrong."""
    verdict = compare.judge(VECTOR, {}, POINT, TRUTH * (1 + 1e-3), reference_of(TRUTH), np.random.default_rng(1),
                            "p0", min_digits=2.0)
    assert verdict.digits == pytest.approx(3.0, abs=1e-6)
    assert verdict.order is not None and verdict.order < compare.ORDER_WRONG
    assert verdict.problem == "wrong gradient (3.0 correct digits, expected 2)" and verdict.mistake == ""
    right = compare.judge(VECTOR, {}, POINT, TRUTH, reference_of(TRUTH), np.random.default_rng(1), "p0")
    assert right.ok and right.order == pytest.approx(2.0, abs=0.05) and right.digits == 17.0


@pytest.mark.parametrize("scale", [1e-3, 1e3])
def test_a_small_or_large_gradient_is_named_within_its_relative_tolerance(scale):
    truth = TRUTH * scale
    # 8e-7 relative off the sign error: within 1e-6 (MISTAKE_DIGITS), not within 11^-6 = 5.6e-7
    assert compare.name_mistake(VECTOR, {}, POINT, -truth * (1 + 8e-7), truth).startswith("sign error")
    assert compare.name_mistake(VECTOR, {}, POINT, -truth * (1 + 2e-6), truth) == ""


def test_observed_order_counts_only_remainders_above_round_off():
    steps = [1e-2, 1e-3, 1e-4, 1e-5]
    quadratic_remainders = [(h, h * h) for h in steps]
    assert compare.observed_order(quadratic_remainders, 1.0) == pytest.approx(2.0, abs=1e-12)
    # the round-off line is 1e-12 h |g| (|g| at least 1e-300): a remainder exactly on it is left out
    on_line = [(1e-2, 1e-4), (1e-3, 1e-6), (1e-4, 1e-12 * 1e-4 * 0.5)]
    assert compare.observed_order(on_line, 0.5) == pytest.approx(2.0, abs=1e-12)
    assert compare.observed_order([(1e-2, 1e-4), (1e-3, 1e-12 * 1e-3)], 1.0) is None
    # with a tiny gradient the line is lower: 1e-15 h is above it for |g| = 1e-4
    tiny = [(1e-2, 1e-15 * 1e-2), (1e-3, 1e-15 * 1e-3)]
    assert compare.observed_order(tiny, 1e-4) == pytest.approx(1.0, abs=1e-12)
    assert compare.observed_order(tiny, 1.0) is None
    # above the line for 1e-300 itself: |g| = 0 still counts remainders of 1e-20
    assert compare.observed_order([(1e-2, 1e-20), (1e-3, 1e-22)], 0.0) == pytest.approx(2.0, abs=1e-9)


def test_observed_order_fits_the_smallest_steps_and_needs_two():
    # O(h) at large steps, O(h^2) at the four smallest: the fit sees only the latter
    remainders = [(1e-1, 1.0), (1e-2, 0.1), (1e-3, 1e-6), (1e-4, 1e-8), (1e-5, 1e-10), (1e-6, 1e-12)]
    assert compare.observed_order(remainders, 1e-30) == pytest.approx(2.0, abs=1e-12)
    assert compare.observed_order([(1e-2, 1e-4), (1e-3, 1e-6)], 1e-30) == pytest.approx(2.0, abs=1e-12)
    assert compare.observed_order([(1e-3, 1e-6)], 1e-30) is None


def test_taylor_direction_is_a_seeded_unit_vector():
    v = compare.taylor_direction(np.random.default_rng(4), 5)
    raw = np.random.default_rng(4).standard_normal(5)
    assert np.allclose(v, raw / math.sqrt(raw @ raw), rtol=1e-15)


def test_taylor_remainders_of_a_vector_f_with_data_in_high_precision():
    """f = c x^2 along v: f(x + h v) - f(x) - h J v = c h^2 v^2 exactly (c = 3 is a data input)."""
    v = np.array([0.6, 0.0, -0.8])
    remainders = compare.taylor_remainders(VECTOR, {}, POINT, TRUTH, v, steps=(1e-2, 1e-5))
    for h, r in remainders:
        # NB: J v is taken in float64 (as the checker does): 1e-16 of |J v| h, 1e-11 of the remainder at h = 1e-5
        assert r == pytest.approx(3 * h * h * math.sqrt(0.6 ** 4 + 0.8 ** 4), rel=1e-9, abs=0)
    wrong = compare.taylor_remainders(VECTOR, {}, POINT, TRUTH + np.eye(3), v, steps=(1e-5,))
    assert wrong[0][1] == pytest.approx(1e-5 * 1.0, rel=1e-4, abs=0)      # |h (J' - J) v| = h |v| = h


def test_describe_value():
    assert compare.describe_value(np.zeros((2, 3))) == "an array of shape (2, 3)"
    assert compare.describe_value(2.5) == "a float"
    assert compare.describe_value([1, 2]) == "a list of 2"
    assert compare.describe_value((1,)) == "a tuple of 1"


def test_is_square_nonsymmetric():
    assert compare.is_square_nonsymmetric([[1.0, 2.0], [0.0, 1.0]])
    assert not compare.is_square_nonsymmetric([[1.0, 2.0], [2.0, 1.0]])
    assert not compare.is_square_nonsymmetric([[1.0]])
    assert not compare.is_square_nonsymmetric(np.zeros((2, 3)))
    assert not compare.is_square_nonsymmetric(np.arange(3.0))


def turned(o, x):
    return o.matvec(o.const(np.array([[1.0, 2.0], [0.0, 3.0]])), x)    # J = [[1, 2], [0, 3]], not symmetric


def test_layout_shapes():
    assert compare.layout_shape((3,), (2,), "rows") == (3, 2)
    assert compare.layout_shape((3,), (2,), "columns") == (2, 3)
    assert compare.layout_shape((), (2,), "columns") == (2,)
    assert compare.layout_shape((3,), (2, 2), "columns") == (3, 2, 2)      # not a Jacobian: no layout
    assert compare.layout_shape((), (), "columns") == ()
    assert compare.is_jacobian((3,), (2,)) and not compare.is_jacobian((), (2,))
    assert not compare.is_jacobian((3,), (2, 2))


TURNED = Case("mut_turned", turned, lambda rng: {}, ("x",))
TURNED_POINT = {"x": np.array([1.0, 2.0])}
TURNED_J = np.array([[1.0, 2.0], [0.0, 3.0]])


def test_a_transposed_square_jacobian_is_named_a_layout_mismatch():
    assert compare.name_mistake(TURNED, {}, TURNED_POINT, TURNED_J.T, TURNED_J) == compare.layout_mismatch("rows")
    assert compare.layout_mismatch("rows").startswith("layout mismatch: your Jacobian is in the columns layout")
    named = compare.name_mistake(TURNED, {}, TURNED_POINT, TURNED_J.T, TURNED_J, layout="columns")
    assert named == compare.layout_mismatch("columns") != compare.layout_mismatch("rows")
    assert compare.name_mistake(TURNED, {}, TURNED_POINT, TURNED_J, TURNED_J) == ""


def test_a_non_square_jacobian_in_the_other_layout_is_a_shape_problem_that_says_so():
    def rect(o, x):
        return o.matvec(o.const(np.array([[1.0, 2.0], [0.0, 3.0], [4.0, 5.0]])), x)
    case = Case("mut_rect", rect, lambda rng: {}, ("x",))
    truth = np.array([[1.0, 2.0], [0.0, 3.0], [4.0, 5.0]])
    with pytest.raises(compare.ShapeProblem) as problem:
        compare.as_jacobian(truth.T, case, {}, TURNED_POINT)
    assert str(problem.value) == f"{compare.layout_mismatch('rows')}: d/dx has shape (2, 3), expected (3, 2)"
    assert np.array_equal(compare.as_jacobian(truth.T, case, {}, TURNED_POINT, layout="columns"), truth)
    verdict = compare.judge(case, {}, TURNED_POINT, truth.T, reference_of(truth), np.random.default_rng(0), "p",
                            layout="columns")
    assert verdict.ok and verdict.digits == 17.0


def test_a_tasks_own_mistake_is_named_first():
    # c x where 2 c x belongs: also half the truth, but the task's own name comes before the generic one
    wrong = [[3.0, 0.0, 0.0], [0.0, -6.0, 0.0], [0.0, 0.0, 1.5]]       # a list, as a task writes it
    extra = [("you dropped the exponent's factor 2", wrong)]
    assert compare.name_mistake(VECTOR, {}, POINT, np.array(wrong), TRUTH, extra_mistakes=extra) == extra[0][0]
    verdict = compare.judge(VECTOR, {}, POINT, np.array(wrong), reference_of(TRUTH), np.random.default_rng(0), "p",
                            extra_mistakes=extra)
    assert verdict.mistake == extra[0][0] and verdict.problem == extra[0][0]


def test_expected_layout_of_a_number_and_of_several_inputs():
    def scalar(o, x):
        return x * x
    case = Case("mut_scalar", scalar, lambda rng: {}, ("x",))
    assert compare.expected_layout(case, {}, {"x": np.array(2.0)}) == "a number"

    def two(o, x, y):
        return x * y
    case = Case("mut_two", two, lambda rng: {}, ("x", "y"))
    inputs = {"x": np.array([1.0, 2.0]), "y": np.array(3.0)}
    assert compare.expected_layout(case, {}, inputs) == "a tuple (d/dx: (2, 2), d/dy: (2,))"
    assert compare.expected_layout(case, {}, inputs, layout="columns") == "a tuple (d/dx: (2, 2), d/dy: (2,))"
    with pytest.raises(compare.ShapeProblem, match=r"expected a tuple \(d/dx: \(2, 2\), d/dy: \(2,\)\), got a list"):
        compare.as_jacobian([np.zeros((2, 2))], case, {}, inputs)


def test_other_layout_and_the_mismatch_text():
    assert compare.other_layout("rows") == "columns" and compare.other_layout("columns") == "rows"
    assert compare.layout_mismatch("rows") == (
        "layout mismatch: your Jacobian is in the columns layout, J = (df/dx)ᵀ, J[i, j] = df_j/dx_i (n x m, one "
        "column per output); this course uses the rows layout, J[i, j] = df_i/dx_j (m x n, one row per output) "
        "(transpose it, or check with --jacobian-layout columns)")
