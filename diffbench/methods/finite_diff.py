"""Finite differences: stencils with a default step rule each, error sweeps over h, and optimal-step theory."""
from dataclasses import dataclass
from functools import partial
from math import comb

import numpy as np

from diffbench.backends import FloatOps
from diffbench.methods.base import Method, PointResult, flat_inputs, unflatten
from diffbench.precision import DEFAULT, PRECISIONS, as_floating
from diffbench.timing import timed

EPS = np.finfo(np.float64).eps
STEPS = np.logspace(-16, -1, 61)          # 4 steps per decade
FULL_SWEEP_MAX_INPUTS = 64                # above this the sweep follows random directions
SWEEP_DIRECTIONS = 3


@dataclass(frozen=True)
class Scheme:
    """estimate = sum_j weights_j g(x + offsets_j h v) / h**derivative."""
    offsets: tuple
    weights: tuple
    derivative: int      # 1: first derivative; 2: second derivative (Hessian diagonal)
    order: int           # p: truncation error ~ h**p
    truncation: float    # a: truncation error ~ a |g^(p+derivative)| h**p

    @property
    def exponent(self) -> float:
        """The optimal step scales as eps**exponent: balance a h^p against b eps / h^derivative."""
        return 1 / (self.order + self.derivative)

    @property
    def roundoff(self) -> float:
        """b: rounding error ~ b eps |g| / h**derivative (each evaluation off by eps |g|)."""
        return float(sum(abs(w) for w in self.weights))

    def evaluations(self, n_columns: int) -> int:
        """Function evaluations for n_columns inputs; g(x) itself is shared by all columns."""
        moving = sum(1 for o in self.offsets if o != 0)
        return n_columns * moving + (1 if 0 in self.offsets else 0)


# Textbook stencils and their leading error terms (Taylor expansion of g(x + o h)).
SCHEMES = {
    "forward": Scheme((0, 1), (-1, 1), 1, 1, 1 / 2),
    "backward": Scheme((-1, 0), (-1, 1), 1, 1, 1 / 2),
    "central": Scheme((-1, 1), (-1 / 2, 1 / 2), 1, 2, 1 / 6),
    "central4": Scheme((-2, -1, 1, 2), (1 / 12, -8 / 12, 8 / 12, -1 / 12), 1, 4, 1 / 30),
    "second": Scheme((-1, 0, 1), (1, -2, 1), 2, 2, 1 / 12),
}


def flat_function(case, params, inputs, dtype=np.float64):
    """x (flat vector of the differentiated inputs) -> f(x) flattened, other inputs fixed (dtype: of the ops).

    The vector and the other floating inputs are cast to dtype (to its real type for the fixed inputs), so a
    float32 or complex64 g computes in that type; x is returned as float64.
    """
    xs, data = case.split(inputs)
    real = np.finfo(dtype).dtype
    f = case.bind({k: as_floating(v, real) for k, v in data.items()}, params)
    ops = FloatOps(dtype)

    def g(vector):
        value = np.asarray(f(ops, *unflatten(np.asarray(vector).astype(dtype, copy=False), xs)))
        # NB: complex results are not cast, so code that drops the imaginary part shows as real output.
        return (value if np.issubdtype(dtype, np.complexfloating) else value.astype(dtype)).reshape(-1)
    return g, flat_inputs(xs)


def difference(g, x, direction, h, scheme, f0=None):
    """One stencil estimate of g's derivative at x along direction with step h."""
    stencil = SCHEMES[scheme]
    total = 0.0
    for offset, weight in zip(stencil.offsets, stencil.weights):
        value = (g(x) if f0 is None else f0) if offset == 0 else g(x + offset * h * direction)
        total = total + weight * value
    return total / h ** stencil.derivative


def columns(g, x, directions, steps, scheme):
    """Stencil estimates along each column of directions (n x k; None: the coordinates), one step per column.

    Along coordinates the step is first rounded so that x_i + h is a float (h = (x_i + h) - x_i), which
    removes the representation error of the step (Numerical Recipes, sec. 5.7); the result is (m x k).
    """
    if directions is None:
        steps = np.asarray(steps, dtype=x.dtype)     # NB: in x's type, so x + h is a float of that type
        rounded = (x + steps) - x
        directions, steps = np.eye(x.size), np.where(rounded != 0, rounded, steps)
    f0 = g(x) if 0 in SCHEMES[scheme].offsets else None
    return np.stack([difference(g, x, directions[:, i], steps[i], scheme, f0)
                     for i in range(directions.shape[1])], axis=1)


def jacobian(g, x, steps, scheme):
    """Columns by coordinate differences; steps holds one h per input component."""
    return columns(g, x, None, steps, scheme)


def hessian_diagonal(g, x, steps=None):
    """d^2 g_k / dx_i^2 by the 3-point second-difference stencil, an (m x n) array."""
    return jacobian(g, x, rule_steps(x, "second") if steps is None else steps, "second")


def central_probe(g, x, direction):
    """A central difference along one unit direction, at the central rule's step for the largest |x_i|."""
    h = EPS ** SCHEMES["central"].exponent * max(1.0, float(np.max(np.abs(x))) if x.size else 1.0)
    return difference(g, x, direction, h, "central")


def rule_steps(x, scheme, eps=EPS):
    """The default step: eps^(1/(p+d)) scaled by max(1, |x_i|) (p the order, d the derivative), in x's type."""
    x = np.asarray(x)
    steps = eps ** SCHEMES[scheme].exponent * np.maximum(1.0, np.abs(x))
    return steps.astype(x.dtype) if np.issubdtype(x.dtype, np.floating) else steps


def sweep_directions(x, rng):
    """Coordinate directions for few inputs, else SWEEP_DIRECTIONS seeded random unit vectors."""
    if x.size <= FULL_SWEEP_MAX_INPUTS:
        return "full", None
    directions = rng.standard_normal((x.size, SWEEP_DIRECTIONS))
    return f"random {SWEEP_DIRECTIONS}", directions / np.linalg.norm(directions, axis=0)


def sweep(g, x, scheme, rng, estimate=None, steps=STEPS):
    """Estimates at every h in steps: full Jacobians for few inputs, else directional derivatives.

    estimate(g, x, directions or None, steps) -> (m x k) defaults to the stencil of `scheme`.
    """
    estimate = estimate or (lambda g_, x_, d_, s_: columns(g_, x_, d_, s_, scheme))
    label, directions = sweep_directions(x, rng)
    k = x.size if directions is None else directions.shape[1]
    estimates = np.stack([estimate(g, x, directions, np.full(k, h)) for h in steps])
    return {"direction": label, "h": steps, "estimates": estimates, "directions": directions}


def higher_derivative(g, x, directions, order, eps=EPS):
    """|d^order g / dt^order| along each direction (m x k), by the central O(h^2) stencil of that order.

    Returns (magnitudes, noise): noise is the stencil's own rounding level 2^order eps |g| / h^order.
    """
    scale = max(1.0, float(np.max(np.abs(x)))) if x.size else 1.0
    h = eps ** (1 / (order + 2)) * scale       # optimal step of an O(h^2) stencil for this order
    offsets = [order / 2 - j for j in range(order + 1)]
    weights = [(-1) ** j * comb(order, j) for j in range(order + 1)]
    values = [[g(x + o * h * directions[:, i]) for i in range(directions.shape[1])] for o in offsets]
    derivative = sum(w * np.stack(v, axis=1) for w, v in zip(weights, values)) / h ** order
    level = max(float(np.max(np.abs(v))) for row in values for v in row)
    return np.abs(derivative), 2 ** order * eps * level / h ** order


def theory_step(g, x, scheme, directions=None, eps=EPS):
    """The step minimising a h^p ||D|| + b eps sqrt(k) ||g|| / h^d (the textbook error model), or nan.

    D holds the (p+d)-th derivatives along the sweep's k directions, estimated by a stencil of their
    own; nan when they are below that stencil's rounding level (no visible truncation error).
    """
    stencil = SCHEMES[scheme]
    p, d = stencil.order, stencil.derivative
    along = np.eye(x.size) if directions is None else directions
    magnitudes, noise = higher_derivative(g, x, along, p + d, eps)
    size = float(np.linalg.norm(magnitudes))
    if not np.isfinite(size) or size <= 10 * noise * np.sqrt(magnitudes.size):
        return float("nan")
    truncation = stencil.truncation * size
    rounding = stencil.roundoff * eps * np.sqrt(along.shape[1]) * float(np.linalg.norm(g(x)))
    return float((d * rounding / (p * truncation)) ** (1 / (p + d)))


def vee_bottom(errors) -> float:
    """The step at the bottom of the sweep's V: the minimum of the running median of 5 neighbouring errors.

    NB: unlike the single smallest error (best_h), this is not pulled off by one lucky rounding.
    """
    h = np.array([s for s, _ in errors], dtype=float)
    e = np.array([err for _, err in errors], dtype=float)
    e = np.where(np.isfinite(e), e, np.inf)
    if h.size < 5 or not np.isfinite(e).any():
        return float("nan")
    windows = np.lib.stride_tricks.sliding_window_view(e, 5)
    return float(h[2:-2][int(np.argmin(np.median(windows, axis=1)))])


def guarded(g, size: int):
    """g with an exception (a stencil point outside the domain) read as NaN in each of its `size` outputs."""
    def safe(vector):
        try:
            return g(vector)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return np.full(size, np.nan)
    return safe


ONE_SIDED = {"forward": ("backward",), "backward": ("forward",), "central": ("forward", "backward"),
             "central4": ("forward", "backward")}


def inside_domain(g, x, estimate, scheme, eps=EPS):
    """(estimate, message): columns whose stencil left the domain redone one-sided where that stays inside.

    NB: a column is redone only where g(x) itself is finite (the point is inside, its stencil is not).
    """
    bad = ~np.all(np.isfinite(estimate), axis=0)
    replaced = estimate.copy()
    fixed = []
    for i in np.flatnonzero(bad):
        for side in ONE_SIDED.get(scheme, ()):
            h = rule_steps(x[i:i + 1], side, eps)
            unit = np.zeros(x.size)
            unit[i] = 1.0
            column = difference(g, x, unit, float(((x[i] + h) - x[i])[0]) or float(h[0]), side)
            if np.all(np.isfinite(column)):
                replaced[:, i] = column
                fixed.append(side)
                break
    left = int(bad.sum())
    message = (f"the {scheme} stencil left the domain for {left} of {x.size} inputs; "
               f"{len(fixed)} redone one-sided ({', '.join(sorted(set(fixed))) or 'none stays inside'})")
    return replaced, message


def run_scheme(scheme, case, params, points, rng, precision=DEFAULT):
    """The stencil `scheme` at its default step at each point, in `precision`, with its sweep and theory step
    (Method.run)."""
    chosen = PRECISIONS[precision]
    results = []
    for inputs in points:
        g, x = flat_function(case, params, inputs, chosen.real)
        x = x.astype(chosen.real)
        g = guarded(g, np.size(g(x)))
        steps = rule_steps(x, scheme, chosen.eps)
        estimate, seconds = timed(lambda: jacobian(g, x, steps, scheme))
        swept = sweep(g, x, scheme, rng, steps=chosen.sweep_steps)
        extra = {"step_h": float(np.median(steps)), "n_func_evals": SCHEMES[scheme].evaluations(x.size),
                 "theory_h": theory_step(g, x, scheme, swept["directions"], chosen.eps), "sweep": swept}
        message = ""
        if not np.all(np.isfinite(estimate)) and np.all(np.isfinite(g(x))):
            estimate, message = inside_domain(g, x, estimate, scheme, chosen.eps)
            extra["limit"] = "domain"
            if not np.all(np.isfinite(estimate)):
                results.append(PointResult(status="not_applicable", message=message, extra=extra))
                continue
        results.append(PointResult(np.asarray(estimate, dtype=np.float64), message=message, setup_time_s=0.0,
                                   eval_time_s=seconds, extra=extra, timings={"eval": seconds}))
    return results


# NB: partial, not a closure made at import, so the stencil code runs at call time (mutation testing switches it)
FORWARD = Method("fd_forward", "numeric", "forward difference, h = sqrt(eps) max(1, |x|)",
                 partial(run_scheme, "forward"), follows_precision=True)
BACKWARD = Method("fd_backward", "numeric", "backward difference, h = sqrt(eps) max(1, |x|)",
                  partial(run_scheme, "backward"), follows_precision=True)
CENTRAL = Method("fd_central", "numeric", "central difference, h = eps^(1/3) max(1, |x|)",
                 partial(run_scheme, "central"), follows_precision=True)
CENTRAL4 = Method("fd_central4", "numeric", "4th-order 5-point central difference, h = eps^(1/5) max(1, |x|)",
                  partial(run_scheme, "central4"), follows_precision=True)
