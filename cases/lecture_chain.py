"""Lecture 004's chain rule one layer further back, and a depth-t sigmoid network on a batch (b x n_k shapes)."""
import numpy as np

from diffbench import nn
from diffbench.case import Case

HIDDEN = 4      # hidden width of the deep network
N_IN = 3
BATCH = 5


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def neuron_chain_cost(o, w_L, b_L, w_prev, b_prev, a_prev2, y):
    """C0 = (a^(L) - y)^2, a^(L) = sigma(w^(L) a^(L-1) + b^(L)), a^(L-1) = sigma(w^(L-1) a^(L-2) + b^(L-1))."""
    a_prev = nn.sigmoid(o, w_prev * a_prev2 + b_prev)
    residual = nn.sigmoid(o, w_L * a_prev + b_L) - y
    return residual * residual


def neuron_chain_gradient(w_L, b_L, w_prev, b_prev, a_prev2, y):
    """The lecture's products of partials, layer L then layer L-1 (through dC0/da^(L-1) = ... w^(L))."""
    a_prev = _sigmoid(w_prev * a_prev2 + b_prev)
    a_L = _sigmoid(w_L * a_prev + b_L)
    dC_dz_L = 2 * (a_L - y) * a_L * (1 - a_L)          # dC0/da^(L) * da^(L)/dz^(L)
    dC_da_prev = dC_dz_L * w_L                           # dz^(L)/da^(L-1) = w^(L)
    dC_dz_prev = dC_da_prev * a_prev * (1 - a_prev)     # da^(L-1)/dz^(L-1) = sigma'(z^(L-1))
    return [dC_dz_L * a_prev, dC_dz_L, dC_dz_prev * a_prev2, dC_dz_prev, dC_dz_prev * w_prev]


def deep_sigmoid_loss(o, X, T, W_in, W_hidden, b, W_out, depth):
    """t = depth layers: A_1 = sigma(X W_in + b_1), A_k = sigma(A_{k-1} W_k + b_k), P = A_{t-1} W_out."""
    A = nn.sigmoid(o, o.matmul(X, W_in) + o.getitem(b, 0))
    for k in range(depth - 2):
        A = nn.sigmoid(o, o.matmul(A, o.getitem(W_hidden, k)) + o.getitem(b, k + 1))
    return nn.mean_squared_error(o, o.matmul(A, W_out), T)


def deep_sigmoid_inputs(rng, depth):
    """Xavier-style weights N(0, 1/fan_in), biases 0.1 N(0, 1), a batch X (b x n_0) and targets (b x 1)."""
    X = rng.standard_normal((BATCH, N_IN))
    return {"X": X, "T": np.sin(X.sum(axis=1, keepdims=True)),
            "W_in": rng.standard_normal((N_IN, HIDDEN)) / np.sqrt(N_IN),
            "W_hidden": rng.standard_normal((depth - 2, HIDDEN, HIDDEN)) / np.sqrt(HIDDEN),
            "b": 0.1 * rng.standard_normal((depth - 1, HIDDEN)),
            "W_out": rng.standard_normal((HIDDEN, 1)) / np.sqrt(HIDDEN)}


def deep_sigmoid_gradient(X, T, W_in, W_hidden, b, W_out, depth):
    """Backpropagation: delta_k = (delta_{k+1} W_{k+1}^T) * A_k (1 - A_k), layer by layer from the output."""
    weights = [W_in, *W_hidden]
    activations = [X]
    for k, W in enumerate(weights):
        activations.append(_sigmoid(activations[-1] @ W + b[k]))
    P = activations[-1] @ W_out
    dP = 2 * (P - T) / P.size
    grad_W_out = activations[-1].T @ dP
    delta = (dP @ W_out.T) * activations[-1] * (1 - activations[-1])
    grad_W, grad_b = [None] * len(weights), [None] * len(weights)
    for k in range(len(weights) - 1, -1, -1):
        grad_W[k], grad_b[k] = activations[k].T @ delta, delta.sum(axis=0)
        if k > 0:
            delta = (delta @ weights[k].T) * activations[k] * (1 - activations[k])
    hidden = np.array(grad_W[1:]).reshape(W_hidden.shape)
    return [grad_W[0], hidden, np.array(grad_b), grad_W_out]


def _check_depth(depth):
    return None if int(depth) == depth and depth >= 3 else f"parameter depth={depth} must be an integer >= 3"


CASES = (
    Case(
        name="neuron_chain",
        fn=neuron_chain_cost,
        make_inputs=lambda rng: {"w_L": rng.standard_normal(), "b_L": rng.standard_normal(),
                                 "w_prev": rng.standard_normal(), "b_prev": rng.standard_normal(),
                                 "a_prev2": rng.uniform(0.0, 1.0), "y": 1.0},
        canonical=lambda: {"w_L": 1.5, "b_L": -0.5, "w_prev": 0.8, "b_prev": 0.1, "a_prev2": 0.6, "y": 1.0},
        wrt=("w_L", "b_L", "w_prev", "b_prev", "a_prev2"),
        points=3,
        analytic=neuron_chain_gradient,
        note=r"Lecture 004's chain, one layer further back: $a^{(L-1)} = \sigma(w^{(L-1)} a^{(L-2)} + b^{(L-1)})$, "
             r"$a^{(L)} = \sigma(w^{(L)} a^{(L-1)} + b^{(L)})$, $C_0 = (a^{(L)} - y)^2$. Find the gradient with "
             r"respect to $w^{(L)}, b^{(L)}, w^{(L-1)}, b^{(L-1)}$ and $a^{(L-2)}$. Answer: with "
             r"$\delta^{(L)} = 2(a^{(L)} - y)\sigma'(z^{(L)})$, $\partial C_0/\partial a^{(L-1)} = "
             r"\delta^{(L)} w^{(L)}$ and $\delta^{(L-1)} = \delta^{(L)} w^{(L)} \sigma'(z^{(L-1)})$: "
             r"$\partial C_0/\partial w^{(L)} = \delta^{(L)} a^{(L-1)}$, $\partial C_0/\partial b^{(L)} = "
             r"\delta^{(L)}$, $\partial C_0/\partial w^{(L-1)} = \delta^{(L-1)} a^{(L-2)}$, "
             r"$\partial C_0/\partial b^{(L-1)} = \delta^{(L-1)}$, $\partial C_0/\partial a^{(L-2)} = "
             r"\delta^{(L-1)} w^{(L-1)}$.",
    ),
    Case(
        name="deep_sigmoid",
        fn=deep_sigmoid_loss,
        make_inputs=deep_sigmoid_inputs,
        wrt=("W_in", "W_hidden", "b", "W_out"),
        sweep="depth",
        values=(4, 6, 8),
        quick_values=(4,),
        full_values=(4, 6, 8, 12),
        check_params=_check_depth,
        analytic=deep_sigmoid_gradient,
        note=r"A depth-$t$ sigmoid network on a batch of 5 samples (rows of $X \in \mathbb{R}^{5\times 3}$): "
             r"$A_1 = \sigma(X W_1 + b_1)$, $A_k = \sigma(A_{k-1} W_k + b_k)$ for $k < t$ (width 4, so each "
             r"$A_k$ is $5 \times 4$), $P = A_{t-1} W_t$, loss $C = \frac15\sum_i (P_i - T_i)^2$. Find the "
             r"gradient with respect to every $W_k$ and $b_k$ by backpropagation. Answer: $\delta_P = 2(P - T)/5$, "
             r"$\nabla_{W_t} = A_{t-1}^T \delta_P$, $\delta_{t-1} = \delta_P W_t^T \odot A_{t-1}(1 - A_{t-1})$, "
             r"$\nabla_{W_k} = A_{k-1}^T \delta_k$, $\nabla_{b_k} = \sum_i \delta_k$, "
             r"$\delta_{k-1} = \delta_k W_k^T \odot A_{k-1}(1 - A_{k-1})$ — each step multiplies by "
             r"$\sigma' \le 1/4$, the vanishing gradient of lecture 000.",
    ),
)
