"""Growth laws of sizes against a parameter: exponential (rate per step) or polynomial (degree), fitted in log space."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_POINTS = 3


@dataclass(frozen=True)
class GrowthFit:
    law: str              # "exponential" | "polynomial" | "constant": the law with the better fit
    rate: float           # exp(slope of log y against n): the factor y grows by per unit step of n
    rate_r2: float        # R² of that fit (of log y)
    degree: float         # slope of log y against log n: the polynomial degree
    degree_r2: float      # R² of that fit
    n_points: int         # points fitted
    size_from: float      # the fitted range of n
    size_to: float

    @property
    def parameter(self) -> float:
        """The chosen law's parameter: the rate for an exponential, the degree for a polynomial."""
        return self.rate if self.law == "exponential" else self.degree if self.law == "polynomial" else 0.0

    @property
    def r2(self) -> float:
        return self.rate_r2 if self.law == "exponential" else self.degree_r2 if self.law == "polynomial" else 1.0


def fit_growth(sizes, values) -> GrowthFit | None:
    """Fit log y = a + b n (exponential) and log y = a + d log n (polynomial); keep the law with the larger R².

    Only points with n >= 1 and y > 0 count, and of those the upper half of the n range (at least MIN_POINTS
    points), so a law describes how the size grows, not its first steps. NB: d is the local log-log slope, which
    only tends to the true degree as n grows (3n - 3 gives d ≈ 1.2 on n = 4..8); the rate of an exponential
    is read off directly. None when fewer than MIN_POINTS usable points remain.
    """
    n, y = np.asarray(sizes, dtype=float), np.asarray(values, dtype=float)
    keep = np.isfinite(n) & np.isfinite(y) & (n >= 1) & (y > 0)
    n, y = n[keep], y[keep]
    order = np.argsort(n)
    n, y = n[order], y[order]
    if np.unique(n).size < MIN_POINTS:
        return None
    upper = n >= n.max() / 2
    if np.unique(n[upper]).size >= MIN_POINTS:
        n, y = n[upper], y[upper]
    log_y = np.log(y)
    if np.ptp(log_y) == 0:
        return GrowthFit("constant", 1.0, 1.0, 0.0, 1.0, n.size, n.min(), n.max())
    slope, rate_r2 = _line(n, log_y)
    degree, degree_r2 = _line(np.log(n), log_y)
    law = "exponential" if rate_r2 > degree_r2 else "polynomial"
    return GrowthFit(law, float(np.exp(slope)), rate_r2, degree, degree_r2, int(n.size), float(n.min()),
                     float(n.max()))


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, R²) of the least-squares line through (x, y)."""
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    total = np.sum((y - y.mean()) ** 2)
    return float(slope), float(1.0 - np.sum(residual**2) / total)


def describe_fit(fit: GrowthFit) -> str:
    """One phrase: 'exponential, ×2.51 per step (R² 0.999)' or 'polynomial, degree 1.71 (R² 1.000)'."""
    if fit.law == "constant":
        return "constant"
    if fit.law == "exponential":
        return f"exponential, ×{fit.rate:.2f} per step (R² {fit.rate_r2:.4f})"
    return f"polynomial, degree {fit.degree:.2f} (R² {fit.degree_r2:.4f})"
