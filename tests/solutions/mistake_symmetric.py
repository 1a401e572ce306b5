"""Seeded mistake: d<x, Ax>/dx taken as 2Ax, as if A were symmetric, and W1's gradient returned transposed."""
import numpy as np


def grad_quadratic(x, A, b, c):
    return 2 * A @ x - b


def grad_two_layer_tanh(W1, b1, W2, b2, X, T):
    hidden = np.tanh(X @ W1 + b1)
    d_prediction = 2 * (hidden @ W2 + b2 - T) / T.size
    d_hidden_input = (d_prediction @ W2.T) * (1 - hidden ** 2)
    return d_hidden_input.T @ X, d_hidden_input.sum(axis=0), hidden.T @ d_prediction, d_prediction.sum(axis=0)
