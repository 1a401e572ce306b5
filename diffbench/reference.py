"""High-precision reference Jacobians: a certified route (arb balls) or mpmath, cross-checked by a second route.

Route 1 runs the tape over arb balls (python-flint) wherever the case's ops allow, so every Jacobian entry
comes with a rigorous radius; where a radius is too wide the working precision is doubled up to a limit, and
the digits the enclosure supports are recorded (`certified_digits`). Where ball arithmetic cannot run an op
(`where`, `amax`: comparisons of overlapping balls), route 1 is the tape over mpmath numbers, as before.
Route 2 never looks at a derivative rule: mpmath's own numerical differentiation (ctx.diff, which raises its
working precision) of t -> f(x + t v), for every coordinate direction when the Jacobian is small, else for a
few seeded random directions v, compared with route 1's J v.
"""
import math
from typing import NamedTuple

import flint
import numpy as np

from diffbench import kinks
from diffbench.ad import api
from diffbench.backends import MpOps
from diffbench.backends.arb import (ArbOps, ArbUnsupported, ball, holds_balls, is_finite, matmul_mp,
                                    midpoints_mp)
from diffbench.methods.base import unflatten

COMPONENTWISE_MAX_ENTRIES = 64
DIRECTIONS = 3
GUARD_BITS = 32            # bits above the requested digits that route 1 starts with
PRECISION_STEPS = 3        # times route 1 may double its precision while the enclosure is too wide


class Certified(NamedTuple):
    jacobian: np.ndarray      # arb balls
    value: object             # f's value, arb balls
    tape: object
    digits: float             # -log10 of the Jacobian's relative radius (Frobenius norm)
    bits: int                 # the working precision that certified them


def start_bits(dps: int) -> int:
    return math.ceil(dps * math.log2(10)) + GUARD_BITS


def certified_digits(jacobian) -> float:
    """-log10(||rad||_F / (||mid||_F - ||rad||_F)): the relative error the enclosure guarantees for its
    midpoints, in the norm rel_error uses; 0 when the balls do not exclude a zero Jacobian, nan when not finite.
    Computed in ball arithmetic and rounded toward fewer digits (no float underflow can inflate it)."""
    balls = [ball(v) for v in np.asarray(jacobian, dtype=object).ravel()]
    if not all(b.is_finite() for b in balls):
        return float("nan")
    with flint.ctx.workprec(64):
        radius = sum((b.rad() ** 2 for b in balls), flint.arb(0)).sqrt().upper()
        size = sum((b.mid() ** 2 for b in balls), flint.arb(0)).sqrt().lower()
        if radius.is_zero():
            return math.inf
        if not size > radius:
            return 0.0
        bound = (radius / (size - radius)).upper()
        return float((-bound.log() / flint.arb(10).log()).lower())


def certified_jacobian(case, params, inputs, dps: int = 50, steps: int = PRECISION_STEPS) -> Certified | None:
    """Route 1 over arb: the tape's Jacobian as balls, precision doubled (at most `steps` times) until its
    enclosure certifies `dps` digits; the best enclosure found. None where ball arithmetic cannot run the case."""
    best = None
    bits = start_bits(dps)
    for _ in range(steps + 1):
        arb = ArbOps(bits)
        with arb.working():
            xs, data = case.split(inputs)
            xs_arb = [arb.asarray(x) for x in xs]
            f = case.bind({k: arb.asarray(v) for k, v in data.items()}, params)
            try:
                jacobian, tape = api.jacrev(f, arb, xs_arb)
            except ArbUnsupported:
                return None   # an op arb lacks (or a comparison of balls): the mpmath route decides
            value = tape.nodes[-1].out if tape.nodes and tape.nodes[-1].rule is not None else f(arb, *xs_arb)
            digits = certified_digits(jacobian)
        found = Certified(jacobian, value, tape, min(digits, float(dps)), bits)
        if best is None or not best.digits >= found.digits:
            best = found
        if found.digits >= dps:
            break
        bits *= 2
    return best if best.digits > 0 else None   # nothing certified at the limit: no claim, mpmath instead


def arb_line(case, params, data, x_flat, directions, like):
    """t, j -> f(x + t v_j) evaluated on arb balls (at the mpmath context's working precision), its outputs'
    midpoints as mpf: route 2's f when route 1 is arb. x, v_j and the data convert to balls once, exactly."""
    convert = ArbOps()
    data_arb = {k: convert.asarray(v) for k, v in data.items()}
    x_arb = convert.asarray(x_flat)
    columns = [convert.asarray(directions[:, j]) for j in range(directions.shape[1])]

    def line(mp, t, j):
        arb = ArbOps(mp.ctx.prec + GUARD_BITS)
        with arb.working():
            point = x_arb + ball(t) * columns[j]
            out = case.bind(data_arb, params)(arb, *unflatten(point, like))
            return midpoints_mp(mp.ctx, np.asarray(out, dtype=object).reshape(-1))
    return line


def mp_line(case, params, data, x_flat, directions, like, mp):
    """t, j -> f(x + t v_j) over mpmath numbers: route 2's f when route 1 is mpmath."""
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)

    def line(mp_, t, j):
        return np.asarray(f(mp_, *unflatten(x_flat + t * directions[:, j], like)), dtype=object).reshape(-1)
    return line


def exact_jacobian(case, params, inputs, mp, route1: str = "auto"):
    """(Jacobian, value of f, tape, route, certified digits) in mpf numbers of mp's context: route 1.
    inputs: float64 arrays, mpf or exact arb balls.
    route1: "auto" (arb where the case's ops allow, else mpmath) or "mpmath" (the uncertified route only)."""
    certified = certified_jacobian(case, params, inputs, mp.ctx.dps) if route1 == "auto" else None
    if certified is not None and not (is_finite(certified.value) and is_finite(certified.jacobian)):
        raise ArithmeticError("f or its derivative is not finite in ball arithmetic at this point "
                              "(is the point outside the function's domain?)")
    if certified is not None:
        return (midpoints_mp(mp.ctx, certified.jacobian), midpoints_mp(mp.ctx, certified.value), certified.tape,
                "arb", certified.digits)
    xs, data = case.split({k: midpoints_mp(mp.ctx, v) if holds_balls(v) else v for k, v in inputs.items()})
    xs_mp = [mp.asarray(x) for x in xs]
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    try:
        jacobian, tape = api.jacrev(f, mp, xs_mp)
    except ZeroDivisionError as error:    # NB: mpmath's says nothing more than its type
        # NB: a where() evaluates both of its branches here, so the untaken one may be what divides by zero
        raise ArithmeticError("f or its derivative divides by zero at this point in high precision (is the point "
                              "outside the function's domain, or does a branch of where that is not taken "
                              "divide by zero? both branches are evaluated)") from error
    value = tape.nodes[-1].out if tape.nodes and tape.nodes[-1].rule is not None else f(mp, *xs_mp)
    if not all(not isinstance(v, mp.ctx.mpc) and mp.ctx.isfinite(v)
               for v in [*np.asarray(value, dtype=object).ravel(), *np.asarray(jacobian, dtype=object).ravel()]):
        raise ArithmeticError("f or its derivative is not a finite real number at this point in high precision "
                              "(is the point outside the function's domain?)")
    return jacobian, value, tape, "mpmath", float("nan")


class Route1(NamedTuple):
    """Route 1's high-precision results at a point, for the float64 floor to reuse instead of recomputing."""
    mp: object                # the MpOps whose context holds the numbers
    jacobian: np.ndarray      # mpf
    value: object             # f's value, mpf


def reference(case, params, inputs, rng, dps: int = 50, route1: str = "auto") -> dict:
    """{'hi', 'lo'}: the route-1 Jacobian as a double-double; 'digits' of agreement; 'route2'; 'value';
    'route1' (arb | mpmath) and 'certified_digits' (arb; nan for mpmath, which certifies nothing)."""
    return reference_with_route1(case, params, inputs, rng, dps, route1)[0]


def reference_with_route1(case, params, inputs, rng, dps: int = 50, route1: str = "auto") -> tuple[dict, Route1]:
    """reference(), and route 1's Jacobian and value in mpf numbers (what floor.point_floor needs)."""
    mp = MpOps(dps)
    xs, data = case.split(inputs)
    xs_mp = [mp.asarray(x) for x in xs]
    jacobian, value, tape, route1, certified = exact_jacobian(case, params, inputs, mp, route1)
    m, n = jacobian.shape
    x_flat = np.concatenate([np.asarray(x, dtype=object).reshape(-1) for x in xs_mp])
    if m * n <= COMPONENTWISE_MAX_ENTRIES:
        route2 = "componentwise"
        directions = np.eye(n, dtype=int).astype(object)
        rule_based = jacobian.dot(directions)
    else:
        route2 = f"directional k={DIRECTIONS}"
        drawn = rng.standard_normal((DIRECTIONS, n)).T       # float64, exact in mpf and in arb alike
        if route1 == "arb":
            # NB: J v over thousands of entries in arb_mat (C), not mpf objects: the same numbers to the
            # context's precision (formed 64 bits finer, then rounded to it); mpf directions only if a kink
            # check needs them
            directions = drawn
            rule_based = matmul_mp(mp.ctx, jacobian, drawn)
        else:
            directions = np.frompyfunc(mp.ctx.mpf, 1, 1)(drawn).astype(object)
            rule_based = jacobian.dot(directions)
    # NB: with route 1 on arb, route 2 evaluates f on arb too (mpmath object arrays would take seconds a point
    # at the larger sizes); it still differentiates numerically (mpmath's diff), without any derivative rule.
    line = (arb_line(case, params, data, x_flat, directions, xs_mp) if route1 == "arb"
            else mp_line(case, params, data, x_flat, directions, xs_mp, mp))

    evaluated = {}   # NB: every output's difference quotient steps through the same t: f runs once per (j, t)

    def along(j, k):
        def at(t):
            key = (j, mp.ctx.prec, getattr(t, "_mpf_", t))
            if key not in evaluated:
                evaluated[key] = line(mp, t, j)
            return evaluated[key][k]
        return at

    numeric = np.array([[mp.ctx.diff(along(j, k), 0) for j in range(directions.shape[1])] for k in range(m)],
                       dtype=object)
    kink = find_kink(mp, lambda: case.bind({k: mp.asarray(v) for k, v in data.items()}, params),
                     x_flat, xs_mp, directions, rule_based, tape)
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
    return {"hi": hi, "lo": lo, "digits": digits, "route2": route2, "route1": route1,
            "certified_digits": certified,
            "value": float(np.asarray(mp.to_float(value)).reshape(-1)[0]), "kink": kink is not None,
            **(kink or {})}, Route1(mp, jacobian, value)


def find_kink(mp, bind_f, x_flat, like, directions, rule_based, tape) -> dict | None:
    """The one-sided Jacobians along `directions` where they differ (only programs with abs/where/amax);
    bind_f() gives f over mpmath numbers."""
    if not kinks.may_have_kinks(tape):
        return None
    directions = np.frompyfunc(mp.ctx.mpf, 1, 1)(directions).astype(object)   # float64 ones exactly
    left, right = kinks.one_sided_jacobians(mp, bind_f(), x_flat, like, directions, unflatten)
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
