"""JAX as a peer: jax.jacrev / jax.jacfwd in float64 against the mpmath reference, compilation as setup."""
import importlib.util

import numpy as np
import pytest

from diffbench.backends import MpOps
from diffbench.case import load_cases
from diffbench.methods import METHODS, jax_peer
from diffbench.methods.base import unflatten
from diffbench.reference import reference
from diffbench.scoring import score

CASES = load_cases()
JAX_METHODS = ("jax_grad", "jax_jacfwd")
needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                               reason="jax is not installed (the [peers] extra; .ci/run installs it)")


def first_setting(case):
    return case.params(case.sweep_values("quick")[0])


def one_sided_jacobians(case, params, inputs, step="1e-30"):
    """(left, right) one-sided difference Jacobians at 50 digits: exact to ~1e-30 for piecewise-smooth f."""
    mp = MpOps(50)
    xs, data = case.split(inputs)
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    x_mp = [mp.asarray(x) for x in xs]
    flat = np.concatenate([np.asarray(x, dtype=object).reshape(-1) for x in x_mp])
    f0 = np.asarray(f(mp, *x_mp), dtype=object).reshape(-1)
    t = mp.ctx.mpf(step)
    sides = []
    for sign in (-1, 1):
        columns = []
        for j in range(flat.size):
            shifted = flat.copy()
            shifted[j] = shifted[j] + sign * t
            fj = np.asarray(f(mp, *unflatten(shifted, x_mp)), dtype=object).reshape(-1)
            columns.append([float((a - b) / (sign * t)) for a, b in zip(fj, f0)])
        sides.append(np.array(columns).T)
    return sides


def assert_matches_or_is_one_sided(jacobian, ref, case, params, inputs, label):
    """Off kinks the reference to 1e-13; on a kink (one-sided derivatives differ) between the two sides."""
    if score(jacobian, ref["hi"], ref["lo"])["rel_error"] <= 1e-13:
        return
    left, right = one_sided_jacobians(case, params, inputs)
    kink = ~np.isclose(left, right, rtol=1e-20, atol=1e-20)
    assert kink.any(), f"{label}: off the reference and not at a kink"
    low, high = np.minimum(left, right), np.maximum(left, right)
    assert np.all((jacobian >= low - 1e-13) & (jacobian <= high + 1e-13)), f"{label}: outside the one-sided limits"
    np.testing.assert_allclose(jacobian[~kink], ref["hi"][~kink], rtol=1e-13, atol=1e-15, err_msg=label)


@needs_jax
@pytest.mark.parametrize("name", sorted(CASES))
def test_jax_matches_the_reference_in_float64(name):
    case = CASES[name]
    params = first_setting(case)
    points = [case.inputs(0, params, k) for k in range(case.points)]
    references = [reference(case, params, inputs, np.random.default_rng(k)) for k, inputs in enumerate(points)]
    for method in JAX_METHODS:
        results = METHODS[method].run(case, params, points, np.random.default_rng(0))
        for k, (result, ref) in enumerate(zip(results, references)):
            assert result.status == "ok", (method, k, result.message)
            assert result.jacobian.dtype == np.float64
            assert_matches_or_is_one_sided(result.jacobian, ref, case, params, points[k], f"{name} {method} {k}")


@needs_jax
@needs_jax
def test_at_relu_kink_jax_takes_the_right_derivative():
    case = CASES["relu"]
    params = first_setting(case)
    inputs = case.inputs(0, params, 0)
    assert inputs["z"][2] == 0.0
    left, right = one_sided_jacobians(case, params, inputs)
    assert (left[2, 2], right[2, 2]) == (0.0, 1.0)
    jacobian = METHODS["jax_grad"].run(case, params, [inputs], np.random.default_rng(0))[0].jacobian
    assert jacobian[2, 2] == 1.0            # jax: d|z|/dz = 1 at 0, so (z + |z|)/2 has slope 1 there


@needs_jax
def test_compilation_is_setup_and_later_calls_are_evaluation():
    case = CASES["mds"]
    params = first_setting(case)
    points = [case.inputs(0, params, k) for k in range(case.points)]
    for method in JAX_METHODS:
        results = METHODS[method].run(case, params, points, np.random.default_rng(0))
        compile_s = results[0].timings["compile"]
        assert all(r.setup_time_s == compile_s for r in results)        # one compilation serves every point
        assert all(r.eval_time_s < compile_s for r in results)          # tracing + XLA dwarf one call


def test_without_jax_the_methods_are_skipped_with_the_install_command(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(jax_peer.importlib.util, "find_spec",
                        lambda name, *a: None if name == "jax" else real_find_spec(name, *a))
    case = CASES["logistic"]
    params = first_setting(case)
    results = METHODS["jax_grad"].run(case, params, [case.inputs(0, params, 0)], np.random.default_rng(0))
    assert [r.status for r in results] == ["skipped"]
    assert "pip install -e '.[peers]'" in results[0].message
