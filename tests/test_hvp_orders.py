"""Hessian-vector products two ways: forward-over-reverse (H v) and the lecture's reverse-over-reverse ∇(∇fᵀv)."""
import numpy as np
import pytest

from diffbench.ad import api
from diffbench.backends import FloatOps, MpOps
from diffbench.case import load_cases
from diffbench_cases.schwarz import schwarz

CASES = load_cases()


def both(f, base, primals, vectors):
    return api.hvp(f, base, primals, vectors), api.hvp_reverse(f, base, primals, vectors)


def test_sum_of_squares_gives_2v_exactly():
    x, v = np.array([0.3, -1.7]), np.array([2.0, 0.5])
    for hv in both(lambda o, z: o.sum(z * z), FloatOps(), [x], [v]):
        assert hv[0].tolist() == [4.0, 1.0]


def test_quadratic_form_gives_a_plus_a_transpose_exactly_in_mpmath():
    A = np.array([[1.0, 2.0, 0.5], [-3.0, 0.25, 1.0], [4.0, -1.5, 2.0]])   # not symmetric
    b = np.array([1.0, -2.0, 0.5])
    mp = MpOps(40)
    f = lambda o, x: o.dot(x, o.matvec(mp.asarray(A), x)) - o.dot(mp.asarray(b), x)
    x = mp.asarray(np.array([0.7, -0.2, 1.1]))
    for k in range(3):
        e = mp.asarray(np.eye(3)[k])
        for hv in both(f, mp, [x], [e]):
            np.testing.assert_array_equal(mp.to_float(hv[0]), (A + A.T)[:, k])


@pytest.mark.parametrize("name", ["log_quadratic_general", "logdet", "mds", "two_layer_tanh", "deep_sigmoid"])
def test_the_two_orders_agree_where_the_hessian_is_symmetric(name):
    case = CASES[name]
    params = case.params(case.sweep_values("quick")[0])
    inputs = case.inputs(0, params, 1)
    xs, data = case.split(inputs)
    f = case.bind(data, params)
    rng = np.random.default_rng(0)
    vectors = [rng.standard_normal(np.shape(x)) for x in xs]
    forward, reverse = both(f, FloatOps(), xs, vectors)
    flat_f = np.concatenate([np.ravel(h) for h in forward])
    flat_r = np.concatenate([np.ravel(h) for h in reverse])
    assert np.linalg.norm(flat_f - flat_r) <= 1e-13 * np.linalg.norm(flat_f)


def test_grad_grad_tanh_is_minus_two_tanh_sech_squared():
    """Lecture 004's fpp = grad(grad(tanh)), as the HVP of tanh along v = 1."""
    mp = MpOps(40)
    for value in ("-1.3", "0.2", "2.5"):
        x = mp.ctx.mpf(value)
        t = mp.ctx.tanh(x)
        expected = -2 * t * (1 - t * t)
        for hv in both(lambda o, z: o.tanh(z), mp, [x], [mp.ctx.mpf(1)]):
            assert abs(hv[0] - expected) < mp.ctx.mpf(10) ** -35


def test_at_schwarz_s_origin_both_orders_see_the_program_s_branch_not_the_iterated_limits():
    """The mixed partials of the formula at 0 are -1 and +1; the program, guarded at the origin, is locally the
    polynomial xy(x^2 - y^2), whose Hessian there is 0: both AD orders report that branch, and agree."""
    origin = [np.float64(0.0), np.float64(0.0)]
    for v in ([1.0, 0.0], [0.0, 1.0]):
        forward, reverse = both(schwarz, FloatOps(), origin, [np.float64(c) for c in v])
        assert [float(h) for h in forward] == [0.0, 0.0] == [float(h) for h in reverse]
