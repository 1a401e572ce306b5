"""Two right answers worth 2 and 1 points (grad_mds, grad_logdet) and one wrong one (grad_logistic, sign)."""
import numpy as np


def grad_logistic(x, n):
    value, derivative = x, 1.0
    for _ in range(n - 1):
        value, derivative = 4 * value * (1 - value), 4 * (1 - 2 * value) * derivative
    return -derivative


def grad_logdet(X):
    return np.linalg.inv(X).T


def grad_mds(W, D):
    differences = W[:, None, :] - W[None, :, :]
    residual = np.sum(differences ** 2, axis=-1) - D
    return 4 * np.sum((residual + residual.T)[:, :, None] * differences, axis=1)
