"""The course's cases: hand-derived answers against the mpmath reference, and the lectures' worked numbers."""
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from diffbench import nn, records
from diffbench.ad import api
from diffbench.assemble import method_rows
from diffbench.backends import FloatOps, MpOps
from diffbench.case import load_cases
from diffbench.methods import DEFAULT_METHODS, METHODS
from diffbench.methods.analytic import analytic_jacobian
from diffbench.reference import reference
from diffbench.runner import is_failure
from diffbench.scoring import score
from diffbench.runner.worker import Job, execute

CASES = load_cases()
LECTURE_CASES = (
    "sum_times_difference", "log_sqrt_graph", "trace_example", "quadratic", "log_quadratic", "log_quadratic_general",
    "logdet", "linear_minus_logdet", "mds", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "swish", "gelu",
    "softmax", "cross_entropy_naive", "cross_entropy_stable", "neuron", "two_layer_tanh", "schwarz",
)
FLOAT_METHODS = ("tape_reverse", "tape_forward", "torch", "sympy")


def settings(case):
    """Every quick sweep value, except where float64 is expected to overflow (tested on its own below)."""
    return [case.params(v) for v in case.sweep_values("quick") if not case.nonfinite_reason(case.params(v))]


def test_every_lecture_case_has_an_answer_and_a_task():
    for name in LECTURE_CASES:
        case = CASES[name]
        assert case.analytic is not None, name
        assert case.note.strip(), name


@pytest.mark.parametrize("name", LECTURE_CASES)
def test_analytic_answer_matches_reference(name):
    case = CASES[name]
    for params in settings(case):
        for point in range(case.points):
            inputs = case.inputs(7, params, point)
            ref = reference(case, params, inputs, np.random.default_rng(point))
            assert ref["digits"] >= 30, (name, params, point)
            rel_error = score(analytic_jacobian(case, params, inputs), ref["hi"], ref["lo"])["rel_error"]
            assert rel_error <= 1e-13, f"{name} {params} point {point}: {rel_error:.3g}"


@pytest.mark.parametrize("method", ("analytic",) + FLOAT_METHODS)
def test_sum_times_difference_is_minus_one_two_minus_three(method):
    case = CASES["sum_times_difference"]
    inputs = case.inputs(0, {}, 0)
    assert [float(inputs[k]) for k in "xyz"] == [1.0, 2.0, 3.0]
    assert case.call(FloatOps(), inputs, {}) == -3.0
    jacobian = METHODS[method].run(case, {}, [inputs], np.random.default_rng(0))[0].jacobian
    assert jacobian.tolist() == [[-1.0, 2.0, -3.0]]


def test_log_sqrt_graph_by_the_lecture_chain_rule():
    case = CASES["log_sqrt_graph"]
    inputs = case.inputs(0, {}, 0)
    ctx = MpOps(40).ctx
    v1 = ctx.log(2)
    bar_v2 = 1 + 1 / (2 * ctx.sqrt(v1))                 # dL/dv2 = dL/dv3 dv3/dv2 + 1, with w2 = 1
    expected = [float(bar_v2 / 2), float(bar_v2 * v1)]  # dL/dw1 = bar_v2 w2 / w1, dL/dw2 = bar_v2 v1
    np.testing.assert_allclose(analytic_jacobian(case, {}, inputs)[0], expected, rtol=1e-15)
    np.testing.assert_allclose(expected, [0.8002806021966125, 1.109424486138794], rtol=1e-15)


def test_neuron_at_the_slide_point():
    case = CASES["neuron"]
    inputs = case.inputs(0, {}, 0)
    ctx = MpOps(40).ctx
    a_L = 1 / (1 + ctx.exp(-ctx.mpf("0.7")))            # z = 1.5 * 0.8 - 0.5
    assert float(a_L) == pytest.approx(0.66818777216816616, rel=1e-15)
    delta = 2 * (a_L - 1) * a_L * (1 - a_L)
    ref = reference(case, {}, inputs, np.random.default_rng(0))
    np.testing.assert_allclose(ref["hi"][0], [float(delta * ctx.mpf("0.8")), float(delta)], rtol=1e-13)


def test_softmax_jacobian_is_diag_s_minus_s_s_transpose():
    case = CASES["softmax"]
    params = case.params(None)
    inputs = case.inputs(0, params, 1)
    z = inputs["z"]
    s = np.exp(z) / np.exp(z).sum()
    expected = np.diag(s) - np.outer(s, s)
    ref = reference(case, params, inputs, np.random.default_rng(0))
    np.testing.assert_allclose(ref["hi"], expected, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(ref["hi"].sum(axis=0), 0.0, atol=1e-16)   # softmax sums to 1 whatever z is
    for method in ("tape_reverse", "tape_forward", "torch"):
        jacobian = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))[0].jacobian
        np.testing.assert_allclose(jacobian, expected, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("name,slopes", [("relu", (0.0, 1.0)), ("leaky_relu", (0.1, 1.0)),
                                         ("selu", (nn.SELU_SCALE * nn.SELU_ALPHA, nn.SELU_SCALE))])
def test_kinks_take_the_left_slope_at_zero_as_the_lecture_and_torch(name, slopes):
    """Lecture 000: ReLU'(z) = I[z > 0], so 0 at the kink, on every backend (torch's own relu agrees)."""
    case = CASES[name]
    params = case.params(None)
    inputs = case.inputs(0, params, 0)
    assert inputs["z"][2] == 0.0
    for method in ("analytic", "tape_reverse", "tape_forward", "torch", "sympy"):
        jacobian = METHODS[method].run(case, params, [inputs], np.random.default_rng(0))[0].jacobian
        assert jacobian[2, 2] == pytest.approx(slopes[0], rel=1e-15), method
        if name != "selu":     # piecewise linear: the same slopes away from the kink
            expected = np.diag([slopes[0], slopes[0], slopes[0], slopes[1], slopes[1]])
            np.testing.assert_allclose(jacobian, expected, rtol=1e-13, atol=1e-15, err_msg=method)
    if name == "relu":
        z = torch.tensor(inputs["z"], requires_grad=True)
        torch.relu(z).sum().backward()
        assert z.grad.tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_quadratic_hessian_is_a_plus_a_transpose():
    case = CASES["quadratic"]
    params = case.params(10)
    inputs = case.inputs(3, params, 1)
    xs, data = case.split(inputs)
    mp = MpOps(40)
    hessian = api.hessian(case.bind({k: mp.asarray(v) for k, v in data.items()}, params), mp,
                          [mp.asarray(x) for x in xs])
    A = inputs["A"]
    np.testing.assert_allclose(mp.to_float(hessian), A + A.T, rtol=1e-15, atol=0)


def _method_rows(case, params, methods):
    """Run the default methods in-process on one case parameter and assemble their result rows."""
    points = tuple(case.inputs(0, params, k) for k in range(case.points))
    common = dict(source=case.source, case=case.name, params=params, points=points, seed=0)
    references = execute(Job(kind="reference", **common)).points
    tables = {name: [] for name in records.TABLES}
    for method in methods:
        method_rows(case, params, METHODS[method], execute(Job(kind="method", method=method, **common)), references,
                    tables)
    return tables["results"], references


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")
def test_naive_cross_entropy_overflows_honestly_at_logits_near_1000():
    naive, stable = CASES["cross_entropy_naive"], CASES["cross_entropy_stable"]
    params = naive.params(1000)
    assert "overflows" in naive.nonfinite_reason(params)
    rows, references = _method_rows(naive, params, DEFAULT_METHODS)
    assert not any(is_failure(row) for row in rows)
    overflowing = ("analytic", "sympy", "fd_forward", "fd_central", "tape_reverse", "tape_forward", "torch")
    for row in rows:
        if row["method"] in overflowing:
            assert row["status"] == "inaccurate", row
            assert row["message"].startswith("returned NaN/inf") and "expected: exp(a_j) overflows" in row["message"]
    for index, ref in enumerate(references):           # the 50-digit reference has no overflow
        inputs = naive.inputs(0, params, index)
        assert np.all(np.isfinite(ref["hi"])) and ref["digits"] >= 30
        np.testing.assert_allclose(ref["hi"], analytic_jacobian(stable, params, inputs), rtol=1e-14, atol=1e-17)
        assert ref["value"] == pytest.approx(stable.call(FloatOps(), inputs, params), rel=1e-13)
    stable_rows, _ = _method_rows(stable, params, ("analytic", "tape_reverse", "tape_forward", "torch"))
    for row in stable_rows:
        assert row["status"] == "ok" and row["rel_error"] <= 1e-13, row


def test_naive_cross_entropy_is_fine_at_moderate_logits():
    case = CASES["cross_entropy_naive"]
    assert case.nonfinite_reason(case.params(0)) is None
    rows, _ = _method_rows(case, case.params(0), ("analytic", "tape_reverse", "torch"))
    assert all(row["status"] == "ok" and row["rel_error"] <= 1e-13 for row in rows)


def test_a_nan_where_none_is_expected_stays_a_failure():
    case = CASES["softmax"]
    params = case.params(None)
    rows, _ = _method_rows(case, params, ("analytic",))
    assert all(row["status"] == "ok" for row in rows)
    assert case.nonfinite_reason(params) is None   # so a NaN here would be "failed", as assemble has it


def test_analytic_is_not_applicable_without_an_answer():
    case = replace(CASES["quadratic"], analytic=None)
    params = case.params(2)
    result = METHODS["analytic"].run(case, params, [case.inputs(0, params, 0)], np.random.default_rng(0))[0]
    assert result.status == "not_applicable" and "'quadratic'" in result.message and result.jacobian is None


def test_analytic_of_the_wrong_shape_is_named():
    case = replace(CASES["quadratic"], analytic=lambda x, A, b, c: [x[:1]])
    params = case.params(2)
    with pytest.raises(ValueError, match="'quadratic': analytic gradient of x has shape"):
        analytic_jacobian(case, params, case.inputs(0, params, 0))


def test_schwarz_gradient_at_the_origin_is_zero_for_every_method():
    case = CASES["schwarz"]
    inputs = case.inputs(0, {}, 0)
    assert (float(inputs["x"]), float(inputs["y"])) == (0.0, 0.0)
    for method in ("analytic",) + FLOAT_METHODS + ("fd_central",):
        jacobian = METHODS[method].run(case, {}, [inputs], np.random.default_rng(0))[0].jacobian
        assert jacobian.tolist() == [[0.0, 0.0]], method


def test_schwarz_mixed_partials_by_method():
    from diffbench.experiments import schwarz
    table = schwarz.table()
    at_origin = table[(table["x"] == 0) & (table["y"] == 0)].set_index("method")
    # d/dy df/dx = -1 and d/dx df/dy = +1 at the origin (df/dx(0, y) = -y, df/dy(x, 0) = x)
    for method in ("analytic", "sympy_limits"):
        assert at_origin.loc[method, ["dy_dfdx", "dx_dfdy"]].tolist() == [-1.0, 1.0], method
    np.testing.assert_allclose(at_origin.loc["fd_nested", ["dy_dfdx", "dx_dfdy"]].astype(float), [-1.0, 1.0],
                               atol=1e-5)
    # AD and sympy differentiate the program's branch at 0 (a zero Hessian); the symmetric stencil averages to 0
    for method in ("tape", "torch", "sympy_piecewise", "fd_symmetric"):
        row = at_origin.loc[method]
        assert [row["d2f_dx2"], row["dy_dfdx"], row["dx_dfdy"], row["d2f_dy2"]] == [0.0] * 4, method
    assert at_origin["mixed_partials_differ"].to_dict() == {
        "analytic": True, "sympy_limits": True, "fd_nested": True,
        "fd_symmetric": False, "tape": False, "torch": False, "sympy_piecewise": False}
    # just off the origin the Hessian is symmetric, and its mixed partial is +1 on the x axis, -1 on the y axis
    near = table[(table["x"] != 0) | (table["y"] != 0)]
    on_x, on_y = near[near["y"] == 0].iloc[0], near[near["x"] == 0].iloc[0]
    assert math.isclose(on_x["dy_dfdx"], 1.0, rel_tol=1e-12) and math.isclose(on_x["dx_dfdy"], 1.0, rel_tol=1e-12)
    assert math.isclose(on_y["dy_dfdx"], -1.0, rel_tol=1e-12) and math.isclose(on_y["dx_dfdy"], -1.0, rel_tol=1e-12)
