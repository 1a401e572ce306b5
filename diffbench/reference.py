"""High-precision reference Jacobians by two independent routes, cross-checked.

Route 1 runs the tape over mpmath numbers (exact-rule AD at `dps` digits). Route 2 never looks
at a derivative rule: mpmath's own numerical differentiation (ctx.diff, which raises its working
precision) of t -> f(x + t v), for every coordinate direction when the Jacobian is small, else
for a few seeded random directions v, compared with route 1's J v.
"""
import math

import numpy as np

from diffbench import kinks
from diffbench.ad import api
from diffbench.backends import MpOps
from diffbench.methods.base import unflatten

COMPONENTWISE_MAX_ENTRIES = 64
DIRECTIONS = 3


def reference(case, params, inputs, rng, dps: int = 50) -> dict:
    """{'hi', 'lo'}: the route-1 Jacobian as a double-double; 'digits' of agreement; 'route2'; 'value'."""
    mp = MpOps(dps)
    xs, data = case.split(inputs)
    xs_mp = [mp.asarray(x) for x in xs]
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    jacobian, tape = api.jacrev(f, mp, xs_mp)
    value = tape.nodes[-1].out if tape.nodes and tape.nodes[-1].rule is not None else f(mp, *xs_mp)
    m, n = jacobian.shape
    x_flat = np.concatenate([np.asarray(x, dtype=object).reshape(-1) for x in xs_mp])

    def along(direction, k):
        def g(t):
            out = f(mp, *unflatten(x_flat + t * direction, xs_mp))
            return np.asarray(out, dtype=object).reshape(-1)[k]
        return g

    if m * n <= COMPONENTWISE_MAX_ENTRIES:
        route2 = "componentwise"
        directions = np.eye(n, dtype=int).astype(object)
    else:
        route2 = f"directional k={DIRECTIONS}"
        directions = np.array([[mp.ctx.mpf(v) for v in column]
                               for column in rng.standard_normal((DIRECTIONS, n))], dtype=object).T
    numeric = np.array([[mp.ctx.diff(along(directions[:, j], k), 0) for j in range(directions.shape[1])]
                        for k in range(m)], dtype=object)
    rule_based = jacobian.dot(directions)
    kink = find_kink(mp, f, x_flat, xs_mp, directions, rule_based, tape)
    if kink is None:
        digits = agreement_digits(mp, rule_based, numeric, dps)
    else:
        # At a kink route 2 (central differences) sees the mean of the two sides: the routes are compared
        # on the differentiable entries, and route 1 must give a side or a value between them on the rest.
        smooth = ~kink["kink_mask"]
        digits = agreement_digits(mp, rule_based[smooth], numeric[smooth], dps) if smooth.any() else float(dps)
        if not kink.pop("rule_between"):
            digits = 0.0
    hi = mp.to_float(jacobian)
    lo = mp.to_float(jacobian - hi)
    return {"hi": hi, "lo": lo, "digits": digits, "route2": route2,
            "value": float(np.asarray(mp.to_float(value)).reshape(-1)[0]), "kink": kink is not None,
            **(kink or {})}


def find_kink(mp, f, x_flat, like, directions, rule_based, tape) -> dict | None:
    """The one-sided Jacobians along `directions` where they differ (only programs with abs/where/amax)."""
    if not kinks.may_have_kinks(tape):
        return None
    left, right = kinks.one_sided_jacobians(mp, f, x_flat, like, directions, unflatten)
    left, right = mp.to_float(left), mp.to_float(right)
    scale = float(np.max(np.abs(mp.to_float(rule_based)))) if rule_based.size else 0.0
    mask = kinks.kink_mask(left, right, max(scale, 1.0))
    if not mask.any():
        return None
    return {"kink_left": left, "kink_right": right, "kink_mask": mask,
            "kink_directions": np.asarray(mp.to_float(directions), dtype=np.float64),
            "rule_between": kinks.rule_value_is_between(mp.to_float(rule_based), left, right, mask,
                                                         max(scale, 1.0))}


def agreement_digits(mp, a, b, cap) -> float:
    difference = mp.ctx.sqrt(mp.ctx.fsum(abs(v) ** 2 for v in (a - b).ravel()))
    scale = mp.ctx.sqrt(mp.ctx.fsum(abs(v) ** 2 for v in b.ravel()))
    if mp.ctx.isnan(difference) or mp.ctx.isnan(scale):
        return float("nan")   # NB: min(cap, nan) would be cap: a NaN route agrees to no digits
    if difference == 0:
        return float(cap)
    if scale == 0:
        return -math.log10(float(difference))
    return min(float(cap), -float(mp.ctx.log10(difference / scale)))
