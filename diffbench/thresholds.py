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
