"""The float64 floor of a point: how exact f's float64 code is, and how many digits input rounding allows."""
from __future__ import annotations

import math

import numpy as np

from diffbench import reference
from diffbench.backends.arb import perturbed_exactly
from diffbench.backends import FloatOps, MpOps
from diffbench.case import point_rng
from diffbench.scoring import correct_digits

UNIT_ROUNDOFF = 2.0 ** -53        # u: rounding a real number to float64 changes it by at most u relative
FLOOR_DIRECTIONS = 3              # seeded perturbation directions of the attainable-digits estimate
LARGE_POINT_ENTRIES = 1000        # above this many input entries, one direction (see attainable_digits)
STRING_DIGITS = 50                # digits of the reference values kept as text (evidence.jsonl)


def mp_strings(ctx, values, digits: int = STRING_DIGITS) -> list:
    """mpf values (any shape) -> flat list of decimal strings with `digits` significant digits."""
    return [ctx.nstr(v, digits, strip_zeros=False) for v in np.asarray(values, dtype=object).reshape(-1)]


def float_value(case, params, inputs):
    """The case's float64 value of f at the point (flat), or None where its float code raises."""
    with np.errstate(all="ignore"):
        try:
            return np.asarray(case.call(FloatOps(), inputs, params), dtype=np.float64).reshape(-1)
        except Exception:  # noqa: BLE001 - a float code that raises has no value here
            return None


def f_digits(case, params, inputs, value_mp, mp, value=None) -> float:
    """Correct digits of the case's float64 evaluation of f at the point, against the high-precision value.
    value: float_value() already computed at the point (not None); without it f is evaluated here."""
    value = float_value(case, params, inputs) if value is None else value
    if value is None:
        return 0.0      # NB: the float code raised: no digit
    if not np.all(np.isfinite(value)):
        return 0.0      # NB: f overflowed or gave NaN where its exact value is finite: no correct digit left
    exact = np.asarray(value_mp, dtype=object).reshape(-1)
    difference = mp.ctx.sqrt(mp.ctx.fsum((mp.ctx.mpf(float(a)) - b) ** 2 for a, b in zip(value, exact)))
    scale = mp.ctx.sqrt(mp.ctx.fsum(b ** 2 for b in exact))
    return correct_digits(float(difference / scale) if scale != 0 else float(difference))


def attainable_digits(case, params, inputs, jacobian_mp, mp, rng) -> float:
    """Digits of the derivative that survive rounding the point's inputs to float64.

    How: in high precision, every input entry (differentiated inputs and data alike) is multiplied by
    (1 + u s_i) with u = 2^-53 and s_i = ±1 seeded at random, along FLOOR_DIRECTIONS such directions; the
    exact Jacobian (the reference's route 1) at each perturbed point is compared with the one at the point. The
    largest relative change is the error a float64 method inherits from its inputs alone (the relative
    condition number of the derivative map times u); it never counts below u itself (the output's own
    rounding), so a perfectly conditioned point allows -log10(u) ≈ 15.95 digits.
    NB: above LARGE_POINT_ENTRIES input entries one direction is used: the change is then a sum over many
    random signs, which varies little between directions, and each direction costs a full high-precision
    Jacobian (the reference job's time budget holds both).
    """
    names = list(inputs)
    scale = mp.ctx.sqrt(mp.ctx.fsum(abs(v) ** 2 for v in np.asarray(jacobian_mp, dtype=object).ravel()))
    worst = UNIT_ROUNDOFF
    entries = sum(int(np.size(v)) for v in inputs.values())
    for _ in range(FLOOR_DIRECTIONS if entries <= LARGE_POINT_ENTRIES else 1):
        perturbed = {}
        for name in names:
            signs = rng.choice((-1.0, 1.0), size=np.shape(inputs[name]))
            perturbed[name] = perturbed_exactly(inputs[name], signs * UNIT_ROUNDOFF)   # exact, as arb balls
        moved = exact_jacobian(case, params, perturbed, mp)[0]
        change = mp.ctx.sqrt(mp.ctx.fsum(abs(v) ** 2 for v in (moved - jacobian_mp).ravel()))
        relative = float(change / scale) if scale != 0 else float(change)
        worst = max(worst, relative)
    return -math.log10(worst)


def exact_jacobian(case, params, inputs_mp: dict, mp):
    """(Jacobian, value of f) in high precision, as mp numbers, by the reference's route 1 (the tape over arb
    balls where the case's ops allow, else over mpmath), at inputs already in mp numbers."""
    jacobian, value, *_ = reference.exact_jacobian(case, params, inputs_mp, mp)
    return jacobian, value


def point_floor(case, params, inputs, seed: int, point: int, dps: int = 50, route1=None) -> dict:
    """f_digits, attainable_digits and the reference values of f and of its Jacobian as 50-digit strings.
    route1: the reference's reference.Route1 at these same inputs and dps, reused instead of computed again."""
    if route1 is None:
        mp = MpOps(dps)
        jacobian, value = exact_jacobian(case, params, {k: mp.asarray(v) for k, v in inputs.items()}, mp)
    else:
        mp, jacobian, value = route1
    rng = point_rng(seed, case.name + "|floor", params, point)
    try:
        attainable = attainable_digits(case, params, inputs, jacobian, mp, rng)
    except Exception:  # noqa: BLE001 - a perturbed point outside the domain: the floor is unknown there
        attainable = float("nan")
    float_f = float_value(case, params, inputs)
    # f_finite: whether the float64 code of f gives a finite value here (where it does not, overflow or NaN
    # inside f is what limits every method that evaluates that code, not cancellation)
    return {"f_digits": 0.0 if float_f is None else f_digits(case, params, inputs, value, mp, float_f),
            "f_finite": bool(float_f is not None and np.all(np.isfinite(float_f))), "attainable_digits": attainable,
            "f_ref": mp_strings(mp.ctx, value), "jacobian_ref": mp_strings(mp.ctx, jacobian),
            "jacobian_shape": list(np.shape(jacobian))}
