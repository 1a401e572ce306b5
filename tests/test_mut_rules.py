"""Rules-table edges the mpmath checks do not reach: broadcasting of a size-2 axis and of a scalar, abs at 0."""
import numpy as np

from diffbench.ad import api
from diffbench.backends import FloatOps


def test_vjp_sums_a_broadcast_axis_of_size_two():
    """x (1 x 3) + y (2 x 3): d sum((x + y) w) / dx sums w over the two rows."""
    w = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])

    def f(o, x, y):
        return o.sum((x + y) * w)
    jac, _ = api.jacrev(f, FloatOps(), [np.zeros((1, 3)), np.zeros((2, 3))])
    assert jac.shape == (1, 9)
    assert np.array_equal(jac[0, :3], [11.0, 22.0, 33.0]) and np.array_equal(jac[0, 3:], w.reshape(-1))


def test_vjp_sums_onto_a_scalar_factor():
    """f = a x (a a number, x a vector): df/da = sum of x."""
    def f(o, a, x):
        return o.sum(a * x)
    x = np.array([1.0, -4.0, 0.5])
    jac, _ = api.jacrev(f, FloatOps(), [np.array(2.0), x])
    assert jac.shape == (1, 4) and np.array_equal(jac[0], [-2.5, 2.0, 2.0, 2.0])
    assert np.array_equal(api.jacfwd(f, FloatOps(), [np.array(2.0), x]), jac)


def test_abs_has_derivative_zero_at_zero_in_both_modes():
    """The convention sign(0) = 0 (as ReLU'(0) = 0): |x|' at 0 is 0, not a division by sign(0)."""
    def f(o, x):
        return o.abs(x)
    x = np.array([0.0, -2.0, 3.0])
    reverse, _ = api.jacrev(f, FloatOps(), [x])
    forward = api.jacfwd(f, FloatOps(), [x])
    assert np.array_equal(reverse, np.diag([0.0, -1.0, 1.0])) and np.array_equal(forward, reverse)
