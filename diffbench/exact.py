"""Inputs as a user gives them (floats, ints, Fractions, decimal strings, mpmath numbers, arrays): exact and rounded."""
from __future__ import annotations

import decimal
import json
import math
import re
from fractions import Fraction
from numbers import Integral, Real
from pathlib import Path

import mpmath
import numpy as np

EXTRA_DIGITS = 20          # exact values are held this many digits beyond the reference's precision
DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class InputError(ValueError):
    """An input that is no real number (or array of them); the message is one line naming it."""


def exact_context(dps: int) -> mpmath.MPContext:
    ctx = mpmath.MPContext()
    ctx.dps = dps + EXTRA_DIGITS
    return ctx


def _scalar(name: str, value, ctx) -> tuple:
    """(exact mpf, float64 rounding) of one number. NB: "exact" means to dps + EXTRA_DIGITS digits, which
    is exact for every decimal string or Fraction with fewer digits than that."""
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"input {name}: {value!r} is a boolean, not a number")
    if isinstance(value, str):
        text = value.strip()
        if not DECIMAL.match(text):
            raise InputError(f"input {name}: {value!r} is not a decimal number (write e.g. \"0.1\" or \"1e-3\")")
        return ctx.mpf(text), float(text)      # float(str) rounds correctly to nearest
    if isinstance(value, decimal.Decimal):
        return _scalar(name, str(value), ctx)
    if isinstance(value, Fraction):
        return ctx.mpf(value.numerator) / value.denominator, float(value)
    if isinstance(value, Integral):
        return ctx.mpf(int(value)), float(int(value))
    if isinstance(value, mpmath.ctx_mp_python._mpf):
        exact = ctx.mpf(value)
        return exact, mpmath.libmp.to_float(exact._mpf_, rnd=mpmath.libmp.round_nearest)
    if isinstance(value, Real) and not isinstance(value, complex):
        rounded = float(value)
        if not math.isfinite(rounded):
            raise InputError(f"input {name}: {value!r} is not finite")
        return ctx.mpf(rounded), rounded       # a float is its own exact value
    raise InputError(f"input {name}: {type(value).__name__} {value!r} is not a real number")


def exact_input(name: str, value, ctx) -> tuple:
    """(exact value: mpf or object array of mpf, float64 value: ndarray) of one input."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        rounded = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(rounded)):
            raise InputError(f"input {name}: the array holds NaN or inf")
        exact = np.frompyfunc(ctx.mpf, 1, 1)(rounded.astype(object)) if rounded.ndim else ctx.mpf(float(rounded))
        return (exact.astype(object) if rounded.ndim else exact), rounded
    if isinstance(value, (list, tuple, np.ndarray)):
        items = np.asarray(value, dtype=object)
        if items.dtype != object or items.ndim == 0 or any(isinstance(v, (list, tuple)) for v in items.ravel()):
            raise InputError(f"input {name}: a nested list of unequal lengths is no array")
        pairs = [_scalar(name, v, ctx) for v in items.ravel()]
        exact = np.empty(len(pairs), dtype=object)
        exact[:] = [p[0] for p in pairs]
        rounded = np.array([p[1] for p in pairs], dtype=np.float64)
        return exact.reshape(items.shape), rounded.reshape(items.shape)
    exact, rounded = _scalar(name, value, ctx)
    return exact, np.asarray(rounded, dtype=np.float64)


def exact_inputs(values: dict, dps: int) -> tuple[dict, dict]:
    """({name: exact value}, {name: float64 array}) of every input."""
    ctx = exact_context(dps)
    pairs = {name: exact_input(name, value, ctx) for name, value in values.items()}
    return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}


def rounds_exactly(exact, rounded) -> bool:
    """True when float64 holds every entry of the exact value without rounding."""
    return all(e == float(r) for e, r in zip(np.asarray(exact, dtype=object).ravel(), np.ravel(rounded)))


def rounding_digits(jacobian_exact, jacobian_rounded, mp, cap: int) -> float:
    """Digits to which the exact Jacobian at the rounded inputs agrees with the one at the exact inputs
    (the rounding's own effect on the derivative, before any method runs); cap when they agree fully."""
    difference = mp.ctx.sqrt(mp.ctx.fsum(abs(v) ** 2 for v in (jacobian_rounded - jacobian_exact).ravel()))
    scale = mp.ctx.sqrt(mp.ctx.fsum(abs(v) ** 2 for v in np.asarray(jacobian_exact, dtype=object).ravel()))
    if difference == 0:
        return float(cap)
    relative = difference / scale if scale != 0 else difference
    return min(float(cap), -float(mp.ctx.log10(relative)))


def exact_strings(exact, digits: int = 50) -> list:
    """An exact input as a flat list of decimal strings (evidence)."""
    return [mpmath.nstr(v, digits, strip_zeros=True) for v in np.asarray(exact, dtype=object).ravel()]


def parse_at(text: str) -> dict:
    """--at: 'x=0.2,y=3' (decimal values kept as text, so they stay exact), or a .json / .npz file of inputs."""
    path = Path(text)
    if text.endswith(".json"):
        try:
            data = json.loads(path.read_text())
        except OSError as error:
            raise InputError(f"--at {text}: cannot read it ({error.strerror})") from None
        except ValueError as error:
            raise InputError(f"--at {text}: not valid JSON ({str(error).splitlines()[0]})") from None
        if not isinstance(data, dict) or not data:
            raise InputError(f"--at {text}: the JSON must be an object of inputs, e.g. {{\"x\": 0.2}}")
        return data
    if text.endswith(".npz"):
        try:
            with np.load(path) as archive:
                return {name: archive[name] for name in archive.files}
        except (OSError, ValueError) as error:
            raise InputError(f"--at {text}: cannot read it as .npz ({str(error).splitlines()[0]})") from None
    values = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"--at {text!r}: write NAME=VALUE pairs, e.g. 'x=0.2,y=3' (or a .json / .npz file)")
        values[name.strip()] = value.strip()
    return values


class ExactPoint:
    """A case's canonical point given by the user: called like canonical(**params) it gives the float64
    inputs the float methods see; .exact holds the values the reference uses."""

    def __init__(self, exact: dict, rounded: dict):
        self.exact, self.rounded = exact, rounded

    def __call__(self, *rng, **params) -> dict:
        """As canonical(**params) and as make_inputs(rng, **params): the same point at every parameter."""
        return dict(self.rounded)

    def __repr__(self) -> str:
        return "ExactPoint(" + ", ".join(f"{k}={', '.join(exact_strings(v, 20))}" for k, v in self.exact.items()) + ")"
