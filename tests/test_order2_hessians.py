"""Second-order methods against closed forms (2I, A + Aᵀ), the two tape modes against each other, route 2 vs route 1."""
import importlib.util

import numpy as np
import pytest
import sympy

from diffbench.backends import SymOps
from diffbench.case import load_cases
from diffbench.methods import METHODS, SECOND_ORDER_METHODS
from diffbench.methods.symbolic import symbols_like
from diffbench.reference_hessian import reference_hessian
from diffbench.runner.second_order_jobs import eligible
from diffbench.runner.worker import PlannedParam
from diffbench.second_order import hvp_direction, n_inputs

CASES = load_cases()
LISTED = ("bowl", "quadratic", "log_quadratic", "logdet", "tanh_scalar", "mds")
needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                               reason="jax is not installed (the [peers] extra; .ci/run installs it)")


def settings(name):
    """(params, points) of every quick setting of the case that second order covers."""
    case = CASES[name]
    found = []
    for value in case.sweep_values("quick"):
        params = case.params(value)
        points = [case.inputs(0, params, k) for k in range(case.points)]
        if eligible(case, PlannedParam(params, tuple(points))):
            found.append((params, points))
    return found


def run_method(name, case_name, params, points, directions=None):
    case = CASES[case_name]
    directions = directions or [hvp_direction(0, case.name, params, k, n_inputs(case, p))
                                for k, p in enumerate(points)]
    results = METHODS[name].run(case, params, points, directions, np.random.default_rng(0))
    assert all(r.status == "ok" for r in results), [r.message for r in results]
    return [r.jacobian for r in results], directions


def exact_hessian(case_name, inputs):
    return 2 * np.eye(2) if case_name == "bowl" else inputs["A"] + inputs["A"].T


def relative(a, b) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_every_listed_case_is_covered_at_its_quick_settings():
    for name in LISTED:
        assert settings(name), name
    assert [p for p, _ in settings("mds")] == [{"d": 2, "N": 5}]   # MDS at small N only


@pytest.mark.parametrize("name", ["bowl", "quadratic"])
def test_sympy_hessians_are_2i_and_a_plus_a_transpose_exactly(name):
    case = CASES[name]
    for params, points in settings(name):
        symbols = {k: symbols_like(k, v) for k, v in points[0].items()}
        expression = np.asarray(case.call(SymOps(), symbols, params), dtype=object).reshape(-1)[0]
        wrt = list(np.asarray(symbols[case.wrt[0]], dtype=object).reshape(-1))
        hessian = sympy.hessian(expression, wrt)
        if name == "bowl":
            expected = 2 * sympy.eye(2)
        else:
            A = sympy.Matrix(np.asarray(symbols["A"], dtype=object))
            expected = A + A.T
        assert sympy.simplify(hessian - expected) == sympy.zeros(*expected.shape)
        computed, _ = run_method("sympy_hessian", name, params, points)
        for hessian_value, inputs in zip(computed, points):
            np.testing.assert_array_equal(hessian_value, exact_hessian(name, inputs))


@pytest.mark.parametrize("method", ["tape_hessian", "tape_hessian_rr", "torch_hessian"])
@pytest.mark.parametrize("name", ["bowl", "quadratic"])
def test_ad_hessians_are_2i_and_a_plus_a_transpose(method, name):
    for params, points in settings(name):
        computed, _ = run_method(method, name, params, points)
        for hessian, inputs in zip(computed, points):
            assert hessian.shape == (inputs[CASES[name].wrt[0]].size,) * 2
            assert relative(hessian, exact_hessian(name, inputs)) <= 1e-13


@pytest.mark.parametrize("method", ["tape_hvp", "tape_hvp_rr", "torch_hvp",
                                    pytest.param("jax_hvp", marks=needs_jax)])
@pytest.mark.parametrize("name", ["bowl", "quadratic"])
def test_hvps_are_the_exact_hessian_times_v_and_give_its_columns(method, name):
    for params, points in settings(name):
        n = points[0][CASES[name].wrt[0]].size
        computed, directions = run_method(method, name, params, points)
        for hv, v, inputs in zip(computed, directions, points):
            assert hv.shape == (1, n)
            assert relative(hv[0], exact_hessian(name, inputs) @ v) <= 1e-13
        columns = [run_method(method, name, params, points[:1], [np.eye(n)[k]])[0][0][0] for k in range(n)]
        assert relative(np.stack(columns, axis=1), exact_hessian(name, points[0])) <= 1e-13


@pytest.mark.parametrize("name", LISTED)
def test_reverse_over_reverse_agrees_with_forward_over_reverse_on_symmetric_hessians(name):
    for params, points in settings(name):
        forward, directions = run_method("tape_hessian", name, params, points)
        reverse, _ = run_method("tape_hessian_rr", name, params, points, directions)
        forward_hv, _ = run_method("tape_hvp", name, params, points, directions)
        reverse_hv, _ = run_method("tape_hvp_rr", name, params, points, directions)
        for h_f, h_r, hv_f, hv_r, v in zip(forward, reverse, forward_hv, reverse_hv, directions):
            assert relative(h_f, h_f.T) <= 1e-13    # symmetric, so the two orders must agree
            assert relative(h_r, h_f) <= 1e-13
            assert relative(hv_r, hv_f) <= 1e-13
            assert relative(hv_f[0], h_f @ v) <= 1e-13


@pytest.mark.parametrize("name", LISTED)
def test_route_2_agrees_with_route_1_to_25_digits(name):
    case = CASES[name]
    for params, points in settings(name):
        for k, inputs in enumerate(points):
            v = hvp_direction(0, name, params, k, n_inputs(case, inputs))
            ref = reference_hessian(case, params, inputs, v, np.random.default_rng(k))
            assert ref["digits"] >= 25, (params, k, ref["digits"], ref["route2"])
            assert ref["route2"].startswith("second differences")
            np.testing.assert_allclose(ref["hvp_hi"][0], ref["hi"] @ v, rtol=1e-14, atol=1e-14)


def test_route_2_sees_a_wrong_route_1(monkeypatch):
    """Route 2 is rule-free: a Hessian off by 1e-20 in one entry (what a wrong rule would do) is caught."""
    import diffbench.reference_hessian as module
    case = CASES["quadratic"]
    params, points = settings("quadratic")[0]
    honest = module.exact_jacobian

    def off(*args, **kwargs):
        hessian, *rest = honest(*args, **kwargs)
        hessian = hessian.copy()
        hessian[0, 1] = hessian[0, 1] + hessian[0, 1] * 1e-20
        return (hessian, *rest)
    monkeypatch.setattr(module, "exact_jacobian", off)
    ref = reference_hessian(case, params, points[0], np.array([1.0, 0.0]), np.random.default_rng(0))
    assert 18 <= ref["digits"] <= 22


@pytest.mark.parametrize("name", LISTED)
def test_every_second_order_method_scores_every_listed_case(name):
    """The numeric methods too: central differences of the exact gradient ~10 digits, complex step ~15."""
    from diffbench.scoring import score
    from diffbench.second_order import hvp_reference
    case = CASES[name]
    params, points = settings(name)[0]
    directions = [hvp_direction(0, name, params, k, n_inputs(case, p)) for k, p in enumerate(points)]
    refs = [reference_hessian(case, params, p, v, np.random.default_rng(0)) for p, v in zip(points, directions)]
    floors = {"fd_hessian": 8.0}
    for method in SECOND_ORDER_METHODS:
        if method == "jax_hvp" and importlib.util.find_spec("jax") is None:
            continue
        computed, _ = run_method(method, name, params, points, directions)
        for value, ref in zip(computed, refs):
            ref = hvp_reference(ref) if METHODS[method].derivative == "hvp" else ref
            digits = score(value, ref["hi"], ref["lo"])["correct_digits"]
            assert digits >= floors.get(method, 13.0), (method, digits)
