"""A correct solution of every task in the template, written from the hand-derived formulas."""
import numpy as np


def grad_logistic(x, n):
    value, derivative = x, 1.0
    for _ in range(n - 1):                      # l' <- 4 (1 - 2 l) l', then l <- 4 l (1 - l)
        value, derivative = 4 * value * (1 - value), 4 * (1 - 2 * value) * derivative
    return derivative


def grad_trace_example(x1, x2):
    return 1 / x1 + x2, x1 - np.cos(x2)


def grad_log_quadratic(x, A):
    return 2 * A @ x / (x @ A @ x)


def grad_logdet(X):
    return np.linalg.inv(X).T


def grad_linear_minus_logdet(X, S):
    return S - np.linalg.inv(X).T


def grad_mds(W, D):
    differences = W[:, None, :] - W[None, :, :]
    residual = np.sum(differences ** 2, axis=-1) - D
    return 4 * np.sum((residual + residual.T)[:, :, None] * differences, axis=1)


def jacobian_sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return np.diag(s * (1 - s))


def jacobian_softmax(z):
    e = np.exp(z - z.max())
    s = e / e.sum()
    return np.diag(s) - np.outer(s, s)


def grad_cross_entropy(a, onehot):
    e = np.exp(a - a.max())
    return e / e.sum() - onehot


def grad_sum_times_difference(x, y, z):
    return y - z, (y - z) + (x + y), -(x + y)


def grad_log_sqrt(w1, w2):
    outer = 1 + 1 / (2 * np.sqrt(w2 * np.log(w1)))      # dL/dv2
    return outer * w2 / w1, outer * np.log(w1)


def grad_quadratic(x, A, b, c):
    return (A + A.T) @ x - b


def grad_log_quadratic_general(x, A):
    return (A + A.T) @ x / (x @ A @ x)


def grad_neuron(w, b, a, y):
    out = 1 / (1 + np.exp(-(w * a + b)))
    delta = 2 * (out - y) * out * (1 - out)
    return delta * a, delta


def grad_two_layer_tanh(W1, b1, W2, b2, X, T):
    hidden = np.tanh(X @ W1 + b1)
    d_prediction = 2 * (hidden @ W2 + b2 - T) / T.size
    d_hidden_input = (d_prediction @ W2.T) * (1 - hidden ** 2)
    return X.T @ d_hidden_input, d_hidden_input.sum(axis=0), hidden.T @ d_prediction, d_prediction.sum(axis=0)


def jacobian_tanh_layer(x, A):
    return A * (1 - np.tanh(x) ** 2)            # A diag(1 - tanh^2 x): column j scaled


def hessian_quadratic(x, A, b):
    return A + A.T


def hvp_log_quadratic(x, A, v):
    S = A + A.T
    q = x @ A @ x
    return S @ v / q - (S @ x) * ((S @ x) @ v) / q ** 2


def grad_feedforward_3_4_5_3_1(W1, b1, W2, b2, W3, b3, w4, x):
    layers = ((W1, b1), (W2, b2), (W3, b3))
    activations, pre = [x], []
    for W, b in layers:
        pre.append(W @ activations[-1] + b)
        activations.append(np.maximum(pre[-1], 0.0))
    y = 1 / (1 + np.exp(-(w4 @ activations[-1])))
    delta = y * (1 - y) * w4 * (pre[-1] > 0)
    grads = []
    for k in (2, 1, 0):
        grads = [np.outer(delta, activations[k]), delta] + grads
        if k:
            delta = (layers[k][0].T @ delta) * (pre[k - 1] > 0)
    return (*grads, y * (1 - y) * activations[-1])
