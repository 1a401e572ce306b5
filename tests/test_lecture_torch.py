"""Lecture 000's torch examples: the printed values reproduced by every backend and by torch itself."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from diffbench.backends import FloatOps, MpOps
from diffbench.case import load_cases
from diffbench.methods import METHODS
from diffbench.methods.analytic import analytic_jacobian
from diffbench.reference import reference
from diffbench.scoring import score
from diffbench_cases import lecture_torch as lt

CASES = load_cases()
GRADIENT_METHODS = ("analytic", "tape_reverse", "tape_forward", "torch", "sympy")


def lecture_value(name, ops):
    case = CASES[name]
    inputs = case.inputs(0, {}, 0)
    return case.call(ops, {k: ops.asarray(v) for k, v in inputs.items()} if hasattr(ops, "asarray") else inputs, {})


@pytest.mark.parametrize("name,printed", [("cross_entropy_batch", lt.LECTURE_LOSS),
                                          ("feedforward_3_5", lt.LECTURE_OUTPUT)])
def test_the_printed_value_at_point_0(name, printed):
    float_value = float(lecture_value(name, FloatOps()))
    mp_value = float(lecture_value(name, MpOps(40)))
    assert round(float_value, 4) == printed
    assert mp_value == pytest.approx(float_value, rel=1e-14)


def test_cross_entropy_batch_is_torch_cross_entropy():
    logits = torch.tensor(lt.LECTURE_LOGITS, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(logits, torch.tensor(lt.LECTURE_TARGETS))
    loss.backward()
    case = CASES["cross_entropy_batch"]
    inputs = case.inputs(0, {}, 0)
    assert float(case.call(FloatOps(), inputs, {})) == pytest.approx(loss.item(), rel=1e-15)
    np.testing.assert_allclose(analytic_jacobian(case, {}, inputs)[0], logits.grad.numpy().ravel(), rtol=1e-14)


def test_feedforward_3_5_is_the_lecture_network():
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1, bias=False),
                              torch.nn.Sigmoid()).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(lt.LECTURE_FC1_WEIGHT, dtype=torch.float64))
        net[0].bias.copy_(torch.tensor(lt.LECTURE_FC1_BIAS, dtype=torch.float64))
        net[2].weight.copy_(torch.tensor([lt.LECTURE_FC2_WEIGHT], dtype=torch.float64))
    output = net(torch.tensor(lt.LECTURE_X, dtype=torch.float64))
    output.sum().backward()
    case = CASES["feedforward_3_5"]
    inputs = case.inputs(0, {}, 0)
    assert float(case.call(FloatOps(), inputs, {})) == pytest.approx(output.item(), rel=1e-15)
    torch_gradient = np.concatenate([net[0].weight.grad.numpy().ravel(), net[0].bias.grad.numpy(),
                                     net[2].weight.grad.numpy().ravel()])
    np.testing.assert_allclose(analytic_jacobian(case, {}, inputs)[0], torch_gradient, rtol=1e-14)


@pytest.mark.parametrize("name", ["cross_entropy_batch", "feedforward_3_5"])
@pytest.mark.parametrize("point", [0, 1])
def test_every_gradient_method_against_the_reference(name, point):
    case = CASES[name]
    inputs = case.inputs(0, {}, point)
    ref = reference(case, {}, inputs, np.random.default_rng(point))
    assert ref["digits"] >= 30
    for method in GRADIENT_METHODS:
        jacobian = METHODS[method].run(case, {}, [inputs], np.random.default_rng(0))[0].jacobian
        assert score(jacobian, ref["hi"], ref["lo"])["rel_error"] <= 1e-13, (method, point)


def test_feedforward_points_stay_off_the_relu_kink():
    case = CASES["feedforward_3_5"]
    for point in range(case.points):
        inputs = case.inputs(0, {}, point)
        z = inputs["W1"] @ inputs["x"] + inputs["b1"]
        assert np.min(np.abs(z)) > 1e-6
