"""Seeded mistake: both partial derivatives of ln x1 + x1 x2 - sin x2 come back with the wrong sign."""
import numpy as np


def grad_trace_example(x1, x2):
    return -(1 / x1 + x2), -(x1 - np.cos(x2))
