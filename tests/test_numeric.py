"""Numerical differentiation: stencils, step rules and theory, complex step, Richardson, random directions, peers."""
import functools
import importlib

import mpmath
import numpy as np
import pytest

from diffbench.assemble import method_rows
from diffbench.case import Case, load_cases
from diffbench.methods import METHODS, complex_step, finite_diff as fd, peers, random_direction, richardson
from diffbench.records import TABLES, frame
from diffbench.reference import reference
from diffbench.runner import is_failure
from diffbench.scoring import best_step, sweep_errors
from diffbench.runner.worker import JobOutput

CASES = load_cases()
SEED_CASES = ("logistic", "log_quadratic", "logdet", "linear_minus_logdet", "mds", "trace_example")
L4_PRIME = 9.0660864           # Baydin et al. 2018, Table 1: l_4'(0.2)
DPS = 30


def logistic_map(x, n=4):
    for _ in range(n - 1):
        x = 4 * x * (1 - x)
    return x


def l4_derivatives(orders):
    """d^k l_4 / dx^k at the float 0.2, by mpmath at DPS digits."""
    with mpmath.workdps(DPS):
        return [mpmath.diff(logistic_map, mpmath.mpf(0.2), k) for k in orders]


def as_reference(value):
    """An mpmath number -> the (hi, lo) double-double pair scoring uses, as 1 x 1 arrays."""
    hi = float(value)
    with mpmath.workdps(DPS):
        lo = float(value - mpmath.mpf(hi))
    return np.array([[hi]]), np.array([[lo]])


def l4_function():
    case = CASES["logistic"]
    return fd.flat_function(case, {"n": 4}, case.inputs(0, {"n": 4}, 0))


def closed_form_gradient(name, params, point):
    """(hi, lo) of the seed case's gradient at its point, as 1 x n rows (cached: mds N=200 takes seconds)."""
    return _closed_form(name, tuple(params.items()), point)


@functools.lru_cache(maxsize=None)
def _closed_form(name, params, point):
    """The seed cases' gradients in closed form (the answers in their notes), in mpmath."""
    params = dict(params)
    inputs = CASES[name].inputs(0, params, point)
    mpf = np.vectorize(mpmath.mpf, otypes=[object])
    with mpmath.workdps(DPS):
        if name == "logistic":
            x, d = mpmath.mpf(float(inputs["x"])), mpmath.mpf(1)
            for _ in range(params["n"] - 1):
                d, x = d * (4 - 8 * x), 4 * x * (1 - x)
            grad = np.array([d], dtype=object)
        elif name == "log_quadratic":
            x, A = mpf(inputs["x"]), mpf(inputs["A"])
            ax = A.dot(x)
            grad = 2 * ax / x.dot(ax)
        elif name in ("logdet", "linear_minus_logdet"):
            inverse_t = np.array(mpmath.inverse(mpmath.matrix(inputs["X"].tolist())).tolist(), dtype=object).T
            grad = (inverse_t if name == "logdet" else mpf(inputs["S"]) - inverse_t).reshape(-1)
        elif name == "mds":
            W, D = mpf(inputs["W"]), mpf(inputs["D"])
            differences = W[:, None, :] - W[None, :, :]
            r = np.sum(differences * differences, axis=-1) - D
            grad = (4 * np.sum((r + r.T)[:, :, None] * differences, axis=1)).reshape(-1)
        elif name == "trace_example":
            x1, x2 = mpmath.mpf(float(inputs["x1"])), mpmath.mpf(float(inputs["x2"]))
            grad = np.array([1 / x1 + x2, x1 - mpmath.cos(x2)], dtype=object)
        else:
            raise KeyError(name)
        hi = np.array([float(v) for v in grad])
        lo = np.array([float(v - mpmath.mpf(h)) for v, h in zip(grad, hi)])
    return hi[None, :], lo[None, :]


def seed_points():
    for name in SEED_CASES:
        case = CASES[name]
        for value in case.sweep_values():
            params = case.params(value)
            for point in range(case.points):
                yield pytest.param(name, params, point, id=f"{name}-{value}-{point}")


# ----- the numbers on l_4 at x = 0.2 -----

def test_l4_reference_is_the_published_value():
    (d1,) = l4_derivatives([1])
    assert abs(float(d1) - L4_PRIME) < 1e-15 * L4_PRIME


@pytest.mark.parametrize("h", [1e-20, 1e-50, 1e-100, 1e-200, 1e-300])
def test_complex_step_reaches_machine_precision_on_l4(h):
    case = CASES["logistic"]
    g, x = fd.flat_function(case, {"n": 4}, case.inputs(0, {"n": 4}, 0), dtype=np.complex128)
    (d1,) = l4_derivatives([1])
    estimate = complex_step.complex_columns(g, x, None, np.array([h]))[0, 0]
    assert abs(estimate - float(d1)) <= 1e-15 * abs(float(d1))


def test_l4_sweep_best_errors_and_optima():
    g, x = l4_function()
    hi, lo = as_reference(l4_derivatives([1])[0])
    rng = np.random.default_rng(0)
    forward = sweep_errors(fd.sweep(g, x, "forward", rng), hi, lo)
    central = sweep_errors(fd.sweep(g, x, "central", rng), hi, lo)
    assert best_step(forward)[1] * L4_PRIME <= 5e-8          # best forward, absolute
    assert best_step(central)[1] * L4_PRIME <= 1e-10         # best central, absolute
    # The optimum is the bottom of the V; the single smallest error can sit on a lucky rounding far left.
    assert abs(np.log10(fd.vee_bottom(forward) / 1e-8)) <= 1
    assert 1e-8 <= fd.vee_bottom(central) <= 1e-5           # within a decade of 1e-7 ... 1e-6


def test_l4_theory_steps_match_closed_forms_and_measurement():
    g, x = l4_function()
    f0, f2, f3 = (abs(float(v)) for v in l4_derivatives([0, 2, 3]))
    eps = np.finfo(float).eps
    forward, central = fd.theory_step(g, x, "forward"), fd.theory_step(g, x, "central")
    assert forward == pytest.approx(2 * np.sqrt(eps * f0 / f2), rel=1e-3)      # textbook 2 sqrt(eps |f| / |f''|)
    assert central == pytest.approx((3 * eps * f0 / f3) ** (1 / 3), rel=1e-3)  # (3 eps |f| / |f'''|)^(1/3)
    hi, lo = as_reference(l4_derivatives([1])[0])
    rng = np.random.default_rng(0)
    for scheme in ("forward", "backward", "central", "central4"):
        measured = fd.vee_bottom(sweep_errors(fd.sweep(g, x, scheme, rng), hi, lo))
        assert abs(np.log10(fd.theory_step(g, x, scheme) / measured)) <= 0.5, scheme


@pytest.mark.parametrize("scheme, derivative, order", [
    ("forward", 1, 1), ("backward", 1, 1), ("central", 1, 2), ("central4", 1, 4), ("second", 2, 2)])
def test_order_of_accuracy_from_the_truncation_branch(scheme, derivative, order):
    g, x = l4_function()
    hi, lo = as_reference(l4_derivatives([derivative])[0])
    errors = sweep_errors(fd.sweep(g, x, scheme, np.random.default_rng(0)), hi, lo)
    h, e = np.array(errors).T
    bottom = fd.vee_bottom(errors)
    branch = (h >= 10 * bottom) & (h <= 10 ** 2.5 * bottom) & (h <= 0.1)
    assert branch.sum() >= 6
    slope = np.polyfit(np.log(h[branch]), np.log(e[branch]), 1)[0]
    assert abs(slope - order) <= 0.3


def test_rule_steps_follow_the_optimal_exponents():
    x = np.array([0.2, -3.0])
    eps = np.finfo(float).eps
    for scheme, exponent in [("forward", 1 / 2), ("backward", 1 / 2), ("central", 1 / 3), ("central4", 1 / 5),
                             ("second", 1 / 4)]:
        assert fd.rule_steps(x, scheme) == pytest.approx(eps ** exponent * np.array([1.0, 3.0]))


def test_hessian_diagonal_on_trace_example():
    case = CASES["trace_example"]
    g, x = fd.flat_function(case, {}, case.inputs(0, {}, 0))      # (x1, x2) = (2, 5)
    expected = np.array([[-1 / 4, np.sin(5.0)]])                   # d2/dx1^2 = -1/x1^2, d2/dx2^2 = sin x2
    assert np.max(np.abs(fd.hessian_diagonal(g, x) - expected)) <= 1e-7


@pytest.mark.parametrize("scheme, count", [("forward", 11), ("backward", 11), ("central", 20), ("central4", 40),
                                           ("second", 21)])
def test_evaluation_counts(scheme, count):
    calls = []
    x = np.linspace(0.1, 1.0, 10)
    fd.jacobian(lambda v: calls.append(1) or np.array([np.sum(v ** 3)]), x, fd.rule_steps(x, scheme), scheme)
    assert len(calls) == fd.SCHEMES[scheme].evaluations(x.size) == count


# ----- Richardson -----

@pytest.mark.parametrize("name, params, point", list(seed_points()))
def test_richardson_within_its_error_estimate_on_seed_cases(name, params, point):
    case = CASES[name]
    inputs = case.inputs(0, params, point)
    g, x = fd.flat_function(case, params, inputs)
    jacobian, error, steps, _ = richardson.richardson_jacobian(g, x, np.random.default_rng(1))
    hi, lo = closed_form_gradient(name, params, point)
    actual = np.abs((jacobian - hi) - lo)
    assert np.all(actual <= error)
    assert np.linalg.norm(actual) <= 1e-11 * np.linalg.norm(hi)
    assert np.all((steps > 0) & (steps <= richardson.BASE_STEP * np.maximum(1.0, np.abs(x))))


def test_richardson_reports_estimate_error_and_step():
    case = CASES["trace_example"]
    [result] = richardson.run(case, {}, [case.inputs(0, {}, 0)], np.random.default_rng(0))
    assert result.jacobian == pytest.approx(np.array([[5.5, 2 - np.cos(5.0)]]), rel=1e-12)
    assert 0 < result.extra["error_estimate"] < 1e-10
    assert 0 < result.extra["step_h"] <= richardson.BASE_STEP * 5.0
    assert result.extra["n_func_evals"] > 4



@pytest.mark.parametrize("method", ["richardson", "fd_central", "complex_step", "fd_random"])
def test_how_often_the_timing_repeats_a_call_moves_no_later_point(method, monkeypatch):
    """The timing repeats a fast call as often as its clock says; the numbers of every point must not follow."""
    import diffbench.timing as timing
    case = CASES["logistic"]
    params = case.params(4)
    points = [case.inputs(0, params, k) for k in range(3)]

    def repeating(times):
        def measure(fn, *args, **kwargs):
            for _ in range(times):
                fn()
            return 1e-6
        return measure
    found = []
    for times in (1, 7):
        monkeypatch.setattr(timing, "measure", repeating(times))
        results = METHODS[method].run(case, params, points, np.random.default_rng(5))
        found.append([(r.jacobian, r.extra.get("error_estimate")) for r in results])
    for (jacobian_1, estimate_1), (jacobian_7, estimate_7) in zip(*found):
        assert np.array_equal(jacobian_1, jacobian_7, equal_nan=True)
        assert estimate_1 == estimate_7

# ----- complex step -----

@pytest.mark.parametrize("name", SEED_CASES)
def test_complex_step_on_seed_cases(name):
    case = CASES[name]
    params = case.params(case.sweep_values()[-1])
    inputs = case.inputs(0, params, 0)
    [result] = complex_step.run(case, params, [inputs], np.random.default_rng(0))
    hi, lo = closed_form_gradient(name, params, 0)
    assert result.status == "ok"
    relative = np.linalg.norm((result.jacobian - hi) - lo) / np.linalg.norm(hi)
    # As accurate as forward-mode AD, which does the same float arithmetic: 1e-14, or AD's own error where the
    # float primal is ill-conditioned (logistic n=8 at 0.2 amplifies the rounding of l_k to 1.5e-14 for both).
    if relative > 1e-14:
        [ad] = METHODS["tape_forward"].run(case, params, [inputs], np.random.default_rng(0))
        assert relative <= 2 * np.linalg.norm((ad.jacobian - hi) - lo) / np.linalg.norm(hi)


def _toy_case(fn, **options):
    return Case(name="toy", fn=fn, make_inputs=lambda rng: {"x": np.array([0.3, -0.7])}, wrt=("x",), **options)


@pytest.mark.parametrize("case, reason", [
    (_toy_case(lambda o, x: o.sum(o.abs(x))), "lost the imaginary part"),
    (_toy_case(lambda o, x: o.sum(np.floor(x) + x)), "raised TypeError"),
])
def test_complex_step_not_applicable_by_trial(case, reason):
    [result] = complex_step.run(case, {}, [case.inputs(0, {}, 0)], np.random.default_rng(0))
    assert result.status == "not_applicable"
    assert reason in result.message
    row = {"status": result.status, "method": "complex_step"}
    assert not is_failure(row)


def test_complex_step_scores_what_happens_not_a_flag():
    """x |x| keeps a complex value, so it is scored: Im((x + ih) |x + ih|) / h = |x|, half of d(x|x|)/dx = 2|x|."""
    case = _toy_case(lambda o, x: o.sum(x * o.abs(x)), complex_ok=False)
    [result] = complex_step.run(case, {}, [case.inputs(0, {}, 0)], np.random.default_rng(0))
    assert result.status == "ok"
    np.testing.assert_allclose(result.jacobian[0], [0.3, 0.7], rtol=1e-15)


# ----- random directions: error vs evaluations -----

def test_random_direction_error_matches_theory():
    """E ||G_S - grad||^2 / ||grad||^2 = (n - 1) / S for S directions uniform on the sphere."""
    case = CASES["log_quadratic"]
    inputs = case.inputs(0, {"n": 10}, 0)
    g, x = fd.flat_function(case, {"n": 10}, inputs)
    hi, _ = closed_form_gradient("log_quadratic", {"n": 10}, 0)
    rng = np.random.default_rng(3)
    counts = [1, 4, 10]
    squared = []
    for _ in range(300):
        directions = random_direction.unit_directions(rng, x.size, counts[-1])
        curve = random_direction.estimator_curve(g, x, directions, 1e-5, counts)
        squared.append([np.sum((c - hi) ** 2) / np.sum(hi ** 2) for c in curve])
    mean = np.mean(squared, axis=0)
    expected = np.array([(x.size - 1) / s for s in counts])
    assert mean == pytest.approx(expected, rel=0.2)     # 300 samples: a few standard errors


def test_random_direction_rows_reach_fd_evals():
    case = CASES["trace_example"]
    points = [case.inputs(0, {}, k) for k in range(2)]
    rng = np.random.default_rng(0)
    refs = [reference(case, {}, p, rng, 30) for p in points]
    output = JobOutput(job=None, points=random_direction.run(case, {}, points, np.random.default_rng(0)))
    tables = {name: [] for name in TABLES}
    method_rows(case, {}, METHODS["fd_random"], output, refs, tables)
    evals = frame("fd_evals", tables["fd_evals"])
    assert list(evals["samples"][evals["point"] == 0]) == [1, 2]
    assert list(evals["n_func_evals"][evals["point"] == 0]) == [2, 4]
    assert evals["expected_rel_error"][0] == pytest.approx(1.0)        # sqrt((2 - 1) / 1)
    assert (frame("results", tables["results"])["n_func_evals"] == 4).all()


def test_sweep_rows_and_theory_columns_reach_the_records():
    case = CASES["trace_example"]
    points = [case.inputs(0, {}, 0)]
    refs = [reference(case, {}, points[0], np.random.default_rng(0), 30)]
    tables = {name: [] for name in TABLES}
    for name in ("fd_central4", "complex_step", "richardson"):
        output = JobOutput(job=None, points=METHODS[name].run(case, {}, points, np.random.default_rng(0)))
        method_rows(case, {}, METHODS[name], output, refs, tables)
    results = frame("results", tables["results"]).set_index("method")
    assert results.loc["fd_central4", "theory_h"] > 0 and results.loc["fd_central4", "opt_h"] > 0
    assert results.loc["richardson", "error_estimate"] >= results.loc["richardson", "rel_error"]
    assert results.loc["complex_step", "rel_error"] <= 1e-15
    schemes = set(frame("fd_sweep", tables["fd_sweep"])["scheme"])
    assert schemes == {"central4", "complex_step"}


# ----- peers -----

@pytest.mark.parametrize("method", ["numdifftools", "scipy_differentiate"])
def test_peers_on_trace_example(method):
    pytest.importorskip("numdifftools" if method == "numdifftools" else "scipy.differentiate")
    case = CASES["trace_example"]
    [result] = METHODS[method].run(case, {}, [case.inputs(0, {}, 0)], np.random.default_rng(0))
    expected = np.array([[5.5, 2 - np.cos(5.0)]])
    assert result.status == "ok"
    assert np.linalg.norm(result.jacobian - expected) <= 1e-9 * np.linalg.norm(expected)
    assert result.extra["error_estimate"] >= np.linalg.norm(result.jacobian - expected) / np.linalg.norm(expected)
    assert result.extra["n_func_evals"] > 0


def test_peers_missing_are_skipped_not_failed(monkeypatch):
    real_import = importlib.import_module

    def without_peers(name, *args):
        if name.split(".")[0] in ("numdifftools", "scipy"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args)

    monkeypatch.setattr(peers.importlib, "import_module", without_peers)
    case = CASES["trace_example"]
    for method in ("numdifftools", "scipy_differentiate"):
        [result] = METHODS[method].run(case, {}, [case.inputs(0, {}, 0)], np.random.default_rng(0))
        assert result.status == "skipped" and "diffbench[peers]" in result.message
        assert not is_failure({"status": result.status, "method": method})
