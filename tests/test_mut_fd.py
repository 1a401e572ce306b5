"""Finite differences against closed forms: stencils on polynomials, the step rules, theory step, sweep, domain."""
import math

import numpy as np
import pytest

from diffbench.case import Case
from diffbench.methods import finite_diff as fd

EPS = 2.0 ** -52
# scheme -> (exponent 1/(p+d), sum |w|, evaluations for 3 inputs)
STEP_RULES = {"forward": (1 / 2, 2.0, 4), "backward": (1 / 2, 2.0, 4), "central": (1 / 3, 1.0, 6),
              "central4": (1 / 5, 1.5, 12), "second": (1 / 4, 4.0, 7)}


class Spy:
    """g(x) = poly(x) per component, recording every point it is called at."""

    def __init__(self, function):
        self.function, self.calls = function, []

    def __call__(self, vector):
        self.calls.append(np.array(vector, dtype=float))
        return np.atleast_1d(np.asarray(self.function(np.asarray(vector, dtype=float)), dtype=float))


@pytest.mark.parametrize("scheme", sorted(STEP_RULES))
def test_scheme_step_exponent_roundoff_and_evaluations(scheme):
    exponent, roundoff, evaluations = STEP_RULES[scheme]
    stencil = fd.SCHEMES[scheme]
    assert stencil.exponent == pytest.approx(exponent, rel=1e-15, abs=0)
    assert stencil.roundoff == pytest.approx(roundoff, rel=1e-15, abs=0)
    assert stencil.evaluations(3) == evaluations
    x = np.array([-3.0, 0.5, 0.0, 7.25])
    assert np.allclose(fd.rule_steps(x, scheme), EPS ** exponent * np.array([3.0, 1.0, 1.0, 7.25]), rtol=1e-15, atol=0)


@pytest.mark.parametrize("scheme, x, h, expected", [
    # x^3: forward 3x^2 + 3xh + h^2, backward 3x^2 - 3xh + h^2, central 3x^2 + h^2 (exact in binary)
    ("forward", 1.0, 0.5, 3 + 1.5 + 0.25), ("backward", 1.0, 0.5, 3 - 1.5 + 0.25), ("central", 1.0, 0.5, 3.25),
    ("forward", 2.0, 0.25, 12 + 1.5 + 0.0625), ("backward", -2.0, 0.25, 12 + 1.5 + 0.0625),
])
def test_two_and_three_point_stencils_on_a_cubic(scheme, x, h, expected):
    g = Spy(lambda v: v[0] ** 3)
    assert fd.difference(g, np.array([x]), np.array([1.0]), h, scheme)[0] == expected


def test_five_point_stencil_on_a_quintic_and_second_difference_on_a_quartic():
    # central4 on x^5: 5x^4 - (h^4/30) 120 = 5x^4 - 4h^4; second on x^4: 12x^2 + (h^2/12) 24 = 12x^2 + 2h^2
    g5, g4 = Spy(lambda v: v[0] ** 5), Spy(lambda v: v[0] ** 4)
    assert fd.difference(g5, np.array([1.0]), np.array([1.0]), 0.5, "central4")[0] == pytest.approx(5 - 4 / 16,
                                                                                                   rel=1e-14, abs=0)
    second = fd.difference(g4, np.array([1.5]), np.array([1.0]), 0.5, "second")[0]
    assert second == pytest.approx(27 + 0.5, rel=1e-14, abs=0)


def test_a_shared_f0_is_used_instead_of_evaluating_g_at_x():
    g = Spy(lambda v: v[0] ** 2)
    assert fd.difference(g, np.array([1.0]), np.array([1.0]), 0.5, "forward", f0=np.array([0.0]))[0] == 4.5
    assert len(g.calls) == 1


@pytest.mark.parametrize("scheme", sorted(STEP_RULES))
def test_jacobian_evaluates_g_as_often_as_the_scheme_says(scheme):
    g = Spy(lambda v: np.array([v[0] * v[1], v[2] ** 2]))
    x = np.array([1.0, 2.0, 3.0])
    jac = fd.jacobian(g, x, fd.rule_steps(x, scheme), scheme)
    assert jac.shape == (2, 3)
    assert len(g.calls) == STEP_RULES[scheme][2]
    if scheme != "second":
        assert np.allclose(jac, [[2, 1, 0], [0, 0, 6]], rtol=0, atol=1e-6)


def test_coordinate_steps_are_rounded_so_that_a_linear_function_is_exact():
    """h = (x + h) - x: the forward difference of g(x) = x is exactly 1 at any x (Numerical Recipes 5.7)."""
    g = Spy(lambda v: v)
    x = np.array([0.1, 1 / 3, 7.3, -2.9])
    jac = fd.jacobian(g, x, np.full(4, 1e-7), "forward")
    assert np.array_equal(np.diag(jac), np.ones(4))
    # a step below x's spacing rounds to 0 and is kept as given: the estimate is 0, not 0/0
    tiny = fd.jacobian(Spy(lambda v: v), np.array([1.0]), np.array([1e-20]), "forward")
    assert tiny[0, 0] == 0.0


def test_hessian_diagonal_uses_the_second_difference_at_its_rule_step():
    g = Spy(lambda v: np.array([3 * v[0] ** 2 + v[1] ** 2, v[0] * v[1]]))
    x = np.array([4.0, 0.25])
    hess = fd.hessian_diagonal(g, x)
    assert hess.shape == (2, 2)
    assert np.allclose(hess, [[6, 2], [0, 0]], rtol=0, atol=1e-5)
    steps = sorted({float((c - x).max()) for c in g.calls if (c - x).max() > 0})
    expected = sorted(float((xi + EPS ** 0.25 * max(1.0, xi)) - xi) for xi in x)
    assert steps == pytest.approx(expected, rel=1e-12, abs=0)


def test_central_probe_steps_at_the_central_rule_for_the_largest_input():
    g = Spy(lambda v: np.array([v[0] ** 3 + v[1]]))
    x = np.array([-5.0, 2.0])
    direction = np.array([1.0, 0.0])
    value = fd.central_probe(g, x, direction)
    h = EPS ** (1 / 3) * 5.0
    assert [float(c[0] - x[0]) for c in g.calls] == pytest.approx([-h, h], rel=1e-9, abs=0)
    assert value[0] == pytest.approx(75 + h * h, rel=1e-9, abs=0)
    for x_small in (np.array([0.5, -0.25]), np.array([1e-3])):
        probe = Spy(lambda v: np.array([v[0]]))
        fd.central_probe(probe, x_small, np.eye(x_small.size)[0])
        assert float(probe.calls[1][0] - x_small[0]) == pytest.approx(EPS ** (1 / 3), rel=1e-6, abs=0)


def test_central_probe_of_no_inputs_steps_at_the_bare_rule():
    """With no inputs the scale is 1: a g that counts its calls shows the step through 1/(2h)."""
    count = iter(range(1, 10))
    value = fd.central_probe(lambda v: np.array([float(next(count))]), np.zeros(0), np.zeros(0))
    assert value[0] == pytest.approx(0.5 / EPS ** (1 / 3), rel=1e-12, abs=0)


def test_sweep_directions_are_coordinates_up_to_64_inputs_then_three_seeded_unit_vectors():
    assert fd.sweep_directions(np.zeros(64), np.random.default_rng(0)) == ("full", None)
    label, directions = fd.sweep_directions(np.zeros(65), np.random.default_rng(3))
    raw = np.random.default_rng(3).standard_normal((65, 3))
    assert label == "random 3" and directions.shape == (65, 3)
    assert np.allclose(np.linalg.norm(directions, axis=0), 1.0, rtol=1e-14)
    assert np.allclose(directions, raw / np.sqrt((raw ** 2).sum(axis=0)), rtol=1e-14)


def test_sweep_covers_61_steps_from_1e_16_to_1e_1_and_forward_error_is_h():
    """Forward difference of x^2 at 1 is 2 + h (the truncation term, exactly), at every step of the sweep."""
    sweep = fd.sweep(Spy(lambda v: v ** 2), np.array([1.0]), "forward", np.random.default_rng(0))
    assert sweep["direction"] == "full" and sweep["directions"] is None
    assert np.allclose(sweep["h"], 10.0 ** (-16 + np.arange(61) / 4), rtol=1e-13)
    assert sweep["estimates"].shape == (61, 1, 1)
    big = sweep["h"] >= 1e-4
    steps = (1.0 + sweep["h"][big]) - 1.0
    assert np.allclose(sweep["estimates"][big, 0, 0], 2 + steps, rtol=1e-10)


def test_sweep_of_many_inputs_follows_three_random_directions():
    x = np.linspace(0.5, 1.5, 70)
    sweep = fd.sweep(Spy(lambda v: np.array([np.sum(v ** 2)])), x, "central", np.random.default_rng(1))
    assert sweep["direction"] == "random 3" and sweep["estimates"].shape == (61, 1, 3)
    exact = 2 * x @ sweep["directions"]
    # h = 1e-2: central differences are exact on a quadratic
    assert np.allclose(sweep["estimates"][56, 0], exact, rtol=0, atol=1e-8)


def test_higher_derivative_of_a_cubic_and_its_noise_level():
    x = np.array([2.0])
    magnitude, noise = fd.higher_derivative(Spy(lambda v: np.array([-v[0] ** 3])), x, np.eye(1), 3)
    h = EPS ** (1 / 5) * 2.0
    assert magnitude[0, 0] == pytest.approx(6.0, rel=1e-4, abs=0)
    assert noise == pytest.approx(8 * EPS * (2 + 1.5 * h) ** 3 / h ** 3, rel=1e-12, abs=0)


@pytest.mark.parametrize("scheme, power, expected", [
    # h* = (d b eps |g| / (p a |g^(p+d)|))^(1/(p+d)) for g = x^(p+d) at x = 1
    ("forward", 2, (2 * EPS / (1 * 0.5 * 2)) ** (1 / 2)),
    ("backward", 2, (2 * EPS / (1 * 0.5 * 2)) ** (1 / 2)),
    ("central", 3, (1 * EPS / (2 * 6 / 6)) ** (1 / 3)),
    ("central4", 5, (1.5 * EPS / (4 * 120 / 30)) ** (1 / 5)),
    ("second", 4, (2 * 4 * EPS / (2 * 24 / 12)) ** (1 / 4)),
])
def test_theory_step_of_a_monomial(scheme, power, expected):
    step = fd.theory_step(Spy(lambda v: v ** power), np.array([1.0]), scheme)
    assert step == pytest.approx(expected, rel=2e-3, abs=0)


def test_theory_step_counts_directions_and_is_nan_without_visible_truncation():
    # two inputs, g = x0^3 + x1^3 at (1, 1): ||D|| = 6 sqrt 2, rounding eps sqrt 2 |g| = 2 sqrt 2 eps
    g = Spy(lambda v: np.array([v[0] ** 3 + v[1] ** 3]))
    expected = (2 * np.sqrt(2) * EPS / (2 * np.sqrt(2))) ** (1 / 3)
    assert fd.theory_step(g, np.ones(2), "central") == pytest.approx(expected, rel=2e-3, abs=0)
    assert math.isnan(fd.theory_step(Spy(lambda v: 3 * v), np.array([1.0]), "central"))
    assert math.isnan(fd.theory_step(Spy(lambda v: v * np.inf), np.array([1.0]), "central"))


def test_vee_bottom_is_the_running_median_minimum_not_the_lucky_point():
    h = [10.0 ** -k for k in range(11)]
    errors = [9.0, 8.0, 7.0, 6.0, 5.0, 0.5, 0.4, 5.0, 6.0, 7.0, 1e-30]
    # medians of 5 around indices 2..8: 7, 6, 5, 5, 5, 5, 6 -> first minimum at index 4
    assert fd.vee_bottom(list(zip(h, errors))) == h[4]
    errors = [9.0, 8.0, 7.0, 0.1, 0.2, 0.3, 4.0, 5.0, 6.0]
    # medians around 2..6: 7, 0.3, 0.3, 0.3, 4 -> index 3
    assert fd.vee_bottom(list(zip(h, errors))) == h[3]
    with_nan = [np.nan, np.nan, 9.0, 1.0, 2.0, 3.0, 8.0]
    # NaN reads as inf: medians around 2..4: 9, 3, 3 -> index 3
    assert fd.vee_bottom(list(zip(h, with_nan))) == h[3]
    assert math.isnan(fd.vee_bottom(list(zip(h[:4], [1.0, 2.0, 3.0, 4.0]))))
    assert fd.vee_bottom(list(zip(h[:5], [5.0, 4.0, 3.0, 2.0, 1.0]))) == h[2]
    assert math.isnan(fd.vee_bottom(list(zip(h[:6], [np.nan] * 6))))


@pytest.mark.parametrize("error", [ValueError("x"), ZeroDivisionError("x"), np.linalg.LinAlgError("x")])
def test_guarded_reads_a_domain_error_as_nan(error):
    def g(vector):
        raise error
    assert np.isnan(fd.guarded(g, 3)(np.zeros(2))).all() and fd.guarded(g, 3)(np.zeros(2)).shape == (3,)
    assert np.array_equal(fd.guarded(lambda v: v + 1, 2)(np.ones(2)), [2.0, 2.0])


def test_guarded_lets_other_errors_through():
    def g(vector):
        raise TypeError("bug")
    with pytest.raises(TypeError):
        fd.guarded(g, 1)(np.zeros(1))


def sqrt_g(vector):
    with np.errstate(invalid="ignore"):
        return np.sqrt(vector)


@pytest.mark.parametrize("scheme, side", [("central", "forward"), ("central4", "forward"), ("backward", "forward")])
def test_inside_domain_redoes_a_column_one_sided(scheme, side):
    x = np.array([1e-12, 4.0])
    estimate = fd.jacobian(sqrt_g, x, fd.rule_steps(x, scheme), scheme)
    assert not np.isfinite(estimate[0, 0]) and np.isfinite(estimate[1, 1])
    fixed, message = fd.inside_domain(sqrt_g, x, estimate, scheme)
    h = (1e-12 + EPS ** 0.5) - 1e-12
    assert fixed[0, 0] == pytest.approx((np.sqrt(1e-12 + h) - 1e-6) / h, rel=1e-12, abs=0)
    assert fixed[1, 1] == estimate[1, 1] and fixed[0, 1] == estimate[0, 1]
    assert message == (f"the {scheme} stencil left the domain for 1 of 2 inputs; 1 redone one-sided ({side})")


def test_inside_domain_forward_falls_back_to_backward_and_second_has_no_fallback():
    def g(vector):      # defined for x <= 1 only
        with np.errstate(invalid="ignore"):
            return np.sqrt(1 - vector)
    x = np.array([1 - 1e-12, 0.0, 0.5])
    estimate = fd.jacobian(g, x, fd.rule_steps(x, "forward"), "forward")
    fixed, message = fd.inside_domain(g, x, estimate, "forward")
    assert message == "the forward stencil left the domain for 1 of 3 inputs; 1 redone one-sided (backward)"
    assert np.isfinite(fixed).all() and fixed[1, 1] == estimate[1, 1]
    _, message = fd.inside_domain(g, x, fd.jacobian(g, x, fd.rule_steps(x, "second"), "second"), "second")
    assert message == "the second stencil left the domain for 1 of 3 inputs; 0 redone one-sided (none stays inside)"


def test_inside_domain_with_no_side_that_stays_inside():
    def g(vector):      # defined on [0, 2e-12] only
        with np.errstate(invalid="ignore"):
            return np.sqrt(vector * (2e-12 - vector))
    x = np.array([1e-12, 1e-12])
    estimate = fd.jacobian(g, x, fd.rule_steps(x, "central"), "central")
    fixed, message = fd.inside_domain(g, x, estimate, "central")
    assert message == "the central stencil left the domain for 2 of 2 inputs; 0 redone one-sided (none stays inside)"
    assert np.isnan(np.diag(fixed)).all()


def quadratic_case():
    def f(o, x):
        return o.sum(x * x * x) + x[0] * x[1]
    return Case("mut_cubic", f, lambda rng: {"x": np.array([1.5, -2.0])}, ("x",))


def sqrt_case(at):
    def f(o, x):
        return o.sum(o.sqrt(x))
    return Case("mut_sqrt", f, lambda rng: {"x": np.array(at)}, ("x",))


@pytest.mark.parametrize("method, scheme, tolerance", [(fd.FORWARD, "forward", 1e-6), (fd.BACKWARD, "backward", 1e-6),
                                                       (fd.CENTRAL, "central", 1e-9), (fd.CENTRAL4, "central4", 1e-11)])
def test_fd_methods_report_estimate_step_evaluations_theory_and_sweep(method, scheme, tolerance):
    x = np.array([1.5, -2.0])
    [result] = method.run(quadratic_case(), {}, [{"x": x}], np.random.default_rng(0))
    assert result.status == "ok" and result.message == "" and result.setup_time_s == 0.0
    assert np.allclose(result.jacobian, [[3 * 2.25 - 2.0, 12 + 1.5]], rtol=tolerance, atol=0)
    assert result.eval_time_s >= 0 and result.timings == {"eval": result.eval_time_s}
    steps = EPS ** fd.SCHEMES[scheme].exponent * np.array([1.5, 2.0])
    assert result.extra["step_h"] == pytest.approx(float(np.median(steps)), rel=1e-15, abs=0)
    assert result.extra["n_func_evals"] == fd.SCHEMES[scheme].evaluations(2)
    assert result.extra["sweep"]["estimates"].shape == (61, 1, 2)
    assert "limit" not in result.extra
    if scheme == "central4":    # a cubic has no 5th derivative: no truncation error to balance
        assert math.isnan(result.extra["theory_h"])
    else:   # f = -7.625 there; |f''| along the inputs 9 and 12, |f'''| 6 and 6 (see test_theory_step_of_a_monomial)
        expected = {"forward": (2 * np.sqrt(2) * 7.625 * EPS / (0.5 * 15)) ** (1 / 2),
                    "backward": (2 * np.sqrt(2) * 7.625 * EPS / (0.5 * 15)) ** (1 / 2),
                    "central": (7.625 * EPS / 2) ** (1 / 3)}[scheme]
        assert result.extra["theory_h"] == pytest.approx(expected, rel=2e-3, abs=0)


def test_fd_method_at_the_domain_edge_is_redone_one_sided_or_not_applicable():
    [result] = fd.CENTRAL.run(sqrt_case([1e-12, 4.0]), {}, [{"x": np.array([1e-12, 4.0])}], np.random.default_rng(0))
    assert result.status == "ok" and result.extra["limit"] == "domain"
    assert result.message == "the central stencil left the domain for 1 of 2 inputs; 1 redone one-sided (forward)"
    h = (1e-12 + EPS ** 0.5) - 1e-12
    # f also adds sqrt 4 = 2: its rounding is eps 2 / h of the estimate
    assert result.jacobian[0, 0] == pytest.approx((np.sqrt(1e-12 + h) - 1e-6) / h, rel=1e-10, abs=0)
    assert result.jacobian[0, 1] == pytest.approx(0.25, rel=1e-9, abs=0)

    def f(o, x, c):
        return o.sum(o.sqrt(x * (c - x)))
    narrow = Case("mut_narrow", f, lambda rng: {"x": np.array([1e-12]), "c": 2e-12}, ("x",))
    points = [{"x": np.array([1e-12]), "c": 2e-12}, {"x": np.array([1.0]), "c": 4.0}]
    [result, wide] = fd.CENTRAL.run(narrow, {}, points, np.random.default_rng(0))
    assert result.status == "not_applicable" and result.jacobian is None and result.extra["limit"] == "domain"
    assert "0 redone one-sided (none stays inside)" in result.message
    assert wide.status == "ok" and wide.jacobian[0, 0] == pytest.approx(1 / math.sqrt(3), rel=1e-9, abs=0)


def test_inside_domain_finds_the_input_whose_column_left_the_domain():
    """A scalar f whose second input sits at the domain's edge: the bad column is 1, not row 0."""
    def g(vector):
        with np.errstate(invalid="ignore"):
            return np.array([np.sqrt(vector[0]) + np.sqrt(vector[1])])
    x = np.array([4.0, 1e-12])
    estimate = fd.jacobian(g, x, fd.rule_steps(x, "central"), "central")
    fixed, message = fd.inside_domain(g, x, estimate, "central")
    assert message == "the central stencil left the domain for 1 of 2 inputs; 1 redone one-sided (forward)"
    assert fixed[0, 0] == estimate[0, 0] and np.isfinite(fixed).all()


def test_inside_domain_redoes_columns_on_both_sides():
    def g(vector):      # x0 >= 0 and x1 <= 1
        with np.errstate(invalid="ignore"):
            return np.array([np.sqrt(vector[0]) + np.sqrt(1 - vector[1])])
    x = np.array([1e-12, 1 - 1e-12])
    fixed, message = fd.inside_domain(g, x, fd.jacobian(g, x, fd.rule_steps(x, "central"), "central"), "central")
    assert message == "the central stencil left the domain for 2 of 2 inputs; 2 redone one-sided (backward, forward)"
    assert np.isfinite(fixed).all() and fixed[0, 0] > 0 > fixed[0, 1]


def test_one_sided_redo_uses_the_rounded_step():
    """f(x) = x on [x0 - 1e-3, inf) at x0 = 2^20 + 0.1: the forward redo of a linear f is exactly 1."""
    x0 = 2.0 ** 20 + 0.1

    def g(vector):
        return np.where(vector >= x0 - 1e-3, vector, np.nan)
    x = np.array([x0])
    estimate = fd.jacobian(g, x, fd.rule_steps(x, "central"), "central")
    assert np.isnan(estimate).all()
    fixed, _ = fd.inside_domain(g, x, estimate, "central")
    assert fixed[0, 0] == 1.0


def test_a_vector_f_that_raises_around_its_point_is_not_applicable():
    """Every stencil point moving x0 raises: that column is NaN in all m outputs, and no side stays inside."""
    def f(o, x):
        if abs(x[0] - 0.5) > 1e-12:
            raise ValueError("outside the domain")
        return x * x
    case = Case("mut_point", f, lambda rng: {"x": np.array([0.5, 2.0])}, ("x",))
    [result] = fd.CENTRAL.run(case, {}, [{"x": np.array([0.5, 2.0])}], np.random.default_rng(0))
    assert result.status == "not_applicable" and result.extra["limit"] == "domain"
    assert result.message == ("the central stencil left the domain for 1 of 2 inputs; "
                              "0 redone one-sided (none stays inside)")


def test_fd_method_on_many_inputs_sweeps_and_models_along_seeded_directions():
    x = np.linspace(0.5, 1.5, 70)

    def f(o, x):
        return o.sum(x * x * x)
    case = Case("mut_cubes", f, lambda rng: {"x": x}, ("x",))
    [result] = fd.CENTRAL.run(case, {}, [{"x": x}], np.random.default_rng(3))
    raw = np.random.default_rng(3).standard_normal((70, 3))
    directions = raw / np.sqrt((raw ** 2).sum(axis=0))
    sweep = result.extra["sweep"]
    assert sweep["direction"] == "random 3" and np.allclose(sweep["directions"], directions, rtol=1e-14)
    assert np.allclose(sweep["estimates"][56, 0], 3 * x ** 2 @ directions, rtol=1e-4)   # h = 1e-2: + h^2 d^3 terms
    # theory step along those directions: f''' along d_j is 6 sum_i d_ij^3; rounding eps sqrt 3 |f|
    third = np.abs(6 * (directions ** 3).sum(axis=0))
    truncation, rounding = np.linalg.norm(third) / 6, EPS * np.sqrt(3) * np.sum(x ** 3)
    assert result.extra["theory_h"] == pytest.approx((rounding / (2 * truncation)) ** (1 / 3), rel=5e-3, abs=0)
    assert np.allclose(result.jacobian[0], 3 * x ** 2, rtol=1e-9)


def test_higher_derivative_noise_reads_g_at_exactly_its_stencil_points():
    """x^3 at -1.5: the largest |g| of the 4-point stencil is at x - 1.5 h, where h = eps^(1/5) max(1, 1.5)."""
    x = np.array([-1.5])
    magnitude, noise = fd.higher_derivative(Spy(lambda v: v ** 3), x, np.eye(1), 3)
    h = EPS ** (1 / 5) * 1.5
    assert magnitude[0, 0] == pytest.approx(6.0, rel=1e-4, abs=0)
    assert noise == pytest.approx(8 * EPS * (1.5 + 1.5 * h) ** 3 / h ** 3, rel=1e-12, abs=0)


def test_fd_of_a_case_with_a_scalar_constant():
    """o.const(2.5) needs the ops' float64 dtype: f = 2.5 sum(x^2), gradient 5 x."""
    def f(o, x):
        return o.sum(o.const(2.5) * x * x)
    x = np.array([1.0, -3.0])
    case = Case("mut_const", f, lambda rng: {"x": x}, ("x",))
    [result] = fd.CENTRAL.run(case, {}, [{"x": x}], np.random.default_rng(0))
    assert np.allclose(result.jacobian, [[5.0, -15.0]], rtol=1e-9, atol=0)
