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
