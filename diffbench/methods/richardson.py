"""Richardson extrapolation of central differences over halving steps, with an error estimate and the step used.

The approach follows numdifftools (Richardson on a geometric step sequence, error from the change between
successive extrapolations, the entry with the smallest estimated error wins) and scipy.differentiate
(halve the step until the estimated error stops improving).
"""
from dataclasses import dataclass
from math import factorial

import numpy as np

from diffbench.methods.base import Method, PointResult
from diffbench.methods.finite_diff import EPS, flat_function
from diffbench.precision import DEFAULT, PRECISIONS
from diffbench.timing import timed

BASE_STEP = 2.0 ** -4        # h_0 = BASE_STEP max(1, |x_i|); the sequence is h_k = h_0 / 2^k
RATIO = 2.0
MAX_STEPS = 14
SETTLED = 1e-6               # relative error estimate below which no improvement for two steps means done
NOISE_POINTS = 9             # evaluations spent on measuring the function's rounding noise
NOISE_SPACING = 1e-6         # their spacing, times max(1, |x|)
NOISE_BOUND = 3.0            # rounding allowance in standard deviations


@dataclass(frozen=True)
class Extrapolation:
    estimate: np.ndarray     # the derivative (one entry per output)
    error: np.ndarray        # its estimated absolute error, per output
    step: float              # the smallest step the chosen entry used
    evaluations: int


def noise_level(g, x, direction, spacing, eps=EPS):
    """The standard deviation of g's rounding noise, per output, from high-order differences of g at
    closely spaced points (a simplified ECnoise: Moré & Wild 2011, "Estimating computational noise");
    never below eps |g|."""
    values = np.stack([g(x + i * spacing * direction) for i in range(NOISE_POINTS)])
    levels = []
    for order in range(3, 7):
        differences = np.diff(values, n=order, axis=0)
        gamma = factorial(order) ** 2 / factorial(2 * order)
        levels.append(np.sqrt(gamma * np.mean(differences ** 2, axis=0)))
    return np.maximum(np.max(levels, axis=0), eps * np.abs(values[0]))


def extrapolate(g, x, direction, h0, noise, ratio=RATIO, max_steps=MAX_STEPS) -> Extrapolation:
    """Central differences D(h_k) along direction; T[k][j] removes the h^2 ... h^2j terms of D(h_k).

    T[k][j] = T[k][j-1] + (T[k][j-1] - T[k-1][j-1]) / (ratio^2j - 1). Its error is estimated as
    |T[k][j] - T[k-1][j]| (the change of a same-order estimate when the step shrinks, which
    over-states the error of the newer one) plus NOISE_BOUND standard deviations of the rounding noise
    it carries: the function's noise over h_k, times the sum of the extrapolation weights.
    """
    previous, best, since_best = None, None, 0
    weights = [1.0]
    for j in range(1, max_steps):
        weights.append(weights[-1] * (ratio ** (2 * j) + 1) / (ratio ** (2 * j) - 1))
    for k in range(max_steps):
        h = h0 / ratio ** k
        row = [(g(x + h * direction) - g(x - h * direction)) / (2 * h)]
        for j in range(1, k + 1):
            row.append(row[j - 1] + (row[j - 1] - previous[j - 1]) / (ratio ** (2 * j) - 1))
        improved = False
        for j in range(k):
            error = np.abs(row[j] - previous[j]) + NOISE_BOUND * weights[j] * noise / h
            size = float(np.max(error)) if np.all(np.isfinite(error)) and np.all(np.isfinite(row[j])) else np.inf
            if best is None or size < best[0]:
                best, improved = (size, row[j], error, h, k), True
        since_best = 0 if improved else since_best + 1
        previous = row
        # Stop once converged (the error estimate within SETTLED of the estimate) and two halvings brought
        # nothing more, or when the best error is below the rounding allowance of the next step.
        if best is not None and ((since_best >= 2 and best[0] <= SETTLED * float(np.max(np.abs(best[1]))))
                                 or best[0] <= NOISE_BOUND * float(np.max(noise)) * ratio / h):
            break
    evaluations = 2 * (k + 1)
    if best is None or not np.isfinite(best[0]):
        nan = np.full(np.shape(previous[0]), np.nan)
        return Extrapolation(nan, nan, float("nan"), evaluations)
    return Extrapolation(best[1], best[2], best[3], evaluations)


def richardson_jacobian(g, x, rng, base_step=BASE_STEP, eps=EPS):
    """(J, absolute error estimates, steps used per input, evaluations), column by column.

    NB: the noise level is measured once, along a random direction, and used for every column.
    """
    probe = rng.standard_normal(x.size)
    scale = max(1.0, float(np.max(np.abs(x)))) if x.size else 1.0
    probe = probe / np.linalg.norm(probe)
    noise, noise_evaluations = noise_level(g, x, probe, NOISE_SPACING * scale, eps), NOISE_POINTS
    if not np.all(np.isfinite(noise)):
        # NB: the probe's points run one way from x; where that way leaves the domain, the other way is tried
        # (and where both ways do, the noise is taken at its floor, eps |g(x)|)
        noise, noise_evaluations = noise_level(g, x, -probe, NOISE_SPACING * scale, eps), 2 * NOISE_POINTS
        if not np.all(np.isfinite(noise)):
            noise, noise_evaluations = eps * np.abs(g(x)), noise_evaluations + 1
    results = [extrapolate(g, x, e, base_step * max(1.0, abs(xi)), noise) for e, xi in zip(np.eye(x.size), x)]
    return (np.stack([r.estimate for r in results], axis=1), np.stack([r.error for r in results], axis=1),
            np.array([r.step for r in results]), noise_evaluations + sum(r.evaluations for r in results))


def run(case, params, points, rng, precision=DEFAULT):
    chosen = PRECISIONS[precision]
    results = []
    for inputs in points:
        g, x = flat_function(case, params, inputs, chosen.real)
        # NB: each timed repeat probes the noise along the same direction; how many repeats the timing takes
        # must not move the next point's draws (its error estimate differed between runs)
        probe_seed = int(rng.integers(2 ** 63))
        (jacobian, error, steps, evaluations), seconds = timed(lambda: richardson_jacobian(
            g, x, np.random.default_rng(probe_seed), eps=chosen.eps))
        jacobian = np.asarray(jacobian, dtype=np.float64)
        scale = float(np.linalg.norm(jacobian))
        estimate = float(np.linalg.norm(error)) / scale if scale > 0 else float(np.linalg.norm(error))
        extra = {"step_h": float(np.median(steps)), "n_func_evals": evaluations, "error_estimate": estimate}
        if not np.all(np.isfinite(jacobian)) and np.all(np.isfinite(g(x))):
            left = int((~np.all(np.isfinite(jacobian), axis=0)).sum())
            results.append(PointResult(status="not_applicable", extra={**extra, "limit": "domain"},
                                       message=f"every central stencil of the halving sequence left the domain "
                                               f"for {left} of {x.size} inputs"))
            continue
        results.append(PointResult(jacobian, setup_time_s=0.0, eval_time_s=seconds, extra=extra,
                                   timings={"eval": seconds}))
    return results


RICHARDSON = Method("richardson", "numeric", "Richardson extrapolation of central differences, "
                    "h = 2^-4 max(1, |x|) halved until the error estimate stops improving", run,
                    follows_precision=True)
