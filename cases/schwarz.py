"""Schwarz's counterexample f = xy(x^2 - y^2)/(x^2 + y^2), f(0, 0) = 0: mixed partials -1 and +1 at the origin."""
from diffbench.case import Case


def schwarz(o, x, y):
    r2 = x * x + y * y
    # The program's branch: at the origin the denominator becomes 1, and the numerator 0 gives f(0, 0) = 0.
    # NB: guarding the denominator (not where(r2 > 0, f, 0)) keeps 0/0 out of every evaluated expression,
    # so no untaken branch feeds NaN into a cotangent (JAX FAQ, "gradients contain NaN where using where").
    return x * y * (x * x - y * y) / (r2 + o.where(r2 > 0, 0.0, 1.0))


def schwarz_gradient(x, y):
    """Quotient rule off the origin; at the origin f(t, 0) = f(0, t) = 0, so both partials are 0."""
    r2 = x * x + y * y
    if r2 == 0:
        return [0.0, 0.0]
    return [y * (x ** 4 + 4 * x ** 2 * y ** 2 - y ** 4) / r2 ** 2,
            x * (x ** 4 - 4 * x ** 2 * y ** 2 - y ** 4) / r2 ** 2]


def schwarz_mixed_partials():
    """(d/dy df/dx, d/dx df/dy) at the origin, by hand: df/dx(0, y) = -y and df/dy(x, 0) = x."""
    return -1.0, 1.0


CASES = (
    Case(
        name="schwarz",
        fn=schwarz,
        make_inputs=lambda rng: {"x": rng.uniform(-2.0, 2.0), "y": rng.uniform(-2.0, 2.0)},
        canonical=lambda: {"x": 0.0, "y": 0.0},
        wrt=("x", "y"),
        analytic=schwarz_gradient,
        complex_ok=False,
        note=r"$f(x, y) = \frac{xy(x^2 - y^2)}{x^2 + y^2}$ for $(x, y) \ne (0, 0)$, $f(0, 0) = 0$. "
             r"Show that $\frac{\partial^2 f}{\partial y\,\partial x}(0, 0) \ne \frac{\partial^2 f}{\partial x\,"
             r"\partial y}(0, 0)$ although both exist. Answer: $\partial_x f(0, y) = -y$ and "
             r"$\partial_y f(x, 0) = x$, so $\partial_y \partial_x f(0, 0) = -1$, "
             r"$\partial_x \partial_y f(0, 0) = +1$: "
             r"the mixed partials are not continuous at 0, so Schwarz's theorem does not apply. "
             r"The gradient at the origin (point 0) is $(0, 0)$ and every method gets it; the Hessian there is "
             r"compared in the `schwarz` experiment: AD and sympy differentiate the program's branch "
             r"$f = 0$ and report a zero Hessian.",
    ),
)
