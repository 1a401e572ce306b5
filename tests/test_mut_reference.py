"""The reference and the float64 floor on small cases with closed-form Jacobians, precisions and digits."""
import math

import flint
import mpmath
import numpy as np
import pytest

from diffbench import floor, reference
from diffbench.backends import MpOps
from diffbench.case import Case

U = 2.0 ** -53


def case_of(fn, wrt=("x",)):
    return Case("mut_" + fn.__name__, fn, lambda rng: {}, wrt)


def third(o, x):
    return x[0] / 3 + x[1] * x[1]


def test_start_bits_are_the_digits_in_bits_plus_guard_bits():
    assert reference.start_bits(50) == 167 + 32 and reference.start_bits(15) == 50 + 32


def test_certified_digits_of_balls():
    balls = np.array([flint.arb(3, 0.003), flint.arb(4, 0.004)], dtype=object)
    # ||rad|| / (||mid|| - ||rad||) = 0.005 / 4.995
    assert reference.certified_digits(balls) == pytest.approx(-math.log10(0.005 / 4.995), abs=1e-9)
    assert reference.certified_digits(np.array([flint.arb(3), flint.arb(-4)], dtype=object)) == math.inf
    assert reference.certified_digits(np.array([flint.arb(0.001, 0.01)], dtype=object)) == 0.0
    assert math.isnan(reference.certified_digits(np.array([flint.arb("inf")], dtype=object)))


def test_certified_jacobian_at_the_first_precision():
    certified = reference.certified_jacobian(case_of(third), {}, {"x": np.array([1.0, 0.5])}, dps=50)
    assert certified.bits == reference.start_bits(50) and certified.digits == 50.0
    mids = [float(b.mid()) for b in np.asarray(certified.jacobian, dtype=object).ravel()]
    assert mids == [1 / 3, 1.0]
    assert float(np.asarray(certified.value, dtype=object).reshape(-1)[0].mid()) == pytest.approx(1 / 3 + 0.25)


def cancelling(o, x, c):
    return x * ((x + c) - c)       # d/dx = 2x, but (x + c) - c keeps x only at more than 300 bits


def test_certified_jacobian_doubles_its_precision_until_certified():
    case = Case("mut_cancel", cancelling, lambda rng: {}, ("x",))
    inputs = {"x": np.array(1.5), "c": np.array(2.0 ** 300)}
    certified = reference.certified_jacobian(case, {}, inputs, dps=50)
    assert certified.bits == 2 * reference.start_bits(50) and certified.digits == 50.0
    assert float(np.asarray(certified.jacobian, dtype=object).ravel()[0].mid()) == 3.0
    assert reference.certified_jacobian(case, {}, inputs, dps=50, steps=0) is None


def test_exact_jacobian_routes():
    mp = MpOps(50)
    inputs = {"x": np.array([1.0, 0.5])}
    jac, value, tape, route, digits = reference.exact_jacobian(case_of(third), {}, inputs, mp)
    assert route == "arb" and digits == 50.0 and tape.trace_length > 0
    one = mp.ctx.mpf(1)
    assert abs(jac[0, 0] - one / 3) < mp.ctx.mpf(10) ** -49 and jac[0, 1] == 1
    jac, value, tape, route, digits = reference.exact_jacobian(case_of(third), {}, inputs, mp, route1="mpmath")
    assert route == "mpmath" and math.isnan(digits)
    assert abs(jac[0, 0] - one / 3) < mp.ctx.mpf(10) ** -49
    assert abs(np.asarray(value, dtype=object).reshape(-1)[0] - (one / 3 + one / 4)) < mp.ctx.mpf(10) ** -49


def log_of(o, x):
    return o.log(x)


@pytest.mark.parametrize("route1, words", [("auto", "not finite in ball arithmetic"),
                                           ("mpmath", "not a finite real number")])
def test_exact_jacobian_outside_the_domain_says_so(route1, words):
    with pytest.raises(ArithmeticError, match=words):
        reference.exact_jacobian(case_of(log_of), {}, {"x": np.array([-1.0])}, MpOps(30), route1=route1)


def test_reference_is_a_double_double_with_both_routes_agreeing():
    ref = reference.reference(case_of(third), {}, {"x": np.array([1.0, 0.5])}, np.random.default_rng(0))
    assert ref["route1"] == "arb" and ref["route2"] == "componentwise" and ref["certified_digits"] == 50.0
    assert ref["hi"][0, 0] == 1 / 3 and ref["hi"][0, 1] == 1.0 and ref["lo"][0, 1] == 0.0
    with mpmath.workdps(60):
        lo = float(mpmath.mpf(1) / 3 - mpmath.mpf(1 / 3))
    assert lo != 0 and ref["lo"][0, 0] == pytest.approx(lo, rel=1e-15, abs=0)
    assert ref["digits"] > 40 and ref["value"] == pytest.approx(1 / 3 + 0.25, rel=1e-15, abs=0) and ref["kink"] is False


def test_reference_of_many_entries_follows_three_seeded_directions():
    def squares(o, x):
        return o.sum(x * x)
    x = np.linspace(-1.0, 1.0, 65)
    ref = reference.reference(case_of(squares), {}, {"x": x}, np.random.default_rng(0))
    assert ref["route2"] == "directional k=3" and ref["digits"] > 40
    assert np.array_equal(ref["hi"][0], 2 * x)


def test_reference_over_mpmath_where_balls_cannot_compare():
    def top(o, x):
        return o.amax(x * x)
    ref = reference.reference(case_of(top), {}, {"x": np.array([0.5, -2.0, 1.0])}, np.random.default_rng(0))
    assert ref["route1"] == "mpmath" and math.isnan(ref["certified_digits"]) and ref["digits"] > 40
    assert np.array_equal(ref["hi"][0], [0.0, -4.0, 0.0])


def test_reference_at_a_kink_compares_the_smooth_entries():
    def kinked(o, x):
        return o.abs(x[0]) + 3 * x[1]
    ref = reference.reference(case_of(kinked), {}, {"x": np.array([0.0, 2.0])}, np.random.default_rng(0))
    assert ref["kink"] is True and ref["digits"] > 40
    assert np.array_equal(ref["kink_mask"], [[True, False]])
    assert ref["kink_left"][0, 0] == -1.0 and ref["kink_right"][0, 0] == 1.0 and ref["kink_right"][0, 1] == 3.0
    assert "rule_between" not in ref


def test_agreement_digits():
    mp = MpOps(30)
    a = np.array([mp.ctx.mpf(1), mp.ctx.mpf(2)], dtype=object)
    assert reference.agreement_digits(mp, a, a.copy(), 30) == 30.0
    b = np.array([mp.ctx.mpf(1), mp.ctx.mpf(2) + mp.ctx.mpf("1e-10")], dtype=object)
    expected = -math.log10(1e-10 / math.sqrt(1 + (2 + 1e-10) ** 2))
    assert reference.agreement_digits(mp, a, b, 30) == pytest.approx(expected, rel=1e-12, abs=0)
    assert reference.agreement_digits(mp, a, b, 5) == 5.0
    zero = np.array([mp.ctx.mpf(0), mp.ctx.mpf(0)], dtype=object)
    assert reference.agreement_digits(mp, b - a, zero, 30) == pytest.approx(10.0, rel=1e-12, abs=0)
    nan = np.array([mp.ctx.nan, mp.ctx.mpf(0)], dtype=object)
    assert math.isnan(reference.agreement_digits(mp, nan, a, 30))
    assert math.isnan(reference.agreement_digits(mp, a, nan, 30))


# the float64 floor

def test_mp_strings_keep_fifty_significant_digits():
    mp = MpOps(60)
    strings = floor.mp_strings(mp.ctx, np.array([[mp.ctx.mpf(1) / 4, mp.ctx.mpf(1) / 3]], dtype=object))
    assert strings == ["0." + "25" + "0" * 48, "0." + "3" * 50]
    assert floor.mp_strings(mp.ctx, [mp.ctx.mpf(1) / 3], digits=5) == ["0.33333"]


def plus(o, x):
    return o.sum(x)


def test_f_digits_of_the_float_code():
    mp = MpOps(50)
    exact = mp.ctx.mpf(1) + mp.ctx.mpf(2) ** -30
    inputs = {"x": np.array([1.0, 2.0 ** -30])}
    assert floor.f_digits(case_of(plus), {}, inputs, [exact], mp) == 17.0
    off = exact + mp.ctx.mpf("1e-10")
    assert floor.f_digits(case_of(plus), {}, inputs, [off], mp) == pytest.approx(-math.log10(1e-10 / float(off)),
                                                                                 rel=1e-9, abs=0)
    # f = 1 + 2^-60 - 1 cancels to 0 in float64: no correct digit
    lost = {"x": np.array([1.0, 2.0 ** -60, -1.0])}
    assert floor.f_digits(case_of(plus), {}, lost, [mp.ctx.mpf(2) ** -60], mp) == 0.0
    # an exact value 0: the absolute error 0.5 of the float value
    assert floor.f_digits(case_of(plus), {}, {"x": np.array([0.5])}, [mp.ctx.mpf(0)], mp) == pytest.approx(
        -math.log10(0.5), rel=1e-12, abs=0)


def test_f_digits_of_float_code_that_overflows_or_raises_is_zero():
    def big(o, x):
        return o.exp(x)

    def raising(o, x):
        raise ValueError("float code failed")
    mp = MpOps(30)
    assert floor.f_digits(case_of(big), {}, {"x": np.array(1000.0)}, [mp.ctx.exp(1000)], mp) == 0.0
    assert floor.f_digits(case_of(raising), {}, {"x": np.array(1.0)}, [mp.ctx.mpf(1)], mp) == 0.0


def near_pole(o, x, c):
    return x / (c - 1)             # J = 1 / (c - 1): relative change c u / (c - 1) when c moves by c u


def test_attainable_digits_perturb_every_input_including_data():
    mp = MpOps(50)
    c = 1 + 2.0 ** -26
    case = Case("mut_pole", near_pole, lambda rng: {}, ("x",))
    inputs = {"x": np.array([2.0]), "c": np.array(c)}
    jacobian = floor.exact_jacobian(case, {}, {k: mp.asarray(v) for k, v in inputs.items()}, mp)[0]
    digits = floor.attainable_digits(case, {}, inputs, jacobian, mp, np.random.default_rng(0))
    assert digits == pytest.approx(-math.log10(c * U / (c - 1)), abs=1e-6)


def test_attainable_digits_of_a_well_conditioned_point_are_the_unit_roundoff():
    def square(o, x):
        return o.sum(x * x)
    mp = MpOps(50)
    inputs = {"x": np.array([0.3, -2.0])}
    jacobian = floor.exact_jacobian(case_of(square), {}, {"x": mp.asarray(inputs["x"])}, mp)[0]
    rng = np.random.default_rng(5)
    assert floor.attainable_digits(case_of(square), {}, inputs, jacobian, mp, rng) == pytest.approx(-math.log10(U))
    replay = np.random.default_rng(5)
    for _ in range(floor.FLOOR_DIRECTIONS):          # three seeded sign vectors, no more
        replay.choice((-1.0, 1.0), size=(2,))
    assert rng.random() == replay.random()


@pytest.mark.parametrize("entries, directions", [(1000, 3), (1001, 1)])
def test_attainable_digits_use_one_direction_above_1000_entries(entries, directions):
    def linear(o, x):
        return o.sum(x)
    mp = MpOps(20)
    inputs = {"x": np.ones(entries)}
    jacobian = np.array([[mp.ctx.mpf(1)] * entries], dtype=object)
    rng = np.random.default_rng(2)
    floor.attainable_digits(case_of(linear), {}, inputs, jacobian, mp, rng)
    replay = np.random.default_rng(2)
    for _ in range(directions):
        replay.choice((-1.0, 1.0), size=(entries,))
    assert rng.random() == replay.random()


def test_point_floor_of_a_small_case():
    result = floor.point_floor(case_of(third), {}, {"x": np.array([1.0, 0.5])}, seed=1, point=0)
    assert result["f_ref"] == ["0.58" + "3" * 48]
    assert result["jacobian_ref"][1] == "1." + "0" * 49 and result["jacobian_ref"][0].startswith("0.3333333333")
    assert result["jacobian_shape"] == [1, 2]
    with mpmath.workdps(60):
        float_error = abs(mpmath.mpf(1 / 3 + 0.25) - mpmath.mpf(7) / 12) / (mpmath.mpf(7) / 12)
    assert result["attainable_digits"] == pytest.approx(-math.log10(U))
    assert result["f_digits"] == pytest.approx(-math.log10(float(float_error)), rel=1e-12, abs=0)


def test_attainable_digits_of_a_zero_jacobian_use_the_absolute_change():
    def flat(o, x):
        return o.sum(x * 0.0) + 1.0
    mp = MpOps(30)
    inputs = {"x": np.array([0.5, 2.0])}
    jacobian = floor.exact_jacobian(case_of(flat), {}, {"x": mp.asarray(inputs["x"])}, mp)[0]
    assert floor.attainable_digits(case_of(flat), {}, inputs, jacobian, mp, np.random.default_rng(0)) == \
        pytest.approx(-math.log10(U), rel=1e-12, abs=0)


def test_f_digits_of_a_vector_f_without_floating_point_warnings():
    import warnings

    def pair(o, x):
        return o.exp(x)
    mp = MpOps(30)
    exact = [mp.ctx.exp(1000), mp.ctx.exp(mp.ctx.mpf(0.5))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert floor.f_digits(case_of(pair), {}, {"x": np.array([1000.0, 0.5])}, exact, mp) == 0.0
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    # two finite outputs, the second off by 1e-12 relative: digits of the vector's 2-norm error
    exact = [mp.ctx.exp(mp.ctx.mpf(0.25)), mp.ctx.exp(mp.ctx.mpf(0.5)) * (1 + mp.ctx.mpf("1e-12"))]
    digits = floor.f_digits(case_of(pair), {}, {"x": np.array([0.25, 0.5])}, exact, mp)
    expected = -math.log10(1e-12 * math.exp(0.5) / math.sqrt(math.exp(0.5) + math.exp(1.0)))
    assert digits == pytest.approx(expected, rel=1e-3, abs=0)


def gap(o, x):
    return (x[0] - x[1]) ** 2 / 2        # J = (d, -d), d = x0 - x1: relative change u (x0 + x1) / d unless signs agree


def test_point_floor_draws_its_signs_from_the_case_floor_stream():
    """Seed 10 of "mut_gap|floor" gives three sign vectors with equal signs, so d moves by u d only."""
    case = Case("mut_gap", gap, lambda rng: {}, ("x",))
    x = np.array([1.0, 1.0 - 2.0 ** -20])
    assert floor.point_floor(case, {}, {"x": x}, seed=10, point=0)["attainable_digits"] == pytest.approx(
        -math.log10(U), rel=1e-9, abs=0)
    # a stream with unequal signs: d moves by u (x0 + x1), about 2^21 u relative
    unequal = floor.attainable_digits(case, {}, {"x": x}, floor.exact_jacobian(
        case, {}, {"x": MpOps(50).asarray(x)}, MpOps(50))[0], MpOps(50), np.random.default_rng(1))
    assert unequal == pytest.approx(-math.log10(U * (2 - 2.0 ** -20) / 2.0 ** -20), rel=1e-6, abs=0)


def edge(o, x):
    return o.log((x - 1) * 2.0 ** 53 - 1)     # at x = 1 + 2^-52 the argument is 1; at x (1 - u) it is negative


def test_point_floor_where_a_perturbed_point_leaves_the_domain_has_no_attainable_digits():
    case = Case("mut_edge", edge, lambda rng: {}, ("x",))
    result = floor.point_floor(case, {}, {"x": np.array(1.0 + 2.0 ** -52)}, seed=10, point=0)
    assert math.isnan(result["attainable_digits"]) and result["jacobian_ref"][0].startswith("9007199254740992")


def test_reference_of_a_vector_f_agrees_to_every_digit():
    def cube(o, x):
        return x * x * x
    x = np.array([1.0, 0.5, -2.0])
    ref = reference.reference(case_of(cube), {}, {"x": x}, np.random.default_rng(0))
    assert ref["route1"] == "arb" and ref["route2"] == "componentwise" and ref["digits"] == 50.0
    assert np.array_equal(ref["hi"], np.diag(3 * x * x)) and ref["value"] == 1.0


def test_reference_on_the_mpmath_route_when_asked_and_with_data():
    def scaled_top(o, x, c):
        return o.amax(c * x)
    case = Case("mut_top", scaled_top, lambda rng: {}, ("x",))
    ref = reference.reference(case, {}, {"x": np.array([0.5, 2.0]), "c": np.array(3.0)}, np.random.default_rng(0))
    assert ref["route1"] == "mpmath" and np.array_equal(ref["hi"][0], [0.0, 3.0]) and ref["digits"] > 40
    asked = reference.reference(case_of(third), {}, {"x": np.array([1.0, 0.5])}, np.random.default_rng(0),
                                route1="mpmath")
    assert asked["route1"] == "mpmath" and math.isnan(asked["certified_digits"]) and asked["digits"] > 40


@pytest.mark.parametrize("n, route2", [(64, "componentwise"), (65, "directional k=3")])
def test_route_two_is_componentwise_up_to_64_entries(n, route2):
    def squares(o, x):
        return o.sum(x * x)
    ref = reference.reference(case_of(squares), {}, {"x": np.linspace(0.5, 1.5, n)}, np.random.default_rng(0))
    assert ref["route2"] == route2


@pytest.mark.parametrize("route1, message", [
    ("auto", "f or its derivative is not finite in ball arithmetic at this point "
             "(is the point outside the function's domain?)"),
    ("mpmath", "f or its derivative is not a finite real number at this point in high precision "
               "(is the point outside the function's domain?)")])
def test_exact_jacobian_outside_the_domain_message(route1, message):
    with pytest.raises(ArithmeticError) as error:
        reference.exact_jacobian(case_of(log_of), {}, {"x": np.array([-1.0])}, MpOps(30), route1=route1)
    assert str(error.value) == message


@pytest.mark.parametrize("route1", ["auto", "mpmath"])
def test_a_division_by_zero_is_named_not_an_empty_zero_division_error(route1):
    # x / (x - x): ball arithmetic gives NaN and hands over to mpmath, whose ZeroDivisionError has no message
    def over_zero(o, x):
        return o.sum(x * x / (x - x))
    with pytest.raises(ArithmeticError) as error:
        reference.exact_jacobian(case_of(over_zero), {}, {"x": np.array([0.5, 2.0])}, MpOps(30), route1=route1)
    assert str(error.value) == ("f or its derivative divides by zero at this point in high precision (is the point "
                                "outside the function's domain, or does a branch of where that is not taken "
                                "divide by zero? both branches are evaluated)")
    assert isinstance(error.value.__cause__, ZeroDivisionError)


def test_exact_jacobian_certifies_the_contexts_digits():
    assert reference.exact_jacobian(case_of(third), {}, {"x": np.array([1.0, 0.5])}, MpOps(30))[4] == 30.0


def test_exact_jacobian_over_mpmath_takes_exact_balls_and_data():
    from diffbench.backends.arb import perturbed_exactly

    def scaled(o, x, c):
        return o.sum(c * x * x)
    case = Case("mut_scaled_sq", scaled, lambda rng: {}, ("x",))
    mp = MpOps(40)
    balls = perturbed_exactly(np.array([1.0, 2.0]), np.array([U, -U]))
    jac, value, _, route, _ = reference.exact_jacobian(case, {}, {"x": balls, "c": np.array(3.0)}, mp,
                                                       route1="mpmath")
    one, u = mp.ctx.mpf(1), mp.ctx.mpf(2) ** -53
    assert route == "mpmath"
    assert jac[0, 0] == 6 * (1 + u) and jac[0, 1] == 12 * (1 - u)
    assert np.asarray(value, dtype=object).reshape(-1)[0] == 3 * ((one + u) ** 2 + 4 * (1 - u) ** 2)


def test_reference_value_over_mpmath_and_of_f_that_returns_its_input():
    def top(o, x, c):
        return o.amax(c * x)
    case = Case("mut_top2", top, lambda rng: {}, ("x",))
    ref = reference.reference(case, {}, {"x": np.array([0.5, 2.0]), "c": np.array(3.0)}, np.random.default_rng(0))
    assert ref["value"] == 6.0

    def same(o, x):
        return x
    ref = reference.reference(case_of(same), {}, {"x": np.array([0.25, 4.0])}, np.random.default_rng(0),
                              route1="mpmath")
    assert ref["value"] == 0.25 and np.array_equal(ref["hi"], np.eye(2))


def test_reference_at_a_kink_where_route_two_sees_the_mean_of_the_sides():
    """f = where(x0 > 0, 2 x0, x0) + c x1 at x0 = 0: sides 1 and 2, central differences 1.5; the smooth entry agrees."""
    def bent(o, x, c):
        return o.where(x[0] > 0, 2 * x[0], x[0]) + c * x[1]
    case = Case("mut_bent", bent, lambda rng: {}, ("x",))
    ref = reference.reference(case, {}, {"x": np.array([0.0, 2.0]), "c": np.array(3.0)}, np.random.default_rng(0))
    assert ref["kink"] is True and ref["digits"] == 50.0
    assert np.array_equal(ref["kink_mask"], [[True, False]]) and ref["hi"][0, 1] == 3.0
    assert ref["kink_left"][0, 0] == 1.0 and ref["kink_right"][0, 0] == 2.0
