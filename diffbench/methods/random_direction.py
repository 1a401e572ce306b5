"""The two-point random-direction gradient estimator G = n (f(x + h v) - f(x - h v)) / (2h) v, v uniform on the sphere.

Averaged over S directions it costs 2S evaluations; E G = J (up to the central difference's O(h^2)), and
E ||G - J||_F^2 = (n - 1) ||J||_F^2 / S, so its relative error falls only as sqrt((n - 1) / S).
"""
import numpy as np

from diffbench.methods.base import Method, PointResult
from diffbench.methods.finite_diff import EPS, SCHEMES, flat_function
from diffbench.timing import timed


def unit_directions(rng, n, samples):
    """samples directions uniform on the unit sphere in R^n, as columns (normalised Gaussians)."""
    v = rng.standard_normal((n, samples))
    return v / np.linalg.norm(v, axis=0)


def directional_differences(g, x, directions, h):
    """(g(x + h v) - g(x - h v)) / (2h) for each column v: an (m x S) array."""
    return np.stack([(g(x + h * v) - g(x - h * v)) / (2 * h) for v in directions.T], axis=1)


def estimator_curve(g, x, directions, h, sample_counts):
    """The estimate after the first S directions, for each S in sample_counts (one pass of evaluations)."""
    slopes = directional_differences(g, x, directions, h)
    n = x.size
    running = np.cumsum(np.einsum("ms,ns->smn", slopes, directions), axis=0)   # sum over samples of (m x n)
    return [n * running[s - 1] / s for s in sample_counts]


def sample_counts(samples):
    """1, 2, 4, ... up to samples, and samples itself."""
    counts = [2 ** k for k in range(int(np.log2(samples)) + 1)] if samples >= 1 else []
    return sorted(set(counts + [samples]))


def run(case, params, points, rng):
    results = []
    for inputs in points:
        g, x = flat_function(case, params, inputs)
        samples = x.size                  # NB: the same 2n evaluations a central-difference gradient costs
        h = EPS ** SCHEMES["central"].exponent * max(1.0, float(np.max(np.abs(x))))
        directions = unit_directions(rng, x.size, samples)
        counts = sample_counts(samples)
        curve, seconds = timed(lambda: estimator_curve(g, x, directions, h, counts))
        expected = [float(np.sqrt((x.size - 1) / s)) for s in counts]
        extra = {"step_h": float(h), "n_func_evals": 2 * samples,
                 "evals_curve": {"estimator": "random_direction", "samples": counts,
                                 "n_func_evals": [2 * s for s in counts], "estimates": curve,
                                 "expected_rel_error": expected}}
        results.append(PointResult(curve[-1], setup_time_s=0.0, eval_time_s=seconds, extra=extra,
                                   timings={"eval": seconds}))
    return results


RANDOM_DIRECTION = Method("fd_random", "numeric", "two-point random-direction estimator, n directions "
                          "uniform on the sphere (2n evaluations), h = eps^(1/3) max(1, |x|)", run)
