"""Helpers for writing cases: seeded matrix builders and domain checks."""
import numpy as np


def spd(rng: np.random.Generator, n: int, condition: float = 10.0) -> np.ndarray:
    """A symmetric positive definite matrix with eigenvalues log-spaced in [1, condition]."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.logspace(0, np.log10(condition), n)
    a = (q * eigenvalues) @ q.T
    return (a + a.T) / 2


def not_positive_definite(name: str, a: np.ndarray) -> str | None:
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        return f"{name} must be square, got shape {a.shape}"
    if not np.allclose(a, a.T, rtol=1e-12, atol=1e-12):
        return f"{name} must be symmetric"
    smallest = np.linalg.eigvalsh(a).min()
    return f"{name} is not positive definite (smallest eigenvalue {smallest:.3g})" if smallest <= 0 else None
