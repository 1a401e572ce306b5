"""Backpropagation by hand: one sigmoid neuron's squared error, and a two-layer tanh network's mean-squared loss."""
import numpy as np

from diffbench import nn
from diffbench.case import Case


def neuron_cost(o, w, b, a, y):
    """C0 = (a_L - y)^2 with a_L = sigma(z), z = w a + b (lecture 3's one-neuron-per-layer network)."""
    residual = nn.sigmoid(o, w * a + b) - y
    return residual * residual


def neuron_gradient(w, b, a, y):
    """dC0/dw = 2(a_L - y) sigma'(z) a and dC0/db = 2(a_L - y) sigma'(z), by the chain rule."""
    z = w * a + b
    a_L = 1 / (1 + np.exp(-z))
    delta = 2 * (a_L - y) * a_L * (1 - a_L)
    return [delta * a, delta]


def network_loss(o, W1, b1, W2, b2, X, T):
    return nn.mean_squared_error(o, nn.tanh_mlp(o, X, W1, b1, W2, b2), T)


def network_inputs(rng, batch, n_in, hidden):
    X = rng.standard_normal((batch, n_in))
    return {"W1": rng.standard_normal((n_in, hidden)) / np.sqrt(n_in), "b1": 0.1 * rng.standard_normal(hidden),
            "W2": rng.standard_normal((hidden, 1)) / np.sqrt(hidden), "b2": 0.1 * rng.standard_normal(1),
            "X": X, "T": np.sin(X.sum(axis=1, keepdims=True))}


def network_gradient(W1, b1, W2, b2, X, T):
    """Backpropagation written out: forward, then the chain rule layer by layer."""
    H = np.tanh(X @ W1 + b1)
    P = H @ W2 + b2
    dP = 2 * (P - T) / P.size          # d mean((P - T)^2) / dP
    dZ = (dP @ W2.T) * (1 - H ** 2)    # through tanh: tanh' = 1 - tanh^2
    return [X.T @ dZ, dZ.sum(axis=0), H.T @ dP, dP.sum(axis=0)]


def _check_network(batch, n_in, hidden):
    for name, value in (("batch", batch), ("n_in", n_in), ("hidden", hidden)):
        if int(value) != value or value < 1:
            return f"parameter {name}={value} must be an integer >= 1"
    return None


CASES = (
    Case(
        name="neuron",
        fn=neuron_cost,
        make_inputs=lambda rng: {"w": rng.standard_normal(), "b": rng.standard_normal(),
                                 "a": rng.uniform(0.0, 1.0), "y": 1.0},
        canonical=lambda: {"w": 1.5, "b": -0.5, "a": 0.8, "y": 1.0},
        wrt=("w", "b"),
        points=3,
        analytic=neuron_gradient,
        note=r"One neuron per layer: $z = w a^{(L-1)} + b$, $a^{(L)} = \sigma(z)$, $C_0 = (a^{(L)} - y)^2$. "
             r"Find $\partial C_0/\partial w$ and $\partial C_0/\partial b$. "
             r"Answer: $2(a^{(L)} - y)\,\sigma'(z)\,a^{(L-1)}$ and $2(a^{(L)} - y)\,\sigma'(z)$. "
             r"At $w = 1.5$, $b = -0.5$, $a^{(L-1)} = 0.8$, $y = 1$: $z = 0.7$, $a^{(L)} = 0.668$, "
             r"so $C_0 \approx (0.67 - 1.00)^2$ as on the slide.",
    ),
    Case(
        name="two_layer_tanh",
        fn=network_loss,
        make_inputs=network_inputs,
        wrt=("W1", "b1", "W2", "b2"),
        fixed={"batch": 8, "n_in": 3, "hidden": 4},
        check_params=_check_network,
        analytic=network_gradient,
        note=r"A two-layer network $P = \tanh(X W_1 + b_1) W_2 + b_2$ on a seeded batch of 8 samples "
             r"(3 inputs, 4 hidden units), loss $C = \frac1B \sum_k (P_k - T_k)^2$. Find the gradient with "
             r"respect to $W_1, b_1, W_2, b_2$ by backpropagation. Answer: with $H = \tanh(XW_1 + b_1)$, "
             r"$\delta_P = 2(P - T)/B$, $\delta_Z = \delta_P W_2^T \odot (1 - H^2)$: "
             r"$\nabla_{W_2} = H^T\delta_P$, $\nabla_{b_2} = \sum_k \delta_P$, "
             r"$\nabla_{W_1} = X^T\delta_Z$, $\nabla_{b_1} = \sum_k \delta_Z$.",
    ),
)
