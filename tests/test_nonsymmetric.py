"""Non-symmetric library cases: the matrices really are non-symmetric and every exact method gets the transpose."""
import numpy as np
import pytest

from diffbench.case import load_cases
from diffbench.methods import METHODS
from diffbench.reference import reference
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS, THRESHOLDS

CASES = load_cases()
SIZES = {"log_quadratic_general": 10, "logdet_general": 5, "mds_weighted": 5}
EXACT_METHODS = ("tape_reverse", "tape_forward", "torch")


def closed_form(name, inputs):
    """Gradients written out by hand, with the transpose each one needs."""
    if name == "log_quadratic_general":
        x, A = inputs["x"], inputs["A"]
        return (A + A.T) @ x / (x @ A @ x)
    if name == "logdet_general":
        return np.linalg.inv(inputs["X"]).T
    if name == "mds_weighted":
        W, D, V = inputs["W"], inputs["D"], inputs["V"]
        diff = W[:, None, :] - W[None, :, :]
        r = np.sum(diff ** 2, axis=-1) - D
        return 4 * np.einsum("kj,kjd->kd", V * r + (V * r).T, diff)
    raise KeyError(name)


def transpose_blind(name, inputs):
    """What a gradient that forgot the transpose would give: it must differ from the truth by far."""
    if name == "log_quadratic_general":
        x, A = inputs["x"], inputs["A"]
        return 2 * A @ x / (x @ A @ x)
    if name == "logdet_general":
        return np.linalg.inv(inputs["X"])
    W, D, V = inputs["W"], inputs["D"], inputs["V"]
    diff = W[:, None, :] - W[None, :, :]
    r = np.sum(diff ** 2, axis=-1) - D
    return 8 * np.einsum("kj,kjd->kd", V * r, diff)


def point(name, index, seed=0):
    case = CASES[name]
    params = case.params(SIZES[name])
    return case, params, case.inputs(seed, params, index)


@pytest.mark.parametrize("name", sorted(SIZES))
@pytest.mark.parametrize("index", [0, 1])
def test_matrices_are_far_from_symmetric(name, index):
    _, _, inputs = point(name, index)
    matrix = inputs.get("A", inputs.get("X", inputs.get("V")))
    asymmetry = np.linalg.norm(matrix - matrix.T) / np.linalg.norm(matrix)
    assert asymmetry > 0.1
    truth, blind = closed_form(name, inputs), transpose_blind(name, inputs)
    assert np.linalg.norm(truth - blind) > 0.05 * np.linalg.norm(truth)


@pytest.mark.parametrize("name", sorted(SIZES))
@pytest.mark.parametrize("index", [0, 1])
def test_reference_matches_closed_form(name, index):
    case, params, inputs = point(name, index, seed=5)
    ref = reference(case, params, inputs, np.random.default_rng(2))
    expected = closed_form(name, inputs).reshape(-1)
    np.testing.assert_allclose(ref["hi"][0], expected, rtol=1e-11, atol=1e-13 * np.abs(expected).max())
    assert ref["digits"] >= REFERENCE_AGREEMENT_DIGITS


@pytest.mark.parametrize("name", sorted(SIZES))
@pytest.mark.parametrize("method", EXACT_METHODS + ("analytic",))
def test_exact_methods_get_the_transpose(name, method):
    case, params, inputs = point(name, 1, seed=7)
    result = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))[0]
    expected = closed_form(name, inputs).reshape(1, -1)
    error = np.linalg.norm(result.jacobian - expected) / np.linalg.norm(expected)
    assert error <= THRESHOLDS[method].max_rel_error


@pytest.mark.parametrize("n", [2, 5, 20, 100])
def test_logdet_general_has_positive_determinant(n):
    case = CASES["logdet_general"]
    for index in range(3):
        X = case.inputs(index, case.params(n), index)["X"]
        assert np.linalg.slogdet(X)[0] > 0
        assert (np.linalg.eigvals(X).real > 0).all()     # positive definite + antisymmetric


def test_cases_reject_inputs_outside_their_domain():
    case = CASES["logdet_general"]
    assert "det X must be > 0" in case.check_inputs(X=-np.eye(3), n=3)
    weighted = CASES["mds_weighted"]
    bad = {"W": np.zeros((3, 2)), "D": np.zeros((3, 3)), "V": -np.ones((3, 3))}
    assert "non-negative" in weighted.check_inputs(**bad, N=3, d=2)
