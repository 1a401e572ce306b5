"""High-precision reference Jacobians by two independent routes, cross-checked.

Route 1 runs the tape over mpmath numbers (exact-rule AD at `dps` digits). Route 2 never looks
at a derivative rule: mpmath's own numerical differentiation (ctx.diff, which raises its working
precision) of t -> f(x + t v), for every coordinate direction when the Jacobian is small, else
for a few seeded random directions v, compared with route 1's J v.
"""
import math

import numpy as np

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
    digits = agreement_digits(mp, rule_based, numeric, dps)
    hi = mp.to_float(jacobian)
    lo = mp.to_float(jacobian - hi)
    return {"hi": hi, "lo": lo, "digits": digits, "route2": route2,
            "value": float(np.asarray(mp.to_float(value)).reshape(-1)[0])}


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
