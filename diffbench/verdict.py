"""A method row judged against its point's float64 floor: shortfall_digits and the limit that bit."""
from __future__ import annotations

import math

from diffbench.thresholds import FULL_FLOOR_DIGITS  # -log10(2^-53): what a perfectly conditioned point allows
AT_FLOOR_DIGITS = 1.0          # a method within this of attainable_digits is at the floor
CONDITIONED_BELOW = FULL_FLOOR_DIGITS - 1.0   # attainable below this: the point's conditioning limits
CANCELLATION_DIGITS = 1.0      # f_digits this far below attainable: the float64 code of f cancels

# What bit a method that fell short, as the report's answer table names it, and what each name means.
LIMITS = {
    "conditioning": "the method is at the floor and the point's conditioning sets it low",
    "f not finite": "the float64 code of f itself gives inf or NaN at the point",
    "cancellation": "that code keeps fewer digits of f than the floor",
    "truncation": "a step method's step lay above its fitted optimum",
    "round-off": "a step method's step lay below its fitted optimum, or a method lost digits in its own float64 "
                 "operations",
    "domain": "a step left f's domain",
    "not finite": "the method returned inf or NaN",
}


def clipped(digits: float) -> float:
    """Correct digits with wrong-sign / worse-than-nothing results (negative digits) counted as 0."""
    return max(0.0, digits) if math.isfinite(digits) else digits


def shortfall_digits(correct_digits: float, attainable: float) -> float:
    """How far a method falls short of what float64 allows at the point (>= 0); nan when either is unknown."""
    if not (math.isfinite(correct_digits) and math.isfinite(attainable)):
        return float("nan")
    return max(0.0, attainable - clipped(correct_digits))


def limit(row: dict, kind: str) -> str:
    """The cause that limits a scored row, where it can be told; '' where it cannot.

    Order of the tests: a stencil that left the domain; the point's conditioning when the method is at
    the floor; f not finite when f's own float64 value is inf or NaN; cancellation when it is poor; for step methods truncation (the step used
    is above the fitted optimum) or round-off; else round-off of the method's operations.
    """
    if row.get("limit") == "domain":
        return "domain"
    digits, attainable = row.get("correct_digits", math.nan), row.get("attainable_digits", math.nan)
    if not math.isfinite(digits):
        return "not finite"
    if not math.isfinite(attainable):
        return ""
    if attainable - clipped(digits) < AT_FLOOR_DIGITS:
        return "conditioning" if attainable < CONDITIONED_BELOW else "round-off"
    if kind != "analytic" and row.get("f_finite") is False:
        return "f not finite"      # the float64 code of f overflows (or gives NaN) here: no digit to cancel
    f_digits = row.get("f_digits", math.nan)
    if kind != "analytic" and math.isfinite(f_digits) and f_digits < attainable - CANCELLATION_DIGITS:
        return "cancellation"
    step, optimum = row.get("step_h", math.nan), row.get("opt_h", math.nan)
    if kind == "numeric" and math.isfinite(step) and math.isfinite(optimum):
        return "truncation" if step > optimum else "round-off"
    return "round-off"


def judged(row: dict, kind: str) -> dict:
    """shortfall_digits and limit of a scored row (status ok with correct_digits)."""
    return {"shortfall_digits": shortfall_digits(row.get("correct_digits", math.nan),
                                                 row.get("attainable_digits", math.nan)),
            "limit": limit(row, kind)}
