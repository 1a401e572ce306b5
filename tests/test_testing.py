"""diffbench.testing and its pytest plugin: one-line gradient tests against the mpmath references."""
import numpy as np
import pytest

from diffbench.testing import assert_grad_close, assert_taylor_order, check_gradient

pytest_plugins = ["pytester"]


def grad_log_quadratic(x, A):
    return 2 * A @ x / (x @ A @ x)


def grad_log_quadratic_half(x, A):
    return A @ x / (x @ A @ x)


def bilinear(o, x, A, b):               # f(x) = <b, A x>, gradient A^T b
    return o.dot(b, o.matvec(A, x))


BILINEAR_POINTS = [{"x": [1.0, 2.0], "A": [[1.0, 2.0], [3.0, 4.0]], "b": [1.0, 2.0]}]


def test_correct_gradient_passes_against_a_case_by_name():
    assert_grad_close(grad_log_quadratic, "log_quadratic", points=2, rtol=1e-12)


def test_wrong_gradient_message_names_worst_point_digits_and_mistake():
    with pytest.raises(AssertionError) as failure:
        assert_grad_close(grad_log_quadratic_half, "log_quadratic", points=2)
    message = str(failure.value)
    assert "gradient of log_quadratic is wrong at n=" in message
    assert "0.3 correct digits, expected >= 8.0 (rtol=1e-08); worst of 4 points" in message  # log10(2) = 0.30
    assert "  x = [" in message and "  A = [" in message and "reference = " in message
    assert "likely mistake: missing factor 2" in message


def test_plain_ops_function_with_explicit_points_and_a_transposed_matrix():
    assert_grad_close(lambda x, A, b: A.T @ b, bilinear, points=BILINEAR_POINTS, wrt=("x",), rtol=1e-14)
    with pytest.raises(AssertionError, match="transposed matrix: you used Aᵀ where A belongs"):
        assert_grad_close(lambda x, A, b: A @ b, bilinear, points=BILINEAR_POINTS, wrt=("x",))


def test_wrong_shape_is_reported():
    with pytest.raises(AssertionError, match=r"wrong shape: d/dx has shape \(2, 1\), expected \(2,\)"):
        assert_grad_close(lambda x, A: grad_log_quadratic(x, A)[:, None], "log_quadratic", points=1)


def test_taylor_order_is_2_for_the_right_gradient_and_1_for_a_wrong_one():
    orders = assert_taylor_order(grad_log_quadratic, "log_quadratic", points=2)
    assert len(orders) == 4 and all(abs(order - 2) < 0.05 for order in orders)
    with pytest.raises(AssertionError, match=r"remainder ~ h\^1\.00 ≈ h, not h²: the gradient is wrong"):
        assert_taylor_order(grad_log_quadratic_half, "log_quadratic", points=1)


def test_taylor_order_of_a_published_derivative():
    # l_4'(0.2) = 9.0660864 (Baydin et al. 2018): a derivative off in the 4th digit still shows order < 2
    with pytest.raises(AssertionError, match="expected order >= 1.8"):
        assert_taylor_order(lambda x, n: 9.066, "logistic", points=[{"x": 0.2}], params={"n": 4})
    assert_taylor_order(lambda x, n: 9.0660864, "logistic", points=[{"x": 0.2}], params={"n": 4})


def test_unknown_case_name_is_a_clear_error():
    with pytest.raises(ValueError, match="no case named 'nope'"):
        check_gradient(grad_log_quadratic, "nope")


def test_pytest_plugin_gives_a_grad_check_fixture(pytester):
    pytester.makepyfile(test_course="""
        def grad_log_quadratic(x, A):
            return 2 * A @ x / (x @ A @ x)


        def test_right(grad_check):
            grad_check(grad_log_quadratic, "log_quadratic")


        def test_wrong(grad_check):
            grad_check(lambda x, A: -grad_log_quadratic(x, A), "log_quadratic")
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")   # the plugin comes from the pytest11 entry point
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*likely mistake: sign error*"])
