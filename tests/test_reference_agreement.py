"""How many digits two reference routes agree to: closed forms, and NaN never counted as agreement."""
import math

import numpy as np
import pytest

from diffbench.assemble import reference_columns
from diffbench.backends.mp import MpOps
from diffbench.reference import agreement_digits, reference
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS

mp = MpOps(50)


def _array(*values):
    return np.array([mp.ctx.mpf(v) for v in values], dtype=object)


def test_agreement_is_minus_log10_of_the_relative_difference():
    a = _array(1) + mp.ctx.mpf("1e-20")
    assert agreement_digits(mp, a, _array(1), 50) == pytest.approx(20.0, abs=1e-9)
    a, b = _array(3, 4), _array(3, 4) + _array("3e-31", "4e-31")     # |a - b| / |b| = 5e-31 / 5
    assert agreement_digits(mp, a, b, 50) == pytest.approx(31.0, abs=1e-9)
    assert agreement_digits(mp, _array(2, 5), _array(2, 5), 50) == 50.0


@pytest.mark.parametrize("a, b", [(("nan", 2), (1, 2)), ((1, 2), ("nan", 2)), (("nan",), ("nan",)),
                                  (("inf",), ("inf",)), ((0,), ("nan",))])
def test_a_nan_route_agrees_to_no_digits(a, b):
    digits = agreement_digits(mp, _array(*a), _array(*b), 50)
    assert math.isnan(digits)
    assert reference_columns({"digits": digits, "route2": "componentwise"})["ref_flagged"] is True


def test_flagging_follows_the_required_digits():
    for digits, flagged in ((REFERENCE_AGREEMENT_DIGITS + 0.5, False), (REFERENCE_AGREEMENT_DIGITS - 0.5, True)):
        assert reference_columns({"digits": digits, "route2": "componentwise"})["ref_flagged"] is flagged


@pytest.mark.parametrize("route1", ["auto", "mpmath"])
def test_a_point_outside_the_domain_is_named_not_a_conversion_error(route1):
    """log at x = -1: ball arithmetic gives NaN, mpmath a complex number; either way the reference says why."""
    from diffbench.case import Case
    case = Case.from_function(lambda o, x: o.log(x), inputs={"x": -1.0})
    with pytest.raises(ArithmeticError, match="outside the function's domain"):
        reference(case, {}, {"x": np.array(-1.0)}, np.random.default_rng(0), route1=route1)
