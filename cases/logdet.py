"""log det X over symmetric positive definite and over general (non-symmetric) X, and <S, X> - log det X."""
import numpy as np

from diffbench.case import Case
from diffbench.casekit import not_positive_definite, spd


def logdet(o, X):
    return o.logdet(X)


def linear_minus_logdet(o, X, S):
    return o.sum(S * X) - o.logdet(X)


def logdet_gradient(X):
    """d log det X = <X^{-T}, dX>."""
    return [np.linalg.inv(X).T]


def linear_minus_logdet_gradient(X, S):
    """d(<S, X> - log det X) = <S - X^{-T}, dX>."""
    return [S - np.linalg.inv(X).T]


def positive_determinant(rng, n):
    """X = P + K, P symmetric positive definite, K antisymmetric: every eigenvalue has a positive real part,
    so det X > 0 while X^-T != X^-1 (a dropped transpose shows)."""
    K = rng.standard_normal((n, n))
    return spd(rng, n, condition=10.0) + (K - K.T) / 2


def not_positive_determinant(X, n):
    if X.ndim != 2 or X.shape[0] != X.shape[1]:
        return f"X must be square, got shape {X.shape}"
    sign, _ = np.linalg.slogdet(X)
    return None if sign > 0 else "det X must be > 0 (it is the argument of log)"


def _check_n(n):
    return None if int(n) == n and n >= 1 else f"parameter n={n} must be an integer >= 1"


CASES = (
    Case(
        name="logdet",
        fn=logdet,
        make_inputs=lambda rng, n: {"X": spd(rng, n, condition=10.0)},
        wrt=("X",),
        sweep="n", values=(2, 5, 20), quick_values=(2, 5), full_values=(2, 5, 20, 100),
        check_params=_check_n,
        check_inputs=lambda X, n: not_positive_definite("X", X),
        analytic=logdet_gradient,
        second_order_inputs=4,
        note=r"Find $\nabla_X \log\det X$. Answer: $X^{-T}$.",
    ),
    Case(
        name="logdet_general",
        fn=logdet,
        make_inputs=lambda rng, n: {"X": positive_determinant(rng, n)},
        wrt=("X",),
        sweep="n", values=(2, 5, 20), quick_values=(2, 5), full_values=(2, 5, 20, 100),
        check_params=_check_n,
        check_inputs=not_positive_determinant,
        analytic=logdet_gradient,
        note=r"Find $\nabla_X \log\det X$ for a non-symmetric $X$ with $\det X > 0$ (here positive definite "
             r"+ antisymmetric). Answer: $X^{-T}$, which differs from $X^{-1}$ here.",
    ),
    Case(
        name="linear_minus_logdet",
        fn=linear_minus_logdet,
        make_inputs=lambda rng, n: {"X": spd(rng, n, condition=10.0), "S": spd(rng, n, condition=5.0)},
        wrt=("X",),
        sweep="n", values=(2, 5, 20), quick_values=(2, 5), full_values=(2, 5, 20, 100),
        check_params=_check_n,
        check_inputs=lambda X, S, n: not_positive_definite("X", X),
        analytic=linear_minus_logdet_gradient,
        note=r"Find $\nabla_X (\langle S, X\rangle - \log\det X)$. Answer: $S - X^{-T}$.",
    ),
)
