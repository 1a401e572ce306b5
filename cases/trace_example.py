"""The survey's two-variable evaluation-trace example f(x1, x2) = ln x1 + x1 x2 - sin x2."""
import numpy as np

from diffbench.case import Case


def trace_example(o, x1, x2):
    return o.log(x1) + x1 * x2 - o.sin(x2)


def trace_example_gradient(x1, x2):
    """df/dx1 = 1/x1 + x2, df/dx2 = x1 - cos x2."""
    return [1 / x1 + x2, x1 - np.cos(x2)]


CASES = (
    Case(
        name="trace_example",
        fn=trace_example,
        make_inputs=lambda rng: {"x1": rng.uniform(0.5, 3.0), "x2": rng.uniform(-5.0, 5.0)},
        canonical=lambda: {"x1": 2.0, "x2": 5.0},
        wrt=("x1", "x2"),
        check_inputs=lambda x1, x2: None if x1 > 0 else f"x1={float(x1)} must be > 0 (ln x1)",
        points=3,
        analytic=trace_example_gradient,
        note=r"Trace $f(x_1, x_2) = \ln x_1 + x_1 x_2 - \sin x_2$ at $(2, 5)$ forward and backward. "
             r"$y = 11.652$, $\partial y/\partial x_1 = 5.5$, $\partial y/\partial x_2 = 2 - \cos 5 = 1.716$.",
    ),
)
