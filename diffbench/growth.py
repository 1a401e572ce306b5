"""Growth laws of sizes against a parameter, chosen among constant, polynomial and exponential by a penalised fit."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_SIZES = 4              # below this many distinct sizes no law is claimed: "too few sizes"
SMALLEST_SIZE = 4          # sizes below this many nodes are boundary effects (sin'(x) = cos(x): 2 nodes), not fitted
SIZE_NOISE = 1e-3          # NB: log-space residuals below this are treated as exact (sizes are counts)
SHIFTS = 161               # grid of the polynomial's shift s in a + c (n + s)^d
DEGREES = np.arange(0.05, 20.0001, 0.01)   # grid of its degree d (the uncertainty is far above the spacing)
LAWS = ("constant", "polynomial", "exponential", "too few sizes")


@dataclass(frozen=True)
class GrowthFit:
    law: str              # constant | polynomial | exponential | too few sizes
    rate: float           # exponential: the factor per unit step of n (r in c n^k r^n)
    rate_r2: float        # R² (log space) of the exponential model
    degree: float         # polynomial: d in a + c (n + s)^d
    degree_r2: float      # R² (log space) of the polynomial model
    n_points: int         # sizes fitted (all usable ones)
    size_from: float      # the fitted range of n
    size_to: float
    rate_se: float = float("nan")     # jackknife standard error of rate
    degree_se: float = float("nan")   # jackknife standard error of degree

    @property
    def parameter(self) -> float:
        """The chosen law's parameter: the rate for an exponential, the degree for a polynomial."""
        return self.rate if self.law == "exponential" else self.degree if self.law == "polynomial" else 0.0

    @property
    def r2(self) -> float:
        return self.rate_r2 if self.law == "exponential" else self.degree_r2 if self.law == "polynomial" else 1.0


def shift_grid(n: np.ndarray) -> np.ndarray:
    """The shifts s tried for sizes n: SHIFTS from -min(n) + 0.5 to max(n), and 0."""
    return np.union1d(np.linspace(-n.min() + 0.5, n.max(), SHIFTS), [0.0])


def power_grid(n: np.ndarray, known: dict | None = None) -> np.ndarray:
    """(n + s)^d for every shift s of shift_grid(n) and degree d of DEGREES: shifts x sizes x degrees.
    known: grids already computed, by the sizes' bytes (the caller's, for fits over the same sizes)."""
    key = n.tobytes()
    if known is not None and key in known:
        return known[key]
    powers = (n[None, :, None] + shift_grid(n)[:, None, None]) ** DEGREES[None, None, :]
    if known is not None:
        known[key] = powers
    return powers


def polynomial_fit(n: np.ndarray, log_y: np.ndarray, weights: np.ndarray,
                   powers: np.ndarray | None = None) -> tuple[float, float]:
    """(degree d, residual) of y = a + c (n + s)^d, d and s profiled on grids, a and c by least squares.
    powers: power_grid(n), where the caller has it.

    NB: a and s make every quadratic (and lower-order terms of any degree) exact, so (n + 1)(n + 2)/2 or
    (n^2 + 3n - 2)/2 reads as degree 2 on small n, where a log-log slope is a local slope below 2. The
    residual is that of log y (relative, weighted like the other models), to first order.
    """
    y = np.exp(log_y)
    v = weights / y ** 2                        # weights of relative residuals (y - fit) / y
    best = (float("nan"), math.inf)
    for powers_at_shift in (power_grid(n) if powers is None else powers):   # sizes x degrees, one shift
        total, sx, sy = v.sum(), v @ powers_at_shift, v @ y
        sxx, sxy = v @ powers_at_shift ** 2, (v * y) @ powers_at_shift
        with np.errstate(all="ignore"):
            c = (total * sxy - sx * sy) / (total * sxx - sx ** 2)
            a = (sy - c * sx) / total
            fitted = a + c * powers_at_shift
            residual = np.sum(weights[:, None] * (log_y[:, None] - np.log(fitted)) ** 2, axis=0)
        residual[~((c > 0) & np.all(fitted > 0, axis=0) & np.isfinite(residual))] = np.inf
        k = int(np.argmin(residual))
        if residual[k] < best[1]:
            best = (float(DEGREES[k]), float(residual[k]))
    return best


def _polynomial_degree_without(n: np.ndarray, log_y: np.ndarray, weights: np.ndarray, known: dict):
    """i -> polynomial_fit's degree without size i, reusing the full sizes' powers where the rest keeps n's
    smallest and largest size (its shift grid is then the same): the same numbers, without most of their cost."""
    def degree(i):
        rest = _without(i, n, log_y, weights)
        shared = 0 < i < n.size - 1      # n is sorted: its smallest and largest size stay in the rest
        powers = np.delete(power_grid(n, known), i, axis=1) if shared else power_grid(rest[0], known)
        return polynomial_fit(*rest, powers)[0]
    return degree


def exponential_fit(n: np.ndarray, log_y: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """(rate r, residual sum of squares) of log y = log c + k log n + n log r (c n^k r^n, k free)."""
    coefficients, residual = _least_squares(np.column_stack([np.ones_like(n), np.log(n), n]), log_y, weights)
    return float(np.exp(coefficients[2])), residual


def _least_squares(design: np.ndarray, target: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted least squares: (coefficients, sum of w r^2)."""
    root = np.sqrt(weights)
    coefficients = np.linalg.lstsq(design * root[:, None], target * root, rcond=None)[0]
    return coefficients, float(np.sum(weights * (target - design @ coefficients) ** 2))


def _without(i: int, *arrays: np.ndarray) -> tuple:
    return tuple(np.delete(a, i) for a in arrays)


def _jackknife(estimate_without, count: int) -> float:
    """Standard error of an estimate by leaving out one of `count` sizes at a time (estimate_without(i))."""
    values = np.array([estimate_without(i) for i in range(count)])
    return float(np.sqrt((count - 1) / count * np.sum((values - values.mean()) ** 2)))


def _criterion(residual: float, points: int, parameters: int) -> float:
    """BIC of a (weighted, mean weight 1) log-space fit: m log(RSS / m) + k log m, residuals floored at SIZE_NOISE."""
    return points * math.log(max(residual / points, SIZE_NOISE ** 2)) + parameters * math.log(points)


def fit_growth(sizes, values, known: dict | None = None) -> GrowthFit:
    """The growth law of values against sizes over every usable size (n >= 1, y >= SMALLEST_SIZE).
    known: power grids (power_grid) to reuse and add to, for several fits over the same sizes.

    Three models are fitted in log space over all sizes (no window): constant (1 parameter), polynomial
    a + c (n + s)^d (4) and exponential c n^k r^n (3); the smallest BIC wins, and an exponential whose rate is
    not above 1 by two standard errors is not called exponential. Fewer than MIN_SIZES distinct sizes:
    law "too few sizes", no parameter.
    """
    n, y = np.asarray(sizes, dtype=float), np.asarray(values, dtype=float)
    keep = np.isfinite(n) & np.isfinite(y) & (n >= 1) & (y >= SMALLEST_SIZE)
    n, y = n[keep], y[keep]
    order = np.argsort(n)
    n, y = n[order], y[order]
    nan = float("nan")
    if np.unique(n).size < MIN_SIZES:
        return GrowthFit("too few sizes", nan, nan, nan, nan, int(n.size), float(n.min()) if n.size else nan,
                         float(n.max()) if n.size else nan)
    log_y = np.log(y)
    # NB: a count y has relative noise ~ 1/sqrt(y) (lower-order terms, off-by-one boundary sizes), so log y is
    # weighted by y: the few-node sizes at small n do not set the law of the large ones.
    weights = y / y.mean()
    mean = float(np.sum(weights * log_y) / np.sum(weights))
    total = float(np.sum(weights * (log_y - mean) ** 2))
    known = {} if known is None else known
    degree, poly_residual = polynomial_fit(n, log_y, weights, power_grid(n, known))
    rate, exp_residual = exponential_fit(n, log_y, weights)
    scores = {"constant": _criterion(total, n.size, 1), "polynomial": _criterion(poly_residual, n.size, 4),
              "exponential": _criterion(exp_residual, n.size, 3)}
    rate_se = (_jackknife(lambda i: exponential_fit(*_without(i, n, log_y, weights))[0], n.size)
               if total > 0 else 0.0)
    degree_se = _jackknife(_polynomial_degree_without(n, log_y, weights, known), n.size) if total > 0 else 0.0
    if rate - 2 * rate_se <= 1:      # NB: r <= 1 with a free k is a polynomial bent, not a growth by factors
        scores["exponential"] = math.inf
    law = min(scores, key=lambda name: (scores[name], LAWS.index(name)))
    r2 = (lambda residual: 1.0 - residual / total if total > 0 else 1.0)
    return GrowthFit(law, rate, r2(exp_residual), degree, r2(poly_residual), int(n.size), float(n.min()),
                     float(n.max()), rate_se, degree_se)


def describe_fit(fit: GrowthFit) -> str:
    """One phrase: 'exponential, ×2.05 ± 0.03 per step (R² 0.9999)' or 'polynomial, degree 2.00 ± 0.02 (...)'."""
    if fit.law == "too few sizes":
        return f"too few sizes ({fit.n_points} of the {MIN_SIZES} a law needs)"
    if fit.law == "constant":
        return "constant"
    if fit.law == "exponential":
        return f"exponential, ×{fit.rate:.2f}{_plus_minus(fit.rate_se)} per step (R² {fit.rate_r2:.4f})"
    return f"polynomial, degree {fit.degree:.2f}{_plus_minus(fit.degree_se)} (R² {fit.degree_r2:.4f})"


def _plus_minus(error: float) -> str:
    return f" ± {error:.2f}" if np.isfinite(error) else ""
