"""Forward mode where a tangent is narrower than its output: a scalar input meeting a vector constant."""
import numpy as np

from diffbench.ad import api
from diffbench.backends import FloatOps

C = np.array([1.0, -2.0, 0.5])


def test_a_scalar_input_added_to_a_vector_gets_a_tangent_of_the_output_shape():
    """d/ds (s + c) = (1, 1, 1): the add rule's tangent is s's own (a scalar) and must be broadcast to (3,)."""
    value, tangent = api.jvp(lambda o, s: s + C, FloatOps(), [np.float64(0.25)], [np.float64(1.0)])
    assert np.shape(tangent) == (3,) and np.array_equal(tangent, np.ones(3))
    assert np.array_equal(value, 0.25 + C)
    jacobian = api.jacfwd(lambda o, s: s + C, FloatOps(), [np.float64(0.25)])
    assert jacobian.shape == (3, 1) and np.array_equal(jacobian[:, 0], np.ones(3))


def test_the_broadcast_tangent_keeps_its_scale_and_sign():
    """d/ds (c - 3 s) = (-3, -3, -3), d/ds exp(s) + c = e^s (1, 1, 1): the broadcast is of the rule's tangent."""
    jacobian = api.jacfwd(lambda o, s: C - 3.0 * s, FloatOps(), [np.float64(0.5)])
    assert np.array_equal(jacobian[:, 0], np.full(3, -3.0))
    jacobian = api.jacfwd(lambda o, s: o.exp(s) + C, FloatOps(), [np.float64(0.5)])
    assert np.allclose(jacobian[:, 0], np.full(3, np.exp(0.5)), rtol=1e-15, atol=0)
