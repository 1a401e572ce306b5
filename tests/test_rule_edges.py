"""Edges the rules table's random-input checks do not reach: ties of amax, indexing of dual numbers, reported steps."""
import numpy as np
import pytest

from diffbench.ad import api
from diffbench.backends import FloatOps
from diffbench.case import Case
from diffbench.methods import METHODS


def test_amax_shares_the_gradient_equally_between_ties():
    x = np.array([1.0, 3.0, 3.0, -2.0])
    (reverse,) = api.grad(lambda o, v: o.amax(v), FloatOps(), [x])
    np.testing.assert_array_equal(reverse, [0.0, 0.5, 0.5, 0.0])
    _, tangent = api.jvp(lambda o, v: o.amax(v), FloatOps(), [x], [np.array([0.0, 1.0, 3.0, 5.0])])
    assert tangent == pytest.approx(2.0)                    # the mean of the tied entries' tangents
    rows = np.array([[2.0, 2.0, 2.0], [0.0, 1.0, -1.0]])
    (per_row,) = api.grad(lambda o, v: o.sum(o.amax(v, axis=1)), FloatOps(), [rows])
    np.testing.assert_allclose(per_row, [[1 / 3, 1 / 3, 1 / 3], [0.0, 1.0, 0.0]], rtol=1e-15)


def test_indexing_a_dual_number_carries_its_tangent():
    """f(x) = sum(x[1:] x[:-1]): forward mode through the [] operator, against the closed form."""
    x = np.array([0.5, -1.0, 2.0, 3.0])
    f = lambda o, v: o.sum(v[1:] * v[:-1])                  # noqa: E731
    expected = np.array([x[1], x[0] + x[2], x[1] + x[3], x[2]])
    for k in range(x.size):
        _, tangent = api.jvp(f, FloatOps(), [x], [np.eye(x.size)[k]])
        assert tangent == pytest.approx(expected[k], rel=1e-15)


def test_complex_step_reports_its_rule_step():
    case = Case(name="cubic", fn=lambda o, x: o.sum(x * x * x), make_inputs=lambda rng: {"x": rng.normal(size=3)},
                wrt=("x",), family="test", source=__file__)
    inputs = {"x": np.array([0.5, -4.0, 30.0])}
    (result,) = METHODS["complex_step"].run(case, {}, [inputs], np.random.default_rng(0))
    assert result.extra["step_h"] == pytest.approx(4e-20, rel=1e-15)   # median of 1e-20 max(1, |x_i|)
    assert result.extra["n_func_evals"] == 3 and result.setup_time_s == 0.0
    np.testing.assert_allclose(result.jacobian[0], 3 * inputs["x"] ** 2, rtol=1e-15)
