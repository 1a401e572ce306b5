"""Lecture 004's chain rule through two layers, and the depth-t sigmoid network, against mpmath closed forms."""
import mpmath
import numpy as np
import pytest

from diffbench.case import load_cases
from diffbench.methods import METHODS
from diffbench.methods.analytic import analytic_jacobian
from diffbench.reference import reference
from diffbench.scoring import score

CASES = load_cases()


def test_neuron_chain_at_its_canonical_point_by_the_lecture_products():
    ctx = mpmath.MPContext()
    ctx.dps = 40
    w_L, b_L, w_prev, b_prev, a2 = (ctx.mpf(v) for v in ("1.5", "-0.5", "0.8", "0.1", "0.6"))
    sigma = lambda z: 1 / (1 + ctx.exp(-z))
    a_prev = sigma(w_prev * a2 + b_prev)
    a_L = sigma(w_L * a_prev + b_L)
    dC_da_L = 2 * (a_L - 1)                       # dC0/da^(L)
    da_dz_L = a_L * (1 - a_L)                     # sigma'(z^(L))
    dC_da_prev = dC_da_L * da_dz_L * w_L          # dz^(L)/da^(L-1) = w^(L)
    dC_dz_prev = dC_da_prev * a_prev * (1 - a_prev)
    expected = [float(v) for v in (dC_da_L * da_dz_L * a_prev, dC_da_L * da_dz_L, dC_dz_prev * a2, dC_dz_prev,
                                   dC_dz_prev * w_prev)]
    case = CASES["neuron_chain"]
    inputs = case.inputs(0, {}, 0)
    ref = reference(case, {}, inputs, np.random.default_rng(0))
    np.testing.assert_allclose(ref["hi"][0], expected, rtol=1e-15)
    for method in ("analytic", "tape_reverse", "tape_forward", "torch", "sympy"):
        jacobian = METHODS[method].run(case, {}, [inputs], np.random.default_rng(0))[0].jacobian
        np.testing.assert_allclose(jacobian[0], expected, rtol=1e-13, err_msg=method)


@pytest.mark.parametrize("depth", [4, 6, 8])
def test_deep_sigmoid_backprop_matches_the_reference(depth):
    case = CASES["deep_sigmoid"]
    params = case.params(depth)
    for point in range(case.points):
        inputs = case.inputs(0, params, point)
        assert inputs["W_hidden"].shape == (depth - 2, 4, 4) and inputs["X"].shape == (5, 3)
        ref = reference(case, params, inputs, np.random.default_rng(point))
        assert ref["digits"] >= 30
        assert score(analytic_jacobian(case, params, inputs), ref["hi"], ref["lo"])["rel_error"] <= 1e-13
        for method in ("tape_reverse", "torch"):
            jacobian = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))[0].jacobian
            assert score(jacobian, ref["hi"], ref["lo"])["rel_error"] <= 1e-13, method


def test_deep_sigmoid_rejects_a_depth_below_three():
    with pytest.raises(ValueError, match="depth=2"):
        CASES["deep_sigmoid"].inputs(0, {"depth": 2}, 0)
