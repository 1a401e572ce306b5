"""Hostile: KeyboardInterrupt in one function and sys.exit(1) in another must not lose the others' results."""
import sys

import numpy as np


def grad_logistic(x, n):
    raise KeyboardInterrupt


def grad_trace_example(x1, x2):
    sys.exit(1)


def grad_logdet(X):
    return np.linalg.inv(X).T


def grad_log_quadratic(x, A):
    return 2 * A @ x / (x @ A @ x)
