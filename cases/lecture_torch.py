"""Lecture 000's torch examples at their printed values: the 3 x 5 cross-entropy batch and Feedforward(3, 5)."""
import numpy as np

from diffbench import nn
from diffbench.case import Case

# Lecture 000, "Минутка кода" after the logloss slide: input = torch.randn(3, 5), target = [4, 3, 1],
# F.cross_entropy(input, target) printed as tensor(2.1341).
LECTURE_LOGITS = ((-0.0691, -1.5644, -0.3935, 0.2211, 1.3458),
                  (-2.3893, 1.2955, 0.0244, -2.0838, 1.0790),
                  (-0.6185, -0.0333, 0.2944, -0.6185, 0.5702))
LECTURE_TARGETS = (4, 3, 1)
LECTURE_LOSS = 2.1341

# Lecture 000, "Минутка кода" after Feedforward(3, 5): net.fc1.weight, net.fc1.bias, net.fc2.weight as printed,
# x = [1, 2, 3], net(x) printed as tensor([0.5376]).
LECTURE_FC1_WEIGHT = ((-0.5727, 0.1885, -0.4232),
                      (-0.1383, -0.2233, -0.5384),
                      (-0.3583, 0.1175, -0.5696),
                      (-0.4284, 0.1711, 0.0918),
                      (-0.5539, -0.2273, 0.4973))
LECTURE_FC1_BIAS = (0.5525, -0.4201, -0.5736, 0.0464, -0.0297)
LECTURE_FC2_WEIGHT = (-0.1064, -0.3029, 0.4057, 0.0953, 0.2823)
LECTURE_X = (1.0, 2.0, 3.0)
LECTURE_OUTPUT = 0.5376


def onehot_rows(targets, classes):
    onehot = np.zeros((len(targets), classes))
    onehot[np.arange(len(targets)), list(targets)] = 1.0
    return onehot


def batch_cross_entropy(o, A, onehot):
    """mean over rows i of -a_{i,y_i} + log sum_j exp(a_ij), the lecture's formula (F.cross_entropy's value)."""
    # NB: written without the max shift: the lecture's logits are O(1), and sympy's lambdified derivative of
    # Max (nested boolean Piecewise after cse) does not evaluate in numpy.
    rows = o.shape(A)[0]
    return (o.sum(o.log(o.sum(o.exp(A), axis=1))) - o.sum(onehot * A)) / rows


def batch_cross_entropy_gradient(A, onehot):
    """(softmax of each row - e_{y_i}) / m."""
    e = np.exp(A)
    return [(e / e.sum(axis=1, keepdims=True) - onehot) / A.shape[0]]


def batch_inputs(rng):
    targets = rng.integers(5, size=3)
    return {"A": rng.standard_normal((3, 5)), "onehot": onehot_rows(targets, 5)}


def feedforward(o, W1, b1, w2, x):
    """sigmoid(w2 . relu(W1 x + b1)): Linear(3, 5) with bias, ReLU, Linear(5, 1) without bias, Sigmoid."""
    hidden = nn.relu(o, o.matvec(W1, x) + b1)
    return nn.sigmoid(o, o.dot(w2, hidden))


def feedforward_gradient(W1, b1, w2, x):
    """With z = W1 x + b1, h = relu(z), y = sigma(w2 . h): dy/dw2 = y(1-y) h, dy/db1 = y(1-y) w2 * I[z > 0],
    dy/dW1 = (dy/db1) x^T."""
    z = W1 @ x + b1
    h = np.maximum(z, 0.0)
    y = 1 / (1 + np.exp(-(w2 @ h)))
    delta = y * (1 - y) * w2 * (z > 0)
    return [np.outer(delta, x), delta, y * (1 - y) * h]


def feedforward_inputs(rng):
    """torch.nn.Linear's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)); x as in the lecture."""
    return {"W1": rng.uniform(-1, 1, (5, 3)) / np.sqrt(3), "b1": rng.uniform(-1, 1, 5) / np.sqrt(3),
            "w2": rng.uniform(-1, 1, 5) / np.sqrt(5), "x": np.array(LECTURE_X)}


def off_the_kink(W1, b1, w2, x):
    z = W1 @ x + b1
    if np.min(np.abs(z)) < 1e-6:
        return f"a hidden pre-activation is {np.min(np.abs(z)):.1e}, at ReLU's kink"
    return None


FEEDFORWARD_SIZES = (3, 4, 5, 3, 1)    # lecture 000's exercise: "как реализовать Feedforward([3, 4, 5, 3, 1])?"


def feedforward_deep(o, W1, b1, W2, b2, W3, b3, w4, x):
    """Feedforward([3, 4, 5, 3, 1]) in the lecture's style: Linear+ReLU layers with bias, last Linear without
    bias, then Sigmoid."""
    hidden = x
    for W, b in ((W1, b1), (W2, b2), (W3, b3)):
        hidden = nn.relu(o, o.matvec(W, hidden) + b)
    return nn.sigmoid(o, o.dot(w4, hidden))


def feedforward_deep_gradient(W1, b1, W2, b2, W3, b3, w4, x):
    """Backpropagation: delta_k = (W_{k+1}^T delta_{k+1}) * I[z_k > 0], starting from y(1 - y) w4."""
    layers = ((W1, b1), (W2, b2), (W3, b3))
    inputs, pre = [x], []
    for W, b in layers:
        pre.append(W @ inputs[-1] + b)
        inputs.append(np.maximum(pre[-1], 0.0))
    y = 1 / (1 + np.exp(-(w4 @ inputs[-1])))
    grad_w4 = y * (1 - y) * inputs[-1]
    delta = y * (1 - y) * w4 * (pre[-1] > 0)
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        grads[:0] = [np.outer(delta, inputs[k]), delta]
        if k > 0:
            delta = (layers[k][0].T @ delta) * (pre[k - 1] > 0)
    return [*grads, grad_w4]


def feedforward_deep_inputs(rng):
    sizes, inputs = FEEDFORWARD_SIZES, {}
    for k in range(len(sizes) - 2):
        bound = 1 / np.sqrt(sizes[k])
        inputs[f"W{k + 1}"] = rng.uniform(-bound, bound, (sizes[k + 1], sizes[k]))
        inputs[f"b{k + 1}"] = rng.uniform(-bound, bound, sizes[k + 1])
    inputs["w4"] = rng.uniform(-1, 1, sizes[-2]) / np.sqrt(sizes[-2])
    inputs["x"] = np.array(LECTURE_X)
    return inputs


def deep_off_the_kinks(W1, b1, W2, b2, W3, b3, w4, x):
    hidden = x
    for W, b in ((W1, b1), (W2, b2), (W3, b3)):
        z = W @ hidden + b
        if np.min(np.abs(z)) < 1e-6:
            return f"a hidden pre-activation is {np.min(np.abs(z)):.1e}, at ReLU's kink"
        hidden = np.maximum(z, 0.0)
    return None


CASES = (
    Case(
        name="cross_entropy_batch",
        fn=batch_cross_entropy,
        make_inputs=batch_inputs,
        canonical=lambda: {"A": np.array(LECTURE_LOGITS), "onehot": onehot_rows(LECTURE_TARGETS, 5)},
        wrt=("A",),
        analytic=batch_cross_entropy_gradient,
        note=r"Lecture 000's batch: logits $A \in \mathbb{R}^{3\times 5}$ as printed, targets $y = (4, 3, 1)$, "
             r"$L = \frac1m\sum_i \left(-a_{i y_i} + \log\sum_j e^{a_{ij}}\right)$ = `F.cross_entropy(input, "
             r"target)` = 2.1341 at point 0. Find $\nabla_A L$. Answer: $(\mathrm{softmax}(A) - Y)/m$, "
             r"row-wise softmax, $Y$ the one-hot targets. Point 1 is a seeded batch of the same shape.",
    ),
    Case(
        name="feedforward_3_5",
        fn=feedforward,
        make_inputs=feedforward_inputs,
        canonical=lambda: {"W1": np.array(LECTURE_FC1_WEIGHT), "b1": np.array(LECTURE_FC1_BIAS),
                           "w2": np.array(LECTURE_FC2_WEIGHT), "x": np.array(LECTURE_X)},
        wrt=("W1", "b1", "w2"),
        check_inputs=off_the_kink,
        analytic=feedforward_gradient,
        complex_ok=False,
        note=r"Lecture 000's `Feedforward(3, 5)`: $y = \sigma(w_2^T\,\mathrm{ReLU}(W_1 x + b_1))$ with the "
             r"printed `fc1.weight`, `fc1.bias`, `fc2.weight` and $x = (1, 2, 3)$; `net(x)` = 0.5376 at point 0. "
             r"Find the gradient with respect to $W_1, b_1, w_2$. Answer: with $z = W_1x + b_1$, "
             r"$h = \mathrm{ReLU}(z)$, $\delta = y(1-y)\,w_2 \odot I[z > 0]$: $\nabla_{W_1} = \delta x^T$, "
             r"$\nabla_{b_1} = \delta$, $\nabla_{w_2} = y(1-y)\,h$. Point 1 is torch's default initialisation.",
    ),
    Case(
        name="feedforward_3_4_5_3_1",
        fn=feedforward_deep,
        make_inputs=feedforward_deep_inputs,
        wrt=("W1", "b1", "W2", "b2", "W3", "b3", "w4"),
        check_inputs=deep_off_the_kinks,
        analytic=feedforward_deep_gradient,
        complex_ok=False,
        note=r"Lecture 000's exercise `Feedforward([3, 4, 5, 3, 1])`: three Linear+ReLU layers (3→4→5→3, with "
             r"bias), a last Linear 3→1 without bias and a Sigmoid, at $x = (1, 2, 3)$ with torch's default "
             r"initialisation. Find the gradient with respect to every weight and bias. Answer: with "
             r"$y = \sigma(w_4^T h_3)$, $\delta_3 = y(1-y)\,w_4 \odot I[z_3 > 0]$, "
             r"$\delta_{k-1} = W_k^T\delta_k \odot I[z_{k-1} > 0]$: $\nabla_{W_k} = \delta_k h_{k-1}^T$, "
             r"$\nabla_{b_k} = \delta_k$, $\nabla_{w_4} = y(1-y)\,h_3$.",
    ),
)
