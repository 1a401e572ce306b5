"""The lectures' computational-graph examples: (x + y)(y - z) and L(w1, w2) = w2 log w1 + sqrt(w2 log w1)."""
import numpy as np

from diffbench.case import Case


def sum_times_difference(o, x, y, z):
    return (x + y) * (y - z)


def sum_times_difference_gradient(x, y, z):
    """With g = x + y and h = y - z: df/dx = h, df/dy = h + g, df/dz = -g."""
    g, h = x + y, y - z
    return [h, h + g, -g]


def log_sqrt_loss(o, w1, w2):
    v2 = w2 * o.log(w1)          # v1 = log w1, v2 = w2 v1, v3 = sqrt(v2), L = v2 + v3
    return v2 + o.sqrt(v2)


def log_sqrt_loss_gradient(w1, w2):
    """dL/dv2 = 1 + 1/(2 sqrt(v2)); dL/dw1 = dL/dv2 w2 / w1; dL/dw2 = dL/dv2 log w1."""
    v1 = np.log(w1)
    dL_dv2 = 1 + 1 / (2 * np.sqrt(w2 * v1))
    return [dL_dv2 * w2 / w1, dL_dv2 * v1]


def _positive_product(w1, w2):
    if not (w1 > 1 and w2 > 0):
        return f"w1={float(w1)} must be > 1 and w2={float(w2)} > 0 (sqrt(w2 log w1) needs w2 log w1 > 0)"
    return None


CASES = (
    Case(
        name="sum_times_difference",
        fn=sum_times_difference,
        make_inputs=lambda rng: {"x": rng.standard_normal(), "y": rng.standard_normal(), "z": rng.standard_normal()},
        canonical=lambda: {"x": 1.0, "y": 2.0, "z": 3.0},
        wrt=("x", "y", "z"),
        analytic=sum_times_difference_gradient,
        note=r"$f(x, y, z) = (x + y)(y - z)$ with $g = x + y$, $h = y - z$. Run the forward pass at "
             r"$(x, y, z) = (1, 2, 3)$ and the backward pass on the graph. Answer: "
             r"$\nabla f = (h,\ h + g,\ -g) = (-1, 2, -3)$, what `f.backward()` leaves in "
             r"`x.grad, y.grad, z.grad`.",
    ),
    Case(
        name="log_sqrt_graph",
        fn=log_sqrt_loss,
        make_inputs=lambda rng: {"w1": rng.uniform(1.5, 4.0), "w2": rng.uniform(0.5, 3.0)},
        canonical=lambda: {"w1": 2.0, "w2": 1.0},
        wrt=("w1", "w2"),
        check_inputs=_positive_product,
        analytic=log_sqrt_loss_gradient,
        note=r"$L(w_1, w_2) = w_2 \log w_1 + \sqrt{w_2 \log w_1}$ via $v_1 = \log w_1$, $v_2 = w_2 v_1$, "
             r"$v_3 = \sqrt{v_2}$, $L = v_2 + v_3$. Find $\partial L/\partial w_1$ and $\partial L/\partial w_2$ "
             r"in forward mode and in reverse mode. Answer: with $\bar v_2 = 1 + \frac{1}{2\sqrt{v_2}}$, "
             r"$\partial L/\partial w_1 = \bar v_2\, w_2 / w_1$ and $\partial L/\partial w_2 = \bar v_2 \log w_1$; "
             r"at $(2, 1)$: $(0.80028, 1.10942)$.",
    ),
)
