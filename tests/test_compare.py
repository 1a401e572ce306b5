"""The checker's comparison on hand-made answers: which mistake it names, its Taylor verdict, its pass/fail line."""
import numpy as np
import pytest

from diffbench.case import Case
from diffbench.check.compare import (MIN_DIGITS, ORDER_CORRECT, ORDER_WRONG, judge, name_mistake, observed_order,
                                     order_words)
from diffbench.reference import reference


def weighted_logdet(o, a, b, X):
    return (a + b) * o.logdet(X)


CASE = Case(name="weighted_logdet", fn=weighted_logdet, make_inputs=lambda rng: {}, wrt=("a", "b", "X"),
            family="test", source=__file__)
X = np.array([[3.0, 1.0], [-0.5, 2.0]])                      # not symmetric, det 6.5 > 0
SYMMETRIC = np.array([[3.0, 1.0], [1.0, 2.0]])


def point(matrix):
    inputs = {"a": np.array(0.7), "b": np.array(1.1), "X": matrix}
    ref = reference(CASE, {}, inputs, np.random.default_rng(0))
    truth = ref["hi"]
    a, b = 0.7, 1.1
    expected = np.concatenate([[np.log(np.linalg.det(matrix))] * 2, (a + b) * np.linalg.inv(matrix).T.reshape(-1)])
    np.testing.assert_allclose(truth[0], expected, rtol=1e-14)
    return inputs, ref, truth


def answer(truth, transpose=False):
    x_part = truth[0, 2:].reshape(2, 2)
    return (truth[0, 0], truth[0, 1], x_part.T if transpose else x_part)


@pytest.mark.parametrize("factor,named", [(-1.0, "sign error"), (0.5, "missing factor 2"), (2.0, "extra factor 2"),
                                          (3.0, ""), (1.0 + 1e-9, "")])
def test_scaled_gradients_are_named(factor, named):
    inputs, _, truth = point(X)
    mistake = name_mistake(CASE, {}, inputs, factor * truth, truth)
    assert mistake.startswith(named) if named else mistake == ""


def test_transposed_third_input_is_named():
    inputs, _, truth = point(X)
    flipped = np.concatenate([truth[0, :2], truth[0, 2:].reshape(2, 2).T.reshape(-1)])[None, :]
    assert name_mistake(CASE, {}, inputs, flipped, truth).startswith("transposed gradient: you returned (∇_X f)ᵀ")


def test_no_transpose_named_where_the_gradient_is_symmetric():
    inputs, _, truth = point(SYMMETRIC)
    assert name_mistake(CASE, {}, inputs, truth, truth) == ""


def test_non_finite_and_zero_answers():
    inputs, _, truth = point(X)
    assert name_mistake(CASE, {}, inputs, truth * np.nan, truth) == "your gradient has NaN or inf entries"
    assert name_mistake(CASE, {}, inputs, truth * 0, truth) == "your gradient is zero"
    assert name_mistake(CASE, {}, inputs, truth * 0, truth * 0) == ""


def test_order_words_at_the_boundaries():
    assert order_words(None).endswith("consistent")
    assert order_words(ORDER_CORRECT).endswith("≈ h²: consistent with f")
    assert order_words(ORDER_CORRECT - 0.01).endswith("slightly off")
    assert order_words(ORDER_WRONG).endswith("the gradient is wrong")
    assert order_words(ORDER_WRONG + 0.01).endswith("slightly off")


def test_observed_order_is_the_slope_over_the_smallest_steps():
    steps = [10.0 ** -k for k in range(2, 8)]
    assert observed_order([(h, 3 * h ** 2) for h in steps], 1.0) == pytest.approx(2.0, abs=1e-9)
    assert observed_order([(h, h) for h in steps], 1.0) == pytest.approx(1.0, abs=1e-9)
    assert observed_order([(h, 0.0) for h in steps], 1.0) is None


def test_judge_passes_the_right_gradient_and_names_the_transpose():
    inputs, ref, truth = point(X)
    right = judge(CASE, {}, inputs, answer(truth), ref, np.random.default_rng(1), "grad")
    assert right.ok and right.label == "grad" and right.digits >= 15 and right.order >= ORDER_CORRECT
    wrong = judge(CASE, {}, inputs, answer(truth, transpose=True), ref, np.random.default_rng(1), "grad")
    assert not wrong.ok and wrong.order <= ORDER_WRONG + 0.1 and wrong.mistake.startswith("transposed gradient")
    assert wrong.problem == wrong.mistake
    slightly = judge(CASE, {}, inputs, answer(truth * (1 + 1e-6)), ref, np.random.default_rng(1), "grad")
    assert not slightly.ok and slightly.mistake == ""
    assert slightly.problem == f"wrong gradient ({slightly.digits:.1f} correct digits, expected {MIN_DIGITS:g})"
    nan = judge(CASE, {}, inputs, answer(truth * np.nan), ref, np.random.default_rng(1), "grad")
    assert nan.problem == "your gradient has NaN or inf entries" and nan.order is None


def squared_image(o, x, A):
    return o.sum(o.matvec(A, x) * o.matvec(A, x))


DATA_CASE = Case(name="squared_image", fn=squared_image, make_inputs=lambda rng: {}, wrt=("x",), family="test",
                 source=__file__)


def test_a_transposed_data_matrix_is_named():
    """grad |Ax|^2 = 2 A^T A x; with A^T in its place a student gets 2 A A^T x."""
    A, x = np.array([[1.0, 2.0], [0.0, 3.0]]), np.array([0.5, -1.0])
    inputs = {"x": x, "A": A}
    truth = (2 * A.T @ A @ x)[None, :]
    swapped = (2 * A @ A.T @ x)[None, :]
    assert name_mistake(DATA_CASE, {}, inputs, swapped, truth) == "transposed matrix: you used Aᵀ where A belongs"
    assert name_mistake(DATA_CASE, {}, {"x": x, "A": A + A.T}, truth, truth) == ""


def test_answers_in_the_wrong_layout_are_shape_problems():
    from diffbench.check.compare import ShapeProblem, as_jacobian, expected_layout
    inputs, _, truth = point(X)
    good = as_jacobian(answer(truth), CASE, {}, inputs)
    np.testing.assert_array_equal(good, truth)
    assert expected_layout(CASE, {}, inputs) == "a tuple (d/da: a number, d/db: a number, d/dX: (2, 2))"
    with pytest.raises(ShapeProblem, match=r"expected a tuple \(d/da: a number.*got a tuple of 2"):
        as_jacobian(answer(truth)[:2], CASE, {}, inputs)
    with pytest.raises(ShapeProblem, match=r"d/dX has shape \(4,\), expected \(2, 2\)$"):
        as_jacobian((truth[0, 0], truth[0, 1], truth[0, 2:]), CASE, {}, inputs)
    with pytest.raises(ShapeProblem, match=r"the part for a is a str, expected shape \(\)"):
        as_jacobian(("one", truth[0, 1], truth[0, 2:].reshape(2, 2)), CASE, {}, inputs)
    x_inputs = {"x": np.array([0.5, -1.0, 2.0]), "A": np.eye(3)}
    assert expected_layout(DATA_CASE, {}, x_inputs) == "an array of shape (3,) (like x)"
    wide = Case(name="wide", fn=lambda o, X: o.sum(X * X), make_inputs=lambda rng: {}, wrt=("X",), family="test",
                source=__file__)
    with pytest.raises(ShapeProblem, match=r"shape \(3, 2\), expected \(2, 3\) \(transposed\?\)"):
        as_jacobian(np.zeros((3, 2)), wide, {}, {"X": np.ones((2, 3))})


def test_judge_reports_a_shape_problem_as_problem_and_mistake():
    inputs, ref, truth = point(X)
    verdict = judge(CASE, {}, inputs, answer(truth)[:2], ref, np.random.default_rng(1), "grad")
    assert not verdict.ok and verdict.problem == verdict.mistake
    assert verdict.problem.startswith("wrong shape: expected a tuple (d/da: a number")
