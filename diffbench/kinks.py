"""Points where the derivative does not exist: one-sided derivatives in high precision, and verdicts there.

At a kink (ReLU at 0, |x| at 0, max at a tie) a Jacobian entry has two one-sided limits. No method can be
"right" against one convention there; what can be judged is whether its value is one of the one-sided
derivatives or lies between them (an element of Clarke's generalized gradient, the subdifferential when the
kink is convex). NB: the judgement is entrywise, along the reference's directions (coordinates when the
Jacobian is small, else seeded directions): exact for elementwise kinks, a necessary condition otherwise.
"""
import numpy as np

from diffbench.scoring import correct_digits, error_vs_reference, relative_error

# Only these ops of the tape can make a program non-differentiable at a point inside its domain.
NONSMOOTH_OPS = frozenset({"abs", "where", "amax"})
KINK_JUMP = 1e-18         # one-sided limits further apart than this (relative to the Jacobian's scale): a kink
VERDICT_TOLERANCE = 1e-6  # a float result this close (relative) to a side counts as that side


def may_have_kinks(tape) -> bool:
    return any(node.name in NONSMOOTH_OPS for node in tape.nodes if node.rule is not None)


def one_sided_jacobians(mp, f, x_flat, like, directions, unflatten):
    """(left, right): one-sided directional derivatives of every output along each column of `directions`.

    Evaluated at twice the working precision with step 10^-dps, so each is exact to ~dps digits for a
    piecewise-smooth f (truncation ~ step, rounding ~ 10^-2dps / step).
    """
    dps = mp.ctx.dps
    with mp.ctx.workdps(2 * dps):
        step = mp.ctx.mpf(10) ** (-dps)
        base = np.asarray(f(mp, *unflatten(x_flat, like)), dtype=object).reshape(-1)
        sides = []
        for sign in (-1, 1):
            columns = []
            for j in range(directions.shape[1]):
                moved = np.asarray(f(mp, *unflatten(x_flat + (sign * step) * directions[:, j], like)),
                                   dtype=object).reshape(-1)
                columns.append((moved - base) / (sign * step))
            sides.append(np.array(columns, dtype=object).T)
    return sides[0], sides[1]


def kink_mask(left, right, scale) -> np.ndarray:
    """Entries whose one-sided limits differ beyond the precision of the computation."""
    jump = np.abs(np.asarray(left, dtype=np.float64) - np.asarray(right, dtype=np.float64))
    return jump > KINK_JUMP * max(scale, 1e-300)


def rule_value_is_between(rule_based, left, right, mask, scale) -> bool:
    """Route 1 (the tape's rules) at a kink must give one side or a value between the two."""
    value = np.asarray(rule_based, dtype=np.float64)[mask]
    low = np.minimum(left, right)[mask]
    high = np.maximum(left, right)[mask]
    slack = KINK_JUMP * max(scale, 1e-300)
    return bool(np.all((value >= low - slack) & (value <= high + slack)))


def kink_score(jacobian, ref) -> dict:
    """Score columns for a method at a kink: errors over the differentiable entries, a verdict for the rest."""
    directions, mask = ref["kink_directions"], ref["kink_mask"]
    left, right = ref["kink_left"], ref["kink_right"]
    estimate = np.asarray(jacobian, dtype=np.float64) @ directions
    target_hi, target_lo = ref["hi"] @ directions, ref["lo"] @ directions
    smooth = ~mask
    if smooth.any():
        rel = relative_error(error_vs_reference(estimate[smooth], target_hi[smooth], target_lo[smooth]),
                             target_hi[smooth])
    else:
        rel = float("nan")
    scale = max(float(np.max(np.abs(np.concatenate([left[mask], right[mask]])))), 1e-300)
    value, low, high = estimate[mask], np.minimum(left, right)[mask], np.maximum(left, right)[mask]
    outside = float(np.max(np.maximum(low - value, 0) + np.maximum(value - high, 0))) / scale
    one_sided = bool(np.all(np.minimum(np.abs(value - left[mask]), np.abs(value - right[mask]))
                            <= VERDICT_TOLERANCE * scale))
    if outside > VERDICT_TOLERANCE:
        verdict = "outside"
    elif one_sided:
        verdict = "one-sided derivative"
    else:
        verdict = "valid subgradient"
    return {"rel_error": rel, "correct_digits": correct_digits(rel), "kink_verdict": verdict,
            "kink_distance": outside, "kink_entries": int(mask.sum())}
