"""Accuracy thresholds per method, each with the reason for its level, held against the point's float64 floor."""
import math
from typing import NamedTuple

FULL_FLOOR_DIGITS = 15.95   # -log10(2^-53): attainable_digits of a perfectly conditioned point


class Threshold(NamedTuple):
    max_rel_error: float   # relative error ||J - J_ref|| / ||J_ref|| that must not be exceeded
    measure: str           # which number is held: "rule" (the method's own estimate) or "best" (sweep optimum)
    reason: str


THRESHOLDS = {
    "tape_reverse": Threshold(1e-13, "rule", "exact rules in float64: only round-off of the recorded operations"),
    "tape_forward": Threshold(1e-13, "rule", "exact rules in float64: only round-off of the recorded operations"),
    "torch": Threshold(1e-13, "rule", "torch.autograd in float64: exact rules, round-off only"),
    "analytic": Threshold(1e-13, "rule", "hand-derived closed forms evaluated in float64: round-off only"),
    "sympy": Threshold(1e-12, "rule", "exact derivative, but lambdified code may reorder sums (cancellation)"),
    "fd_central": Threshold(1e-8, "best", "truncation O(h^2) meets round-off O(eps/h) near 1e-10 for O(1) derivatives"),
    "fd_forward": Threshold(1e-6, "best", "truncation O(h) meets round-off O(eps/h) near 1e-8; 100x margin"),
}



def allowed_shortfall(method: str) -> float:
    """Digits a method may fall below attainable_digits: what its threshold allows at a 16-digit floor.

    AD, torch and analytic: 15.95 - 13 = 2.95 (round-off of the recorded operations); sympy 3.95; the FD
    schemes at their best step by their theory: central 7.95 (eps^(2/3) ~ 1e-8 with a 100x margin), forward
    9.95 (sqrt(eps) ~ 1e-8 with a 100x margin).
    """
    return FULL_FLOOR_DIGITS + math.log10(THRESHOLDS[method].max_rel_error)


def allowed_rel_error(method: str, attainable_digits: float) -> float:
    """The threshold at a point whose float64 floor is attainable_digits: the method's max_rel_error scaled
    by how far that floor lies below 16 digits. NB: never looser than max_rel_error where the floor is full."""
    if not math.isfinite(attainable_digits):
        return THRESHOLDS[method].max_rel_error
    drop = max(0.0, FULL_FLOOR_DIGITS - attainable_digits)
    return THRESHOLDS[method].max_rel_error * 10 ** drop


REFERENCE_AGREEMENT_DIGITS = 30   # the two reference routes must agree this far (50-digit arithmetic)


class StencilTheory(NamedTuple):
    """The textbook error model of a finite-difference estimate at step h (Taylor expansion of g(x + o h))."""
    order: int           # p: truncation error ~ a |g^(p+1)| h^p
    truncation: float    # a = |sum_j w_j o_j^(p+1)| / (p+1)!
    roundoff: float      # b = sum_j |w_j|: each evaluation off by e_g gives at most b e_g / h
    reason: str


FD_ESTIMATE_THEORY = {
    "fd_forward": StencilTheory(1, 1 / 2, 2.0, "(g(x+h) - g(x))/h = g' + g'' h/2 + ..."),
    "fd_backward": StencilTheory(1, 1 / 2, 2.0, "(g(x) - g(x-h))/h = g' - g'' h/2 + ..."),
    "fd_central": StencilTheory(2, 1 / 6, 1.0, "(g(x+h) - g(x-h))/2h = g' + g''' h^2/6 + ..."),
    "fd_central4": StencilTheory(4, 1 / 30, 1.5,
                                 "(-g(x+2h) + 8g(x+h) - 8g(x-h) + g(x-2h))/12h = g' - g^(5) h^4/30 + ..."),
}
# The model adds truncation and round-off at their worst, so measured errors sit at or below it (equal where
# truncation dominates, as in the logistic map); the factor 2 covers the next Taylor term and the spread of
# rounding between evaluations. NB: a step 10x too large then breaks the bound by 5x on the logistic map.
FD_ESTIMATE_MARGIN = 2.0


def fd_default_steps(scheme: str, x):
    """The step the theory prescribes per input: eps^(1/(p+1)) max(1, |x_i|) (the optimum for O(1) scales)."""
    import numpy as np
    p = FD_ESTIMATE_THEORY[scheme].order
    return np.finfo(np.float64).eps ** (1 / (p + 1)) * np.maximum(1.0, np.abs(np.asarray(x, dtype=float)))


def fd_estimate_bound(scheme: str, steps, higher, value_error: float, gradient_norm: float) -> float:
    """The relative error a default-step estimate may have: margin x ||a h_i^p |D_i| + b e_g / h_i||_2 / ||J||.

    higher[i] = |d^(p+1) g / dx_i^(p+1)| (the case's scale of truncation), value_error = e_g the rounding
    error of one float64 evaluation of g (its scale of round-off), gradient_norm = ||J||_F.
    """
    import numpy as np
    theory = FD_ESTIMATE_THEORY[scheme]
    h = np.asarray(steps, dtype=float)
    truncation = theory.truncation * h ** theory.order * np.asarray(higher, dtype=float)
    per_input = truncation + theory.roundoff * value_error / h
    return FD_ESTIMATE_MARGIN * float(np.linalg.norm(per_input)) / gradient_norm
