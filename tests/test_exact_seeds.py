"""The AD transforms keep high-precision backends exact: their unit seeds are the backend's own numbers."""
import numpy as np
import pytest

from diffbench.ad import api
from diffbench.backends import MpOps


def mean_of(o, x):
    return o.sum(x) / 3          # the seed's 1 meets a division by an int before anything else


@pytest.mark.parametrize("transform", [api.jacrev, api.jacfwd])
def test_jacobian_of_a_mean_is_one_third_to_all_50_digits(transform):
    mp = MpOps(50)
    x = mp.asarray(np.array([0.5, -1.25, 2.0]))
    result = transform(mean_of, mp, [x])
    jacobian = result[0] if isinstance(result, tuple) else result
    third = mp.ctx.mpf(1) / 3
    for entry in np.asarray(jacobian).ravel():
        assert abs(entry - third) < mp.ctx.mpf(10) ** -49


def test_hessian_of_a_scaled_square_is_exact():
    mp = MpOps(50)
    x = mp.asarray(np.array([0.3, 0.7]))
    hessian = api.hessian(lambda o, v: o.sum(v * v) / 3, mp, [x])
    expected = mp.ctx.mpf(2) / 3
    assert abs(hessian[0, 0] - expected) < mp.ctx.mpf(10) ** -49
    assert abs(hessian[1, 1] - expected) < mp.ctx.mpf(10) ** -49
    assert hessian[0, 1] == 0
