"""Complex step, Richardson and the random-direction estimator against closed forms and exact Jacobians."""
import math

import numpy as np
import pytest

from diffbench.case import Case
from diffbench.methods import complex_step as cs
from diffbench.methods import random_direction as rd
from diffbench.methods import richardson as rich

EPS = 2.0 ** -52


class Spy:
    def __init__(self, function):
        self.function, self.calls = function, []

    def __call__(self, vector):
        self.calls.append(np.array(vector))
        return np.atleast_1d(self.function(vector))


def cubic_case(x0, complex_ok=True):
    def f(o, x):
        return o.sum(x * x * x) + x[0] * x[1]
    return Case("mut_cubic", f, lambda rng: {"x": np.array(x0)}, ("x",), complex_ok=complex_ok)


def cubic_gradient(x):
    return np.array([[3 * x[0] ** 2 + x[1], 3 * x[1] ** 2 + x[0]]])


# complex step

def test_complex_columns_use_each_columns_own_step():
    # Im (x + ih)^3 / h = 3x^2 - h^2 exactly; the second column moves x1 (t^2 has Im 2 t h / h = 2t)
    g = Spy(lambda v: np.array([v[0] ** 3, v[1] ** 2]))
    x = np.array([1.0, 3.0])
    columns = cs.complex_columns(g, x, None, np.array([0.5, 0.25]))
    assert np.array_equal(columns, [[3 - 0.25, 0.0], [0.0, 6.0]])
    along = cs.complex_columns(g, x, np.array([[1.0], [1.0]]), np.array([0.5]))
    assert np.array_equal(along, [[2.75], [6.0]])


def test_applicability_probes_along_a_seeded_unit_direction():
    g = Spy(lambda v: v * 1.0)
    assert cs.applicability(g, np.array([1.0, 2.0, 3.0]), np.random.default_rng(7)) is None
    probe = np.imag(g.calls[0])
    direction = np.random.default_rng(7).standard_normal(3)
    assert np.allclose(probe, cs.PROBE_STEP * direction / np.sqrt(direction @ direction), rtol=1e-14, atol=0)
    assert np.array_equal(np.real(g.calls[0]), [1.0, 2.0, 3.0])


@pytest.mark.parametrize("error", [TypeError("no complex"), ValueError("math domain"),
                                   ZeroDivisionError("zero"), np.linalg.LinAlgError("singular")])
def test_applicability_names_the_error_raised_at_x_plus_ih(error):
    def g(vector):
        raise error
    reason = cs.applicability(g, np.ones(2), np.random.default_rng(0))
    assert reason == f"evaluating the float code at x + ih raised {type(error).__name__}: {error}"


def test_applicability_notices_a_lost_imaginary_part_and_lets_bugs_through():
    reason = cs.applicability(lambda v: np.abs(v), np.ones(2), np.random.default_rng(0))
    assert reason == ("evaluating the float code at x + ih lost the imaginary part "
                      "(abs, a comparison or a real-only function)")

    def buggy(vector):
        raise KeyError("bug")
    with pytest.raises(KeyError):
        cs.applicability(buggy, np.ones(2), np.random.default_rng(0))


def test_complex_step_method_is_exact_on_a_cubic_and_reports_its_step():
    x = np.array([1.5, -2e3])
    [result] = cs.COMPLEX_STEP.run(cubic_case(x), {}, [{"x": x}], np.random.default_rng(0))
    assert result.status == "ok" and result.setup_time_s == 0.0 and result.timings == {"eval": result.eval_time_s}
    assert np.allclose(result.jacobian, cubic_gradient(x), rtol=4 * EPS, atol=0)
    assert result.extra["step_h"] == pytest.approx(np.median([1.5e-20, 2e-17]), rel=1e-15, abs=0)
    assert result.extra["n_func_evals"] == 2
    sweep = result.extra["sweep"]
    assert sweep["estimates"].shape == (61, 1, 2) and sweep["direction"] == "full"
    # at h = 1e-1 the complex step of x^3 is 3x^2 - h^2 (plus the exact x1 term)
    assert sweep["estimates"][-1, 0, 0] == pytest.approx(3 * 2.25 - 0.01 + x[1], rel=1e-14, abs=0)


def test_complex_step_method_is_not_applicable_where_the_code_drops_the_imaginary_part():
    def f(o, x):
        return o.sum(o.abs(x))
    case = Case("mut_abs", f, lambda rng: {"x": np.array([1.0, -2.0])}, ("x",))
    results = cs.COMPLEX_STEP.run(case, {}, [{"x": np.array([1.0, -2.0])}, {"x": np.array([3.0, 4.0])}],
                                  np.random.default_rng(0))
    assert [r.status for r in results] == ["not_applicable", "not_applicable"]
    assert "lost the imaginary part" in results[0].message and results[0].jacobian is None


# Richardson

def alternating(sigma, x, spacing):
    """g = 1 + sigma (-1)^i at x + i spacing: rounding noise with a known level."""
    def g(vector):
        i = int(round((vector[0] - x[0]) / spacing))
        return np.array([1.0 + sigma * (-1) ** i])
    return g


def test_noise_level_of_an_alternating_sequence_is_its_order_six_ecnoise_level():
    # k-th differences of sigma (-1)^i are sigma (-2)^k (-1)^i: level_k = sigma sqrt(k!^2 / (2k)! 4^k), largest at k = 6
    x, spacing, sigma = np.array([0.0]), 2.0 ** -10, 2.0 ** -30
    level = rich.noise_level(alternating(sigma, x, spacing), x, np.array([1.0]), spacing)
    assert level[0] == pytest.approx(sigma * math.sqrt(math.factorial(6) ** 2 / math.factorial(12) * 4 ** 6),
                                     rel=1e-12, abs=0)


def test_noise_level_is_never_below_eps_times_g():
    g = Spy(lambda v: v * v + 3.0)     # exact at the points: no differences of order >= 3
    level = rich.noise_level(g, np.array([0.0]), np.array([1.0]), 2.0 ** -10)
    assert level[0] == 3 * EPS and len(g.calls) == rich.NOISE_POINTS
    assert [float(c[0]) for c in g.calls] == [i * 2.0 ** -10 for i in range(9)]


def test_extrapolation_removes_the_h2_and_h4_terms_of_a_quintic():
    """D(h) of x^5 at 1 is 5 + 10 h^2 + h^4: two Richardson columns remove both terms."""
    g = Spy(lambda v: v ** 5)
    result = rich.extrapolate(g, np.array([1.0]), np.array([1.0]), 0.5, np.array([EPS]))
    assert result.estimate[0] == pytest.approx(5.0, rel=1e-13, abs=0)
    assert abs(result.estimate[0] - 5.0) <= result.error[0]
    assert result.evaluations == len(g.calls)
    assert math.log2(0.5 / result.step) == int(math.log2(0.5 / result.step))


@pytest.mark.parametrize("function, derivative, x", [(np.exp, np.exp, 0.3), (np.sin, np.cos, 2.0),
                                                     (np.log, lambda t: 1 / t, 5.0)])
def test_extrapolation_is_accurate_and_its_error_estimate_holds(function, derivative, x):
    g = Spy(lambda v: function(v))
    h0 = rich.BASE_STEP * max(1.0, x)
    noise = EPS * abs(function(x))
    result = rich.extrapolate(g, np.array([x]), np.array([1.0]), h0, np.array([noise]))
    actual = abs(result.estimate[0] - derivative(x))
    assert actual <= 1e-13 * abs(derivative(x))
    assert actual <= result.error[0] <= 1e-10 * abs(derivative(x))
    assert result.evaluations == len(g.calls) and result.evaluations < 2 * rich.MAX_STEPS
    assert result.step < h0


def test_extrapolation_where_every_stencil_leaves_the_domain_is_nan():
    def g(vector):
        with np.errstate(invalid="ignore"):
            return np.sqrt(vector)
    result = rich.extrapolate(g, np.array([1e-12]), np.array([1.0]), 2.0 ** -4, np.array([EPS]))
    assert np.isnan(result.estimate).all() and np.isnan(result.error).all() and math.isnan(result.step)
    assert result.evaluations == 2 * rich.MAX_STEPS


def test_richardson_jacobian_columns_steps_and_evaluations():
    g = Spy(lambda v: np.array([np.sin(v[0]) * v[1], np.exp(v[1])]))
    x = np.array([0.7, -3.0])
    jac, error, steps, evaluations = rich.richardson_jacobian(g, x, np.random.default_rng(0))
    exact = np.array([[np.cos(0.7) * -3.0, np.sin(0.7)], [0.0, np.exp(-3.0)]])
    assert np.allclose(jac, exact, rtol=1e-12, atol=1e-14)
    assert np.all(np.abs(jac - exact) <= error + 1e-300)
    assert evaluations == len(g.calls)
    for step, scale in zip(steps, (1.0, 3.0)):
        k = math.log2(rich.BASE_STEP * scale / step)
        assert k == int(k) and 1 <= k < rich.MAX_STEPS


def test_richardson_method_reports_estimate_and_error_and_the_domain():
    x = np.array([1.5, -2.0])
    [result] = rich.RICHARDSON.run(cubic_case(x), {}, [{"x": x}], np.random.default_rng(0))
    assert result.status == "ok" and result.setup_time_s == 0.0 and result.timings == {"eval": result.eval_time_s}
    assert np.allclose(result.jacobian, cubic_gradient(x), rtol=1e-13)
    assert 0 <= result.extra["error_estimate"] < 1e-10 and result.extra["n_func_evals"] > rich.NOISE_POINTS

    def f(o, x):
        return o.sum(o.sqrt(x))
    case = Case("mut_sqrt", f, lambda rng: {"x": np.array([1e-12, 4.0])}, ("x",))
    [result] = rich.RICHARDSON.run(case, {}, [{"x": np.array([1e-12, 4.0])}], np.random.default_rng(0))
    assert result.status == "not_applicable" and result.extra["limit"] == "domain"
    assert result.message == "every central stencil of the halving sequence left the domain for 1 of 2 inputs"
    assert result.extra["n_func_evals"] > 2 * rich.MAX_STEPS


# the random-direction estimator

def test_unit_directions_are_normalised_seeded_gaussians():
    v = rd.unit_directions(np.random.default_rng(5), 4, 6)
    raw = np.random.default_rng(5).standard_normal((4, 6))
    assert v.shape == (4, 6) and np.allclose(v, raw / np.sqrt((raw ** 2).sum(axis=0)), rtol=1e-14)


def test_directional_differences_are_central_differences_along_each_column():
    g = Spy(lambda v: np.array([v[0] ** 3, v[0] * v[1]]))
    slopes = rd.directional_differences(g, np.array([1.0, 2.0]), np.array([[1.0, 0.0], [0.0, 1.0]]), 0.5)
    assert np.array_equal(slopes, [[3.25, 0.0], [2.0, 1.0]])


def test_estimator_curve_along_the_coordinates_recovers_the_jacobian():
    jac = np.array([[1.0, -2.0, 4.0], [0.5, 3.0, -1.0]])
    curve = rd.estimator_curve(lambda v: jac @ v, np.zeros(3), np.eye(3), 0.5, [1, 2, 3])
    assert np.allclose(curve[0], [[3.0, 0, 0], [1.5, 0, 0]], rtol=1e-15)
    assert np.allclose(curve[1], 1.5 * jac * [1, 1, 0], rtol=1e-15)
    assert np.allclose(curve[2], jac, rtol=1e-15)


@pytest.mark.parametrize("samples, counts", [(1, [1]), (2, [1, 2]), (5, [1, 2, 4, 5]), (8, [1, 2, 4, 8]),
                                             (12, [1, 2, 4, 8, 12]), (0, [0])])
def test_sample_counts_double_up_to_the_samples(samples, counts):
    assert rd.sample_counts(samples) == counts


def test_random_direction_method_is_the_exact_jacobian_projected_on_its_directions():
    x = np.array([1.5, -0.8, 0.5, 1.0])

    def f(o, x):
        return o.sum(x * x * x)
    case = Case("mut_cubes", f, lambda rng: {"x": x}, ("x",))
    [result] = rd.RANDOM_DIRECTION.run(case, {}, [{"x": x}], np.random.default_rng(11))
    directions = rd.unit_directions(np.random.default_rng(11), 4, 4)
    exact = 3 * x ** 2
    # n/S sum_s (J v_s) v_s^T with the exact J; the central differences add only h^2 v^3 terms
    projected = 4 / 4 * sum((exact @ v) * v for v in directions.T)
    assert np.allclose(result.jacobian[0], projected, rtol=1e-9)
    assert result.extra["step_h"] == pytest.approx(EPS ** (1 / 3) * 1.5, rel=1e-15, abs=0)
    assert result.extra["n_func_evals"] == 8
    curve = result.extra["evals_curve"]
    assert curve["estimator"] == "random_direction"
    assert curve["samples"] == [1, 2, 4] and curve["n_func_evals"] == [2, 4, 8]
    expected = [math.sqrt(3), math.sqrt(1.5), math.sqrt(0.75)]
    assert curve["expected_rel_error"] == pytest.approx(expected, rel=1e-15, abs=0)
    assert np.allclose(curve["estimates"][0][0], 4 * (exact @ directions[:, 0]) * directions[:, 0], rtol=1e-9)
    assert result.status == "ok" and result.setup_time_s == 0.0 and result.timings == {"eval": result.eval_time_s}


def test_richardson_measures_noise_at_a_spacing_scaled_by_the_largest_input():
    g = Spy(lambda v: np.array([np.sin(v[0]) + v[1] ** 2]))
    x = np.array([0.5, -3.0])
    rich.richardson_jacobian(g, x, np.random.default_rng(0))
    first = [c for c in g.calls[:rich.NOISE_POINTS]]
    spacing = np.linalg.norm(first[1] - first[0])
    assert spacing == pytest.approx(rich.NOISE_SPACING * 3.0, rel=1e-9, abs=0)
    assert np.linalg.norm(first[8] - first[0]) == pytest.approx(8 * spacing, rel=1e-9, abs=0)


@pytest.mark.parametrize("coefficients", [(3.0, -2.0), (0.25, 0.1), (0.0, 0.0)])
def test_richardson_error_estimate_is_relative_to_the_jacobian_or_absolute_at_zero(coefficients):
    a, b = coefficients

    def f(o, x):
        return a * o.sin(x[0]) + b * x[1] * x[1] + 1.0
    x = np.array([0.4, 0.7])
    case = Case("mut_linear", f, lambda rng: {"x": x}, ("x",))
    [result] = rich.RICHARDSON.run(case, {}, [{"x": x}], np.random.default_rng(9))
    g = lambda v: np.array([a * np.sin(v[0]) + b * v[1] * v[1] + 1.0])   # noqa: E731 - f in float64
    jac, error, _, _ = rich.richardson_jacobian(g, x, np.random.default_rng(9))
    exact = np.array([[a * np.cos(0.4), 2 * b * 0.7]])
    assert np.allclose(result.jacobian, exact, rtol=1e-12, atol=1e-15)
    norm = np.linalg.norm(exact)
    expected = np.linalg.norm(error) / norm if norm > 0 else np.linalg.norm(error)
    assert result.extra["error_estimate"] == pytest.approx(expected, rel=1e-6, abs=0)


def test_richardson_steps_and_noise_spacing_for_inputs_below_two():
    g = Spy(lambda v: np.array([np.sin(v[0]) * v[1]]))
    x = np.array([0.7, -1.5])
    jac, _, steps, _ = rich.richardson_jacobian(g, x, np.random.default_rng(0))
    assert np.allclose(jac, [[np.cos(0.7) * -1.5, np.sin(0.7)]], rtol=1e-12, atol=0)
    assert np.linalg.norm(g.calls[1] - g.calls[0]) == pytest.approx(rich.NOISE_SPACING * 1.5, rel=1e-9, abs=0)
    for step, scale in zip(steps, (1.0, 1.5)):
        k = math.log2(rich.BASE_STEP * scale / step)
        assert k == pytest.approx(round(k), abs=1e-12)


def test_noise_level_of_a_cubic_trend_is_its_third_difference_level():
    """c (i s)^3 with c s^3 = 1024: third differences 6144, higher ones 0, so the order-3 level wins."""
    s = 2.0 ** -10
    level = rich.noise_level(lambda v: np.array([2.0 ** 40 * v[0] ** 3]), np.array([0.0]), np.array([1.0]), s)
    assert level[0] == pytest.approx(6144 * math.sqrt(math.factorial(3) ** 2 / math.factorial(6)), rel=1e-12, abs=0)


def test_noise_level_is_per_output():
    x, s = np.array([0.0]), 2.0 ** -10

    def g(vector):
        i = int(round(vector[0] / s))
        return np.array([1.0 + 2.0 ** -30 * (-1) ** i, 1.0 + 2.0 ** -20 * (-1) ** i])
    level = rich.noise_level(g, x, np.array([1.0]), s)
    factor = math.sqrt(math.factorial(6) ** 2 / math.factorial(12) * 4 ** 6)
    assert level == pytest.approx([2.0 ** -30 * factor, 2.0 ** -20 * factor], rel=1e-9, abs=0)


def test_richardson_counts_the_inputs_left_out_of_the_domain_and_goes_on():
    def f(o, x):
        return o.sum(o.sqrt(x))
    case = Case("mut_sqrt3", f, lambda rng: {}, ("x",))
    points = [{"x": np.array([1e-12, 4.0, 1e-13])}, {"x": np.array([1.0, 4.0, 9.0])}]
    for seed in range(6):    # NB: whichever way the noise probe points (it may leave the domain both ways)
        first, second = rich.RICHARDSON.run(case, {}, points, np.random.default_rng(seed))
        assert first.message == "every central stencil of the halving sequence left the domain for 2 of 3 inputs"
        assert second.status == "ok" and np.allclose(second.jacobian, [[0.5, 0.25, 1 / 6]], rtol=1e-12, atol=0)
