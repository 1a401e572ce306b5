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
