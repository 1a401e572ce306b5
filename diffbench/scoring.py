"""Scores of a derivative against the reference: relative errors and correct digits (pure functions)."""
import math

import numpy as np

MAX_DIGITS = 17.0


def error_vs_reference(estimate, hi, lo) -> np.ndarray:
    """estimate - reference, with the reference held as a double-double (hi + lo)."""
    return (np.asarray(estimate, dtype=np.float64) - hi) - lo


def correct_digits(rel_error: float) -> float:
    if not np.isfinite(rel_error):
        return float("nan")
    return MAX_DIGITS if rel_error == 0 else min(MAX_DIGITS, -math.log10(rel_error))


def relative_error(error, reference) -> float:
    """||error||_F / ||reference||_F (absolute when the reference is zero)."""
    scale = float(np.linalg.norm(reference))
    norm = float(np.linalg.norm(error))
    return norm / scale if scale > 0 else norm


def score(estimate, hi, lo) -> dict:
    error = error_vs_reference(estimate, hi, lo)
    rel = relative_error(error, hi)
    floor = 1e-15 * float(np.max(np.abs(hi))) if np.size(hi) else 0.0
    denominator = np.maximum(np.abs(hi), floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        componentwise = np.where(denominator > 0, np.abs(error) / denominator, np.abs(error))
    return {"rel_error": rel, "max_rel_error": float(np.max(componentwise)) if componentwise.size else 0.0,
            "correct_digits": correct_digits(rel)}


def sweep_errors(sweep: dict, hi, lo) -> list[tuple[float, float]]:
    """(h, relative error) along a finite-difference sweep (directional sweeps compare J v)."""
    directions = sweep.get("directions")
    if directions is None:
        target_hi, target_lo = hi, lo
    else:
        target_hi, target_lo = hi @ directions, lo @ directions
    return [(float(h), relative_error(error_vs_reference(est, target_hi, target_lo), target_hi))
            for h, est in zip(sweep["h"], sweep["estimates"])]


def best_step(errors: list[tuple[float, float]]) -> tuple[float, float]:
    finite = [(e, h) for h, e in errors if np.isfinite(e)]
    if not finite:
        return float("nan"), float("nan")
    e, h = min(finite)
    return h, e
