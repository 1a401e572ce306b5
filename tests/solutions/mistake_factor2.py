"""Seeded mistake: the factor 2 of d<x, Ax>/dx = 2Ax is dropped."""


def grad_log_quadratic(x, A):
    return A @ x / (x @ A @ x)
