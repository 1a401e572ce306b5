"""Accuracy thresholds per method, each with the reason for its level; the tests read this table."""
from typing import NamedTuple


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

REFERENCE_AGREEMENT_DIGITS = 30   # the two reference routes must agree this far (50-digit arithmetic)
