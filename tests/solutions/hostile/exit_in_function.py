"""Hostile: one function calls sys.exit(0), one raises SystemExit(1), one os._exit(0)s; one is correct."""
import os
import sys

import numpy as np


def grad_logistic(x, n):
    sys.exit(0)


def grad_trace_example(x1, x2):
    raise SystemExit(1)


def grad_log_quadratic(x, A):
    os._exit(0)


def grad_logdet(X):
    return np.linalg.inv(X).T
