"""The robust optimal step of a finite-difference sweep: the error model C h^p + R / h^d fitted to it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SATURATED = 0.5          # relative errors above this are off the model (the estimate has lost every digit)
BRANCH_GAP = 10 ** 0.5   # points within this factor of the current optimum belong to neither branch
MIN_BRANCH_POINTS = 3
ITERATIONS = 3


@dataclass(frozen=True)
class ErrorModel:
    """error(h) ≈ truncation h^order + roundoff / h^derivative, fitted to one sweep."""
    order: int
    derivative: int
    truncation: float     # C
    roundoff: float       # R
    opt_h: float          # argmin of the model: (d R / (p C))^(1 / (p + d))

    def error(self, h):
        h = np.asarray(h, dtype=float)
        return self.truncation * h ** self.order + self.roundoff / h ** self.derivative

    @property
    def opt_error(self) -> float:
        return float(self.error(self.opt_h))


def running_median_bottom(h: np.ndarray, e: np.ndarray, width: int = 5) -> float:
    """The step at the minimum of the running median of `width` neighbouring errors (the start of the fit)."""
    if h.size < width:
        return float(h[np.argmin(e)]) if h.size else float("nan")
    windows = np.lib.stride_tricks.sliding_window_view(e, width)
    return float(h[width // 2:h.size - width // 2][int(np.argmin(np.median(windows, axis=1)))])


def fit_error_model(errors, order: int, derivative: int = 1) -> ErrorModel | None:
    """Fit C and R to a sweep [(h, relative error)] robustly; None when either branch has too few points.

    How: starting from the running-median bottom h0, the points with h > h0 √10 form the truncation branch
    and those with h < h0 / √10 the round-off branch; C is the median of e / h^p over the first and R the
    median of e h^d over the second (medians: a lucky rounding moves neither); h0 is then moved to the
    model's optimum and the split repeated. Saturated points (error >= 0.5) and exact zeros are left out.
    """
    pairs = sorted((float(h), float(e)) for h, e in errors if np.isfinite(e) and 0 < e < SATURATED and h > 0)
    if len(pairs) < 2 * MIN_BRANCH_POINTS:
        return None
    h, e = np.array(pairs).T
    optimum = running_median_bottom(h, np.where(e > 0, e, np.inf))
    model = None
    for _ in range(ITERATIONS):
        right, left = h > optimum * BRANCH_GAP, h < optimum / BRANCH_GAP
        if right.sum() < MIN_BRANCH_POINTS or left.sum() < MIN_BRANCH_POINTS:
            return model
        truncation = float(np.exp(np.median(np.log(e[right]) - order * np.log(h[right]))))
        roundoff = float(np.exp(np.median(np.log(e[left]) + derivative * np.log(h[left]))))
        optimum = float((derivative * roundoff / (order * truncation)) ** (1 / (order + derivative)))
        model = ErrorModel(order, derivative, truncation, roundoff, optimum)
    return model
