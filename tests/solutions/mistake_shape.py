"""Seeded mistake: the gradient comes back as a column vector (n, 1) instead of shape (n,)."""


def grad_log_quadratic(x, A):
    return (2 * A @ x / (x @ A @ x)).reshape(-1, 1)
