"""The certified reference: arb enclosures hold independent mpmath values, certify >= 30 digits on the seed
families, and certify fewer digits (never a false claim) where the computation is ill-conditioned."""
import math

import flint
import mpmath
import numpy as np
import pytest

from diffbench.ad import api
from diffbench.assemble import reference_columns
from diffbench.backends import ArbOps, MpOps
from diffbench.backends.arb import ball, radii
from diffbench.case import Case, load_cases, point_rng
from diffbench.reference import certified_digits, certified_jacobian, reference

CASES = load_cases()
# every seed family's cases at its smallest default size and one past 64 Jacobian entries (route 2 directional)
SEED_POINTS = [("logistic", 1), ("logistic", 8), ("log_quadratic", 2), ("log_quadratic", 10),
               ("log_quadratic_general", 10), ("logdet", 2), ("logdet", 5), ("logdet_general", 5),
               ("linear_minus_logdet", 5), ("mds", 5), ("mds", 50), ("mds_weighted", 5), ("trace_example", None)]


def mpmath_jacobian(case, params, inputs, dps):
    """The tape over mpmath numbers at `dps` digits: independent of FLINT's arithmetic."""
    mp = MpOps(dps)
    xs, data = case.split(inputs)
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    jacobian, _ = api.jacrev(f, mp, [mp.asarray(x) for x in xs])
    return jacobian


def seeded_inputs(name, value, point):
    case = CASES[name]
    params = case.params(value)
    return case, params, case.inputs(0, params, point)


@pytest.mark.parametrize("name,value", SEED_POINTS)
@pytest.mark.parametrize("point", [0, 1])
def test_enclosure_contains_the_mpmath_jacobian(name, value, point):
    case, params, inputs = seeded_inputs(name, value, point)
    certified = certified_jacobian(case, params, inputs, 50)
    assert certified is not None, "the seed families use only ops arb supports"
    truth = mpmath_jacobian(case, params, inputs, 100)
    balls = np.asarray(certified.jacobian, dtype=object)
    assert balls.shape == truth.shape
    with flint.ctx.workprec(400):
        outside = [(index, str(ball(b)), mpmath.nstr(t, 30)) for index, (b, t) in
                   enumerate(zip(balls.ravel(), truth.ravel())) if not ball(b).contains(flint.arb(t))]
    assert outside == []
    # and the balls are narrow: a wide ball would contain anything
    assert certified.digits >= 30


@pytest.mark.parametrize("name,value", SEED_POINTS)
def test_reference_certifies_at_least_30_digits_on_the_seed_families(name, value):
    case, params, inputs = seeded_inputs(name, value, 1)
    ref = reference(case, params, inputs, point_rng(0, name + "|reference", params, 1))
    assert ref["route1"] == "arb"
    assert ref["certified_digits"] >= 30
    assert ref["digits"] >= 30          # route 2 (mpmath's numerical differentiation) still agrees
    columns = reference_columns(ref)
    assert columns["ref_route1"] == "arb" and columns["ref_certified_digits"] == ref["certified_digits"]


def test_certified_digits_is_minus_log10_of_the_relative_radius():
    with flint.ctx.workprec(200):
        jacobian = np.array([flint.arb(3, 3e-40), flint.arb(4, 4e-40)], dtype=object)
        # ||rad|| = 5e-40, ||mid|| = 5: -log10(5e-40 / (5 - 5e-40)) = 40
        assert certified_digits(jacobian) == pytest.approx(40.0, abs=1e-9)
        assert certified_digits(np.array([flint.arb(1, 2)], dtype=object)) == 0.0   # 0 inside the ball
        assert math.isnan(certified_digits(np.array([flint.arb(-1).log()], dtype=object)))


def cancellation_case(x0):
    """f(x) = (e^x - 1 - x) / x^3 near 0: f' = (e^x (x - 3) + 2x + 3) / x^4 loses ~4 log10(1/x) digits."""
    return Case(name="cancellation", fn=lambda o, x: (o.exp(x) - 1 - x) / x ** 3,
                make_inputs=lambda rng: {"x": np.array([x0])}, wrt=("x",))


def exact_cancellation_derivative(x0, dps=300):
    ctx = mpmath.MPContext()
    ctx.dps = dps
    x = ctx.mpf(x0)
    return (ctx.exp(x) * (x - 3) + 2 * x + 3) / x ** 4


def midpoint_error(value, exact) -> float:
    """|mid - exact| / |exact| of a ball, computed at 2000 bits."""
    with flint.ctx.workprec(2000):
        truth = flint.arb(exact)
        return float((abs(ball(value).mid() - truth) / abs(truth)).mid())


def test_ill_conditioned_case_certifies_fewer_digits_and_they_hold():
    """At a fixed precision (no doubling) the cancellation near 0 costs digits; the digits claimed are true."""
    well = certified_jacobian(cancellation_case(0.5), {}, {"x": np.array([0.5])}, 50, steps=0)
    ill = certified_jacobian(cancellation_case(1e-15), {}, {"x": np.array([1e-15])}, 50, steps=0)
    assert well.bits == ill.bits
    assert well.digits >= 45
    assert 0 < ill.digits < 30      # ~30 of 199 bits' ~60 digits are lost to cancellation: fewer claimed
    for x0, certified in ((0.5, well), (1e-15, ill)):
        exact = exact_cancellation_derivative(x0)
        assert midpoint_error(certified.jacobian[0, 0], exact) <= 10 ** -certified.digits   # the claim holds
        with flint.ctx.workprec(1200):
            assert ball(certified.jacobian[0, 0]).contains(flint.arb(exact))


def test_precision_is_raised_until_the_digits_are_certified():
    case, inputs = cancellation_case(1e-6), {"x": np.array([1e-6])}
    adaptive = certified_jacobian(case, {}, inputs, 50)
    assert adaptive.bits > certified_jacobian(case, {}, inputs, 50, steps=0).bits
    assert adaptive.digits >= 50
    assert midpoint_error(adaptive.jacobian[0, 0], exact_cancellation_derivative(1e-6)) <= 1e-50


def test_at_the_precision_limit_only_the_enclosed_digits_are_claimed():
    """x = 1e-50 loses ~100 digits: 199 bits certify nothing, one doubling (398 bits) only part of 50 digits;
    that part is what is claimed, and it holds. With no doubling at all nothing is claimed: mpmath takes over."""
    case, inputs = cancellation_case(1e-50), {"x": np.array([1e-50])}
    limited = certified_jacobian(case, {}, inputs, 50, steps=1)
    exact = exact_cancellation_derivative(1e-50)
    assert limited.bits == 398
    assert 5 < limited.digits < 30
    assert midpoint_error(limited.jacobian[0, 0], exact) <= 10 ** -limited.digits
    with flint.ctx.workprec(2000):
        assert ball(limited.jacobian[0, 0]).contains(flint.arb(exact))
    assert certified_jacobian(case, {}, inputs, 50, steps=0) is None


def test_ops_arb_cannot_decide_fall_back_to_mpmath_and_say_so():
    where_case = Case(name="where_gate", fn=lambda o, z: o.sum(o.where(z > 0, z * z, -z)),
                      make_inputs=lambda rng: {"z": np.array([0.5, -0.25])}, wrt=("z",))
    inputs = {"z": np.array([0.5, -0.25])}
    assert certified_jacobian(where_case, {}, inputs, 50) is None
    ref = reference(where_case, {}, inputs, np.random.default_rng(0))
    assert ref["route1"] == "mpmath" and math.isnan(ref["certified_digits"])
    np.testing.assert_allclose(ref["hi"], [[1.0, -1.0]], rtol=0, atol=0)
    assert ref["digits"] >= 30
    columns = reference_columns(ref)
    assert columns["ref_route1"] == "mpmath" and math.isnan(columns["ref_certified_digits"])


def test_kink_is_still_found_with_arb_as_route_one():
    """|z| at z = 0 (abs runs on arb: sgn(0) = 0): the kink detection of the reference keeps working."""
    kinked = Case(name="abs_sum", fn=lambda o, z: o.sum(o.abs(z)), make_inputs=lambda rng: {"z": np.zeros(2)},
                  wrt=("z",))
    ref = reference(kinked, {}, {"z": np.array([0.0, 2.0])}, np.random.default_rng(0))
    assert ref["route1"] == "arb" and ref["kink"]
    assert ref["kink_mask"].tolist() == [[True, False]]
    np.testing.assert_array_equal(ref["kink_left"], [[-1.0, 1.0]])
    np.testing.assert_array_equal(ref["kink_right"], [[1.0, 1.0]])


def test_arb_backend_values_match_mpmath_on_the_vocabulary():
    arb, mp = ArbOps(200), MpOps(60)
    x = np.array([0.3, 1.7])
    A = np.array([[2.0, 0.5], [0.25, 3.0]])
    with arb.working():
        X, M = arb.asarray(x), arb.asarray(A)
        got = [arb.exp(X), arb.log(X), arb.sin(X), arb.cos(X), arb.tanh(X), arb.sqrt(X), arb.dot(X, X),
               arb.matvec(M, X), arb.matmul(M, M), arb.inv(M), arb.logdet(M), arb.sum(M, axis=0),
               arb.const(0.1) * X]
        assert max(radii(np.concatenate([np.ravel(np.asarray(g, dtype=object)) for g in got]))) < 1e-55
    Xm, Mm = mp.asarray(x), mp.asarray(A)
    want = [mp.exp(Xm), mp.log(Xm), mp.sin(Xm), mp.cos(Xm), mp.tanh(Xm), mp.sqrt(Xm), mp.dot(Xm, Xm),
            mp.matvec(Mm, Xm), mp.matmul(Mm, Mm), mp.inv(Mm), mp.logdet(Mm), mp.sum(Mm, axis=0),
            mp.const(0.1) * Xm]
    with flint.ctx.workprec(300):
        for g, w in zip(got, want):
            for b, v in zip(np.ravel(np.asarray(g, dtype=object)), np.ravel(np.asarray(w, dtype=object))):
                assert ball(b).overlaps(flint.arb(v, abs(v) * mpmath.mpf(10) ** -58))


def test_certified_digits_survive_exponents_beyond_float64():
    """Entries ~1e-300 with radii ~1e-340: float64 would underflow the radius to 0 and claim every digit."""
    with flint.ctx.workprec(200):
        tiny = np.array([flint.arb(flint.arb(10) ** -300, flint.arb(10) ** -340)], dtype=object)
        assert certified_digits(tiny) == pytest.approx(40.0, abs=1e-6)
        huge = np.array([flint.arb(flint.arb(10) ** 400, flint.arb(10) ** 380)], dtype=object)
        assert certified_digits(huge) == pytest.approx(20.0, abs=1e-6)


def test_matmul_mp_is_the_product_to_the_contexts_precision():
    """J v of route 1 in arb_mat: against mpmath's own sums at twice the digits (an independent route)."""
    from diffbench.backends.arb import matmul_mp
    rng = np.random.default_rng(3)
    ctx = mpmath.MPContext()
    ctx.dps = 50
    a = np.array([[ctx.mpf(v) / 3 for v in row] for row in rng.standard_normal((2, 300))], dtype=object)
    b = rng.standard_normal((300, 3))
    found = matmul_mp(ctx, a, b)
    fine = mpmath.MPContext()
    fine.dps = 100
    for i in range(2):
        for j in range(3):
            exact = fine.fsum(fine.mpf(a[i, k]) * fine.mpf(float(b[k, j])) for k in range(300))
            assert isinstance(found[i, j], type(ctx.mpf(1)))
            assert abs(fine.mpf(found[i, j]) - exact) <= abs(exact) * fine.mpf(2) ** (1 - ctx.prec)
