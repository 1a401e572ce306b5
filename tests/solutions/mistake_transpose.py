"""Seeded mistake: d log det X / dX is X^-T, not X^-1 (the two differ for a non-symmetric X)."""
import numpy as np


def grad_logdet(X):
    return np.linalg.inv(X)


def grad_linear_minus_logdet(X, S):
    return S - np.linalg.inv(X)
