"""Functions that misbehave: an exception, an endless loop, a hard crash, too much memory, and one correct answer."""
import os

import numpy as np


def grad_logistic(x, n):
    raise ValueError("I gave up")


def grad_trace_example(x1, x2):
    while True:
        pass


def grad_log_quadratic(x, A):
    os._exit(3)


def grad_logdet(X):
    return np.linalg.inv(X).T


def grad_mds(W, D):
    memory_hog = np.ones(2 ** 28)           # 2 GiB, over the tests' 512 MiB limit
    return memory_hog[: W.size].reshape(W.shape)
