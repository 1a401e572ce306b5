"""Number formatting shared by the headline, the templates and the figures."""
from __future__ import annotations

import math

import pandas as pd


def seconds(t) -> str:
    if _missing(t):
        return "–"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def sci(x, digits: int = 2) -> str:
    if _missing(x):
        return "–"
    return "0" if x == 0 else f"{x:.{digits}e}"


def num(x, digits: int = 1) -> str:
    if _missing(x):
        return "–"
    return f"{x:.{digits}f}" if math.isfinite(x) else str(x)


def short(message, limit: int = 60) -> str:
    """First line of a message, cut to limit characters."""
    if _missing(message):
        return ""
    line = str(message).strip().splitlines()[0] if str(message).strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _missing(x) -> bool:
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))
