"""JAX as a peer: jax.jacrev / jax.jacfwd in float64 against the mpmath reference, compilation as setup."""
import importlib.util

import numpy as np
import pytest

from diffbench.case import load_cases
from diffbench.methods import METHODS, jax_peer
from diffbench.floor import point_floor
from diffbench.kinks import kink_score
from diffbench.reference import reference
from diffbench.scoring import score

CASES = load_cases()
JAX_METHODS = ("jax_grad", "jax_jacfwd")
needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                               reason="jax is not installed (the [peers] extra; .ci/run installs it)")


def first_setting(case):
    return case.params(case.sweep_values("quick")[0])


def allowed_error(ref) -> float:
    """1e-13, or what float64 allows at the point when its floor is lower (cancellation in f, conditioning)."""
    floor = min(ref.get("attainable_digits", 16.0), ref.get("f_digits", 16.0))
    return max(1e-13, 10.0 ** -(floor - 1.0))


def assert_matches_or_is_one_sided(jacobian, ref, label, tape=None):
    """Off kinks the reference to 1e-13 (or the point's float64 floor); at a kink a one-sided derivative.
    Where f's own float64 code has lost its digits (cancellation) below what the inputs' conditioning allows, no
    method of that code can be held to the reference: there JAX must return finite numbers, and the tape must be
    as far off (the code is the limit). NB: where conditioning is the lower limit (an ill-conditioned log det
    keeps 11.8 digits of f but allows 9.4 of its gradient), the floor below holds every method to it instead."""
    f_digits = ref.get("f_digits", 16.0)
    if f_digits < 12.0 and f_digits < ref.get("attainable_digits", 16.0):
        assert np.all(np.isfinite(jacobian)), label
        tape_error = score(tape, ref["hi"], ref["lo"])["rel_error"]
        assert tape_error > 1e-6, f"{label}: the tape is accurate where f has only {ref['f_digits']:.1f} digits"
        return
    if not ref["kink"]:
        assert score(jacobian, ref["hi"], ref["lo"])["rel_error"] <= allowed_error(ref), label
        return
    scored = kink_score(jacobian, ref)
    assert scored["kink_verdict"] == "one-sided derivative", label
    assert scored["rel_error"] <= allowed_error(ref), label


@needs_jax
@pytest.mark.parametrize("name", sorted(CASES))
def test_jax_matches_the_reference_in_float64(name):
    case = CASES[name]
    params = first_setting(case)
    points = [case.inputs(0, params, k) for k in range(case.points)]
    references = [{**reference(case, params, inputs, np.random.default_rng(k)),
                   **point_floor(case, params, inputs, 0, k, 50)} for k, inputs in enumerate(points)]
    for method in JAX_METHODS:
        results = METHODS[method].run(case, params, points, np.random.default_rng(0))
        for k, (result, ref) in enumerate(zip(results, references)):
            assert result.status == "ok", (method, k, result.message)
            assert result.jacobian.dtype == np.float64
            tape = METHODS["tape_reverse"].run(case, params, [points[k]], np.random.default_rng(0))[0].jacobian
            assert_matches_or_is_one_sided(result.jacobian, ref, f"{name} {method} {k}", tape)


@needs_jax
@needs_jax
def test_at_the_relu_kink_jax_takes_the_left_slope_like_torch():
    case = CASES["relu"]
    params = first_setting(case)
    inputs = case.inputs(0, params, 0)
    assert inputs["z"][2] == 0.0
    for method in JAX_METHODS:
        jacobian = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))[0].jacobian
        np.testing.assert_array_equal(np.diag(jacobian), [0.0, 0.0, 0.0, 1.0, 1.0])   # o.where(z > 0, z, 0)


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
