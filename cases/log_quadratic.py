"""ln<x, Ax> with A symmetric positive definite: the matrix-calculus warm-up."""
from diffbench.casekit import not_positive_definite, spd

from diffbench.case import Case


def log_quadratic(o, x, A):
    return o.log(o.dot(x, o.matvec(A, x)))


def log_quadratic_gradient(x, A):
    """(A + A^T)x / <x, Ax> = 2Ax / <x, Ax> for symmetric A."""
    return [2 * A @ x / (x @ A @ x)]


CASES = (
    Case(
        name="log_quadratic",
        fn=log_quadratic,
        make_inputs=lambda rng, n: {"x": rng.standard_normal(n), "A": spd(rng, n, condition=10.0)},
        wrt=("x",),
        sweep="n", values=(2, 10, 100), quick_values=(2, 10), full_values=(2, 10, 100, 1000),
        check_params=lambda n: None if int(n) == n and n >= 1 else f"parameter n={n} must be an integer >= 1",
        check_inputs=lambda x, A, n: not_positive_definite("A", A),
        analytic=log_quadratic_gradient,
        second_order_inputs=10,
        note=r"Find $\nabla_x \ln\langle x, Ax\rangle$ for symmetric positive definite $A$. "
             r"Answer: $2Ax / \langle x, Ax\rangle$.",
    ),
)
