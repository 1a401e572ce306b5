"""Schwarz's counterexample: what each method reports for the Hessian at the origin, where the mixed partials differ."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from diffbench.backends import FloatOps
from diffbench_cases.schwarz import schwarz, schwarz_mixed_partials

# NB: H[i, j] = d/dx_j (df/dx_i), the convention of torch.autograd.functional.hessian (Jacobian of the gradient):
# H[0, 1] = d/dy df/dx, H[1, 0] = d/dx df/dy.
INNER_STEP, OUTER_STEP = 1e-7, 1e-3   # nested differences: the inner limit first, as the iterated partials read
NEAR = 1e-8                           # "just off the origin" for the one-sided views of the tape


class HessianEstimate(NamedTuple):
    method: str
    point: tuple
    hessian: np.ndarray   # 2 x 2
    how: str


def tape_hessian(point=(0.0, 0.0)) -> np.ndarray:
    from diffbench.ad import api
    return np.array(api.hessian(schwarz, FloatOps(), [np.float64(point[0]), np.float64(point[1])]), dtype=float)


def torch_hessian(point=(0.0, 0.0)) -> np.ndarray:
    import torch

    from diffbench.backends import TorchOps
    ops = TorchOps(torch.float64)
    h = torch.autograd.functional.hessian(lambda v: schwarz(ops, v[0], v[1]),
                                          torch.tensor(point, dtype=torch.float64))
    return h.numpy()


def sympy_hessians() -> tuple[np.ndarray, np.ndarray]:
    """(the Piecewise program differentiated twice and evaluated at 0; the iterated limits of the formula)."""
    import sympy

    from diffbench.backends import SymOps
    x, y = sympy.symbols("x y", real=True)
    program = schwarz(SymOps(), x, y)
    variables = (x, y)
    at_origin = {x: 0, y: 0}
    piecewise = np.array([[float(sympy.diff(program, a, b).subs(at_origin)) for b in variables] for a in variables])
    formula = x * y * (x ** 2 - y ** 2) / (x ** 2 + y ** 2)   # the off-origin formula, f(0, 0) = 0 by continuity
    limits = np.zeros((2, 2))
    for i, (a, other) in enumerate(((x, y), (y, x))):
        first = sympy.limit(sympy.diff(formula, a), a, 0)          # df/da on the axis a = 0 (a function of `other`)
        limits[i, 1 - i] = float(sympy.diff(first, other).subs(other, 0))
        along_axis = sympy.limit(sympy.diff(formula, a), other, 0)  # df/da on the axis other = 0
        limits[i, i] = float(sympy.limit(sympy.diff(along_axis, a), a, 0))
    return piecewise, limits


def _f(x, y):
    return float(schwarz(FloatOps(), np.float64(x), np.float64(y)))


def fd_symmetric_hessian(h: float = 1e-4) -> np.ndarray:
    """Second differences centred at 0; the mixed one, (f(h,h) - f(h,-h) - f(-h,h) + f(-h,-h)) / 4h^2, is symmetric."""
    f0 = _f(0, 0)
    xx = (_f(h, 0) - 2 * f0 + _f(-h, 0)) / h ** 2
    yy = (_f(0, h) - 2 * f0 + _f(0, -h)) / h ** 2
    xy = (_f(h, h) - _f(h, -h) - _f(-h, h) + _f(-h, -h)) / (4 * h * h)
    return np.array([[xx, xy], [xy, yy]])


def fd_nested_hessian(inner: float = INNER_STEP, outer: float = OUTER_STEP) -> np.ndarray:
    """Central difference (step `outer`) of a central difference (step `inner`): the iterated limits, in order."""
    def partial(i, x, y):
        e = (inner, 0.0) if i == 0 else (0.0, inner)
        return (_f(x + e[0], y + e[1]) - _f(x - e[0], y - e[1])) / (2 * inner)

    hessian = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            e = (outer, 0.0) if j == 0 else (0.0, outer)
            hessian[i, j] = (partial(i, e[0], e[1]) - partial(i, -e[0], -e[1])) / (2 * outer)
    return hessian


def hessians_at_origin() -> list[HessianEstimate]:
    """Every method's Hessian of the Schwarz function at (0, 0), plus the tape's just off it."""
    dy_dfdx, dx_dfdy = schwarz_mixed_partials()
    piecewise, limits = sympy_hessians()
    origin = (0.0, 0.0)
    return [
        HessianEstimate("analytic", origin, np.array([[0.0, dy_dfdx], [dx_dfdy, 0.0]]),
                        "by hand: df/dx(0, y) = -y, df/dy(x, 0) = x"),
        HessianEstimate("sympy_limits", origin, limits, "sympy.limit of the formula's partials on the axes"),
        HessianEstimate("fd_nested", origin, fd_nested_hessian(),
                        f"central difference (h={OUTER_STEP:g}) of a central difference (h={INNER_STEP:g})"),
        HessianEstimate("fd_symmetric", origin, fd_symmetric_hessian(),
                        "symmetric second-difference stencil: averages the two mixed partials to 0"),
        HessianEstimate("tape", origin, tape_hessian(origin), "forward-over-reverse on the program's branch at 0"),
        HessianEstimate("torch", origin, torch_hessian(origin), "torch.autograd.functional.hessian of the program"),
        HessianEstimate("sympy_piecewise", origin, piecewise, "sympy.diff twice of the Piecewise program, at 0"),
        HessianEstimate("tape", (NEAR, 0.0), tape_hessian((NEAR, 0.0)), "just off the origin, on the x axis"),
        HessianEstimate("tape", (0.0, NEAR), tape_hessian((0.0, NEAR)), "just off the origin, on the y axis"),
    ]


def table(quick: bool = False) -> pd.DataFrame:
    """One row per estimate: the four Hessian entries, and whether the mixed partials come out unequal."""
    rows = []
    for estimate in hessians_at_origin():
        h = estimate.hessian
        rows.append({"method": estimate.method, "x": estimate.point[0], "y": estimate.point[1],
                     "d2f_dx2": h[0, 0], "dy_dfdx": h[0, 1], "dx_dfdy": h[1, 0], "d2f_dy2": h[1, 1],
                     "mixed_partials_differ": bool(abs(h[0, 1] - h[1, 0]) > 0.5), "how": estimate.how})
    return pd.DataFrame(rows)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["method", "x", "y", "dy_dfdx", "dx_dfdy", "mixed_partials_differ"]]


def figure(frame: pd.DataFrame, path) -> None:
    """The two mixed partials each method reports, side by side."""
    from matplotlib.figure import Figure
    labels = [m if (x, y) == (0.0, 0.0) else f"{m} at ({x:g}, {y:g})" for m, x, y in
              zip(frame["method"], frame["x"], frame["y"])]
    positions = np.arange(len(frame))
    fig = Figure(figsize=(7.0, 4.0))
    ax = fig.add_subplot()
    ax.barh(positions - 0.2, frame["dy_dfdx"], height=0.4, label=r"$\partial_y \partial_x f$")
    ax.barh(positions + 0.2, frame["dx_dfdy"], height=0.4, label=r"$\partial_x \partial_y f$")
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_xlim(-1.3, 1.3)
    ax.set_title("Schwarz's counterexample at the origin (exact: -1 and +1)")
    ax.legend(fontsize=8, loc="center right")   # the zero rows leave the middle free
    fig.tight_layout()
    fig.savefig(path, format="svg")
