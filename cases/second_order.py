"""The lectures' second-derivative examples: the bowl x² + y² (Hessian 2I) and tanh (grad(grad(tanh)), lecture 004)."""
import numpy as np

from diffbench.case import Case


def bowl(o, p):
    return p[0] * p[0] + p[1] * p[1]      # f(x, y) = x² + y², with p = (x, y)


def tanh_scalar(o, x):
    return o.tanh(x)


CASES = (
    Case(
        name="bowl",
        fn=bowl,
        make_inputs=lambda rng: {"p": rng.standard_normal(2)},
        canonical=lambda: {"p": np.array([1.0, 2.0])},
        wrt=("p",),
        analytic=lambda p: [2 * p],
        second_order_inputs=2,
        note=r"Find $\nabla f$ and $\nabla^2 f$ for $f(x, y) = x^2 + y^2$. Answer: $\nabla f = (2x, 2y)$ and "
             r"$\nabla^2 f = 2I$ (scored by `diffbench run --order 2`).",
    ),
    Case(
        name="tanh_scalar",
        fn=tanh_scalar,
        make_inputs=lambda rng: {"x": rng.uniform(-2.0, 2.0)},
        canonical=lambda: {"x": 0.5},
        wrt=("x",),
        analytic=lambda x: [np.asarray(1 - np.tanh(x) ** 2)],
        second_order_inputs=1,
        note=r"Find $\tanh'(x)$ and $\tanh''(x)$ (lecture 004's `grad(grad(tanh))`). Answer: "
             r"$\tanh' = 1 - \tanh^2 x$, $\tanh'' = -2 \tanh x\,(1 - \tanh^2 x)$.",
    ),
)
