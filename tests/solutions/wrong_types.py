"""Answers that are not numbers: a dict, a string, None, and a ragged list."""
import numpy as np


def grad_log_quadratic(x, A):
    return {"gradient": 2 * A @ x / (x @ A @ x)}


def grad_logdet(X):
    return "inv(X).T"


def grad_trace_example(x1, x2):
    return None


def grad_mds(W, D):
    return [np.zeros(2), np.zeros(3)]
