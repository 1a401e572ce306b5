"""The vanishing-gradient experiment: lecture 000's claim measured, and its norms by an independent route."""
import numpy as np
import torch

from diffbench.experiments import vanishing


def test_sigmoid_gradients_shrink_by_about_a_quarter_per_layer_and_relu_keeps_them():
    summary = vanishing.summary(vanishing.gradient_table(depths=(16,), repeats=4, seed=0)).set_index("activation")
    # sigma' <= 1/4: with weights of unit gain each layer back towards the input scales the gradient by ~E sigma'
    assert 0.15 < summary.loc["sigmoid", "shrink_per_layer"] <= 0.25
    assert summary.loc["sigmoid", "verdict"] == "vanishes"
    assert summary.loc["sigmoid", "first_over_last"] < 1e-8
    assert summary.loc["relu", "verdict"] == "kept" and summary.loc["tanh", "verdict"] == "kept"
    assert summary["lecture_claim"].str.startswith("holds").all()


def test_layer_norms_match_torch_autograd():
    depth = 6
    ours = vanishing.layer_gradient_norms("sigmoid", depth, np.random.default_rng(5))
    rng = np.random.default_rng(5)            # the same draws, in the same order, as layer_gradient_norms
    X = torch.tensor(rng.standard_normal((vanishing.BATCH, vanishing.WIDTH)))
    y = torch.tensor(rng.standard_normal((vanishing.BATCH, 1)))
    weights = [torch.tensor(rng.standard_normal((vanishing.WIDTH, vanishing.WIDTH)) / np.sqrt(vanishing.WIDTH),
                            requires_grad=True) for _ in range(depth)]
    readout = torch.tensor(rng.standard_normal((vanishing.WIDTH, 1)) / np.sqrt(vanishing.WIDTH))
    A = X
    for W in weights:
        A = torch.sigmoid(A @ W)
    (((A @ readout - y) ** 2).sum() / vanishing.BATCH).backward()
    np.testing.assert_allclose(ours, [W.grad.norm().item() for W in weights], rtol=1e-12)


def test_the_table_is_seeded():
    a = vanishing.gradient_table(depths=(4,), repeats=2, seed=3)
    b = vanishing.gradient_table(depths=(4,), repeats=2, seed=3)
    c = vanishing.gradient_table(depths=(4,), repeats=2, seed=4)
    assert a.equals(b) and not a["grad_norm"].equals(c["grad_norm"])
