"""Quadratic forms with a general (non-symmetric) A: <x, Ax> - b^T x + c and ln<x, Ax>."""
from diffbench.case import Case
from diffbench.casekit import spd


def quadratic(o, x, A, b, c):
    return o.dot(x, o.matvec(A, x)) - o.dot(b, x) + c


def quadratic_gradient(x, A, b, c):
    """d<x, Ax> = <(A + A^T)x, dx>, so grad = (A + A^T)x - b."""
    return [(A + A.T) @ x - b]


def quadratic_hessian(A):
    """The Hessian of <x, Ax> - b^T x + c, the same at every x."""
    return A + A.T


def log_quadratic_general(o, x, A):
    return o.log(o.dot(x, o.matvec(A, x)))


def log_quadratic_general_gradient(x, A):
    """d ln<x, Ax> = <(A + A^T)x, dx> / <x, Ax>."""
    return [(A + A.T) @ x / (x @ A @ x)]


def positive_real_part(rng, n):
    """A = S + K with S symmetric positive definite and K antisymmetric: <x, Ax> = <x, Sx> > 0 for x != 0."""
    K = rng.standard_normal((n, n))
    return spd(rng, n, condition=10.0) + (K - K.T) / 2


def _check_n(n):
    return None if int(n) == n and n >= 1 else f"parameter n={n} must be an integer >= 1"


def _check_positive_form(x, A, n):
    value = float(x @ A @ x)
    return None if value > 0 else f"<x, Ax> = {value:.3g} must be > 0 (it is the argument of ln)"


CASES = (
    Case(
        name="quadratic",
        fn=quadratic,
        make_inputs=lambda rng, n: {"x": rng.standard_normal(n), "A": rng.standard_normal((n, n)),
                                    "b": rng.standard_normal(n), "c": rng.standard_normal()},
        wrt=("x",),
        sweep="n", values=(2, 10), quick_values=(2, 10), full_values=(2, 10, 100),
        check_params=_check_n,
        analytic=quadratic_gradient,
        second_order_inputs=10,
        note=r"Find $df$ and $\nabla f(x)$ for $f(x) = \langle x, Ax\rangle - b^T x + c$, $A$ any square "
             r"matrix. Answer: $df = \langle (A + A^T)x - b, dx\rangle$, so $\nabla f = (A + A^T)x - b$ and "
             r"$\nabla^2 f = A + A^T$ (the Hessian is checked in the tests).",
    ),
    Case(
        name="log_quadratic_general",
        fn=log_quadratic_general,
        make_inputs=lambda rng, n: {"x": rng.standard_normal(n), "A": positive_real_part(rng, n)},
        wrt=("x",),
        sweep="n", values=(2, 10), quick_values=(2, 10), full_values=(2, 10, 100),
        check_params=_check_n,
        check_inputs=_check_positive_form,
        analytic=log_quadratic_general_gradient,
        note=r"Find $\nabla_x \ln\langle x, Ax\rangle$ for a general square $A$ with $\langle x, Ax\rangle > 0$ "
             r"(here $A$ = positive definite + antisymmetric). Answer: $(A + A^T)x / \langle x, Ax\rangle$; "
             r"only for symmetric $A$ does it become the lecture's $2Ax/\langle x, Ax\rangle$.",
    ),
)
