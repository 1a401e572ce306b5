"""Cases whose float64 floor is known in closed form: cancellation, ill-conditioning, a domain edge, a unary chain."""
import numpy as np

from diffbench.case import Case
from diffbench.casekit import not_positive_definite, spd

ILL_CONDITION = 1e7     # condition number of the ill-conditioned SPD matrix


def expm1_over_x(o, x):
    return (o.exp(x) - 1) / x       # NB: e^x - 1 cancels near 0: about log10(1/x) of 16 digits are lost


def expm1_over_x_stable(o, x):
    # NB: the Taylor series 1 + x/2 + x^2/6 + x^3/24 + x^4/120, exact to float64 for |x| <= 1e-3 (the next
    # term is below 2e-18): neither it nor its derivative cancels, unlike 2 tanh(x/2) / (x (1 - tanh(x/2))).
    return 1 + x * (o.const(0.5) + x * (1 / o.const(6.0) + x * (1 / o.const(24.0) + x / o.const(120.0))))


def expm1_over_x_gradient(x):
    """d/dx (e^x - 1)/x = (x e^x - e^x + 1) / x^2, by its series 1/2 + x/3 + x^2/8 (|x| <= 1e-8)."""
    return [np.asarray(0.5 + x / 3 + x * x / 8)]


def sum_of_squares(o, x):
    return o.sum(x * x)


def analytic_cos(o, x, y):
    return (o.cos(x) + y) / (x - y * y + 3) - x


def analytic_cos_gradient(x, y):
    d = x - y * y + 3
    n = np.cos(x) + y
    return [np.asarray(-np.sin(x) / d - n / d ** 2 - 1), np.asarray(1 / d + 2 * y * n / d ** 2)]


def log_near_edge(o, x):
    return o.log(x)                 # NB: at x = 1e-7 the central stencil's x - h is negative


def sin_chain(o, x, n=3):
    for _ in range(n):              # sin(sin(...sin(x))): the derivative tree's size is quadratic in n
        x = o.sin(x)
    return x


def _integer(n):
    return None if int(n) == n and n >= 1 else f"parameter n={n} must be an integer >= 1"


CASES = (
    Case(
        name="expm1_over_x", fn=expm1_over_x, wrt=("x",),
        make_inputs=lambda rng: {"x": rng.uniform(1e-10, 1e-8)}, canonical=lambda: {"x": 1e-9},
        analytic=expm1_over_x_gradient,
        note="(e^x - 1)/x near 0: the float64 code itself cancels; case expm1_over_x_stable is the cure.",
    ),
    Case(
        name="expm1_over_x_stable", fn=expm1_over_x_stable, wrt=("x",),
        make_inputs=lambda rng: {"x": rng.uniform(1e-10, 1e-8)}, canonical=lambda: {"x": 1e-9},
        analytic=expm1_over_x_gradient,
        check_inputs=lambda x: None if abs(x) <= 1e-3 else f"x={float(x)}: the series form holds for |x| <= 1e-3",
        note="(e^x - 1)/x by its Taylor series (|x| <= 1e-3): the stable form of expm1_over_x.",
    ),
    Case(
        name="logdet_illcond", fn=lambda o, X: o.logdet(X), wrt=("X",),
        make_inputs=lambda rng, n: {"X": spd(rng, n, condition=ILL_CONDITION)},
        sweep="n", values=(5,), quick_values=(5,),
        check_params=_integer, check_inputs=lambda X, n: not_positive_definite("X", X),
        analytic=lambda X: [np.linalg.inv(X).T],
        note=f"log det X with cond(X) = {ILL_CONDITION:g}: float64 inputs allow about 16 - 7 = 9 digits.",
    ),
    Case(
        name="sum_of_squares", fn=sum_of_squares, wrt=("x",),
        make_inputs=lambda rng, n: {"x": rng.standard_normal(n)},
        sweep="n", values=(5,), quick_values=(5,), check_params=_integer,
        analytic=lambda x: [2 * x],
        note="sum x_i^2 at a generic point: perfectly conditioned, every method can reach about 16 digits.",
    ),
    Case(
        name="analytic_cos", fn=analytic_cos, wrt=("x", "y"),
        make_inputs=lambda rng: {"x": rng.uniform(-1, 1), "y": rng.uniform(-1, 1)},
        canonical=lambda: {"x": 0.7, "y": -0.3},
        analytic=analytic_cos_gradient,
        note="(cos x + y) / (x - y^2 + 3) - x: analytic, written with + - / and cos (complex step applies).",
    ),
    Case(
        name="log_near_edge", fn=log_near_edge, wrt=("x",),
        make_inputs=lambda rng: {"x": rng.uniform(1e-8, 1e-7)}, canonical=lambda: {"x": 1e-7},
        check_inputs=lambda x: None if x > 0 else f"x={float(x)} must be positive",
        analytic=lambda x: [np.asarray(1 / x)],
        note="log x at x = 1e-7: central and backward stencils leave the domain x > 0.",
    ),
    Case(
        name="sin_chain", fn=sin_chain, wrt=("x",),
        make_inputs=lambda rng, n: {"x": rng.uniform(-1, 1)}, canonical=lambda n: {"x": 0.5},
        sweep="n", values=(2, 4, 8), quick_values=(2, 4), full_values=tuple(range(1, 13)), check_params=_integer,
        note="sin applied n times: its derivative tree grows as an exact quadratic in n.",
    ),
)
