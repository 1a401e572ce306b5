"""High-precision reference Hessians: the tape over arb/mpmath (route 1) checked by mpmath's rule-free second differences.

Route 1 is the first-order reference's route 1 applied to the derived gradient case (diffbench/second_order.py):
the tape's Jacobian of the tape's gradient, over arb balls where the ops allow, else over mpmath. Route 2 never
looks at a derivative rule: mpmath's own numerical differentiation (ctx.diff with two orders, which raises its
working precision) of (s, t) -> f(x + s u + t w), i.e. uᵀ∇²f w: for every pair of coordinates when the Hessian
is small, else for the pairs of a few seeded random directions; compared with route 1's uᵀ H w.
"""
import numpy as np

from diffbench.backends import MpOps
from diffbench.floor import mp_strings
from diffbench.methods.base import unflatten
from diffbench.reference import agreement_digits, exact_jacobian
from diffbench.second_order import gradient_case

COMPONENTWISE_MAX_INPUTS = 8   # n x n second differences up to this n, else DIRECTIONS x DIRECTIONS bilinear forms
DIRECTIONS = 3


def second_differences(mp, f, x_flat, like, directions) -> np.ndarray:
    """[a, b] = d²/ds dt f(x + s u_a + t u_b) at 0 by mpmath's diff (u: the columns of directions), symmetric."""
    k = directions.shape[1]

    def along(a, b):
        return lambda s, t: f(mp, *unflatten(x_flat + s * directions[:, a] + t * directions[:, b], like))

    out = np.empty((k, k), dtype=object)
    for a in range(k):
        out[a, a] = mp.ctx.diff(lambda s: f(mp, *unflatten(x_flat + s * directions[:, a], like)), 0, 2)
        for b in range(a + 1, k):
            out[a, b] = out[b, a] = mp.ctx.diff(along(a, b), (0, 0), (1, 1))
    return out


def reference_hessian(case, params, inputs, direction, rng, dps: int = 50) -> dict:
    """{'hi', 'lo'}: route 1's Hessian as a double-double; 'hvp_hi', 'hvp_lo': H v along `direction`;
    'digits' of agreement with route 2; 'route1' (arb | mpmath), 'route2', 'certified_digits', 'value' (f);
    for the evidence: 'hessian_ref', 'hvp_ref' (decimal strings) and 'hvp_direction' (the float64 v)."""
    mp = MpOps(dps)
    hessian, _, _, route1, certified = exact_jacobian(gradient_case(case), params, inputs, mp)
    xs, data = case.split(inputs)
    xs_mp = [mp.asarray(x) for x in xs]
    x_flat = np.concatenate([np.asarray(x, dtype=object).reshape(-1) for x in xs_mp])
    n = x_flat.size
    if n <= COMPONENTWISE_MAX_INPUTS:
        route2 = "second differences, componentwise"
        directions = np.eye(n, dtype=int).astype(object)
    else:
        route2 = f"second differences, directional k={DIRECTIONS}"
        directions = np.array([[mp.ctx.mpf(v) for v in column]
                               for column in rng.standard_normal((DIRECTIONS, n))], dtype=object).T
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    numeric = second_differences(mp, f, x_flat, xs_mp, directions)
    rule_based = directions.T.dot(hessian).dot(directions)
    v = np.array([mp.ctx.mpf(float(c)) for c in direction], dtype=object)
    product = hessian.dot(v).reshape(1, -1)
    hi, hvp_hi = mp.to_float(hessian), mp.to_float(product)
    value = f(mp, *xs_mp)
    return {"hi": hi, "lo": mp.to_float(hessian - hi), "hvp_hi": hvp_hi, "hvp_lo": mp.to_float(product - hvp_hi),
            "digits": agreement_digits(mp, rule_based, numeric, dps), "route1": route1, "route2": route2,
            "certified_digits": certified, "value": float(np.asarray(mp.to_float(value)).reshape(-1)[0]),
            "kink": False, "hessian_ref": mp_strings(mp.ctx, hessian), "hvp_ref": mp_strings(mp.ctx, product),
            "hvp_direction": [float(c) for c in direction]}
