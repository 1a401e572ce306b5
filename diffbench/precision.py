"""Registry of the floating-point precisions a run scores methods in (`--precision float32,float64`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT = "float64"


@dataclass(frozen=True)
class Precision:
    """One float type: what a method computes in when a run asks for it."""
    name: str
    real: type            # numpy dtype of the real arithmetic (inputs, FD, Richardson, tape, sympy, analytic)
    complex: type         # numpy dtype of the complex step
    torch: str            # name of the torch dtype (torch is imported only by the torch method)
    sweep_top: float      # largest step of the finite-difference sweeps (the smallest is 1e-16 for every type)

    @property
    def eps(self) -> float:
        """Machine epsilon: the spacing of floats just above 1."""
        return float(np.finfo(self.real).eps)

    @property
    def unit_roundoff(self) -> float:
        """u = eps / 2: the largest relative error of rounding to nearest."""
        return self.eps / 2

    @property
    def sweep_steps(self) -> np.ndarray:
        """4 steps per decade from 1e-16 to sweep_top."""
        decades = np.log10(self.sweep_top) + 16
        return np.logspace(-16, np.log10(self.sweep_top), int(round(4 * decades)) + 1)

    def round(self, value):
        """A floating array rounded to this type and held as float64 (exactly), anything else unchanged."""
        return as_floating(as_floating(value, self.real), np.float64)


def as_floating(value, dtype):
    """A floating array (or float) cast to dtype; anything else (integers, text) unchanged."""
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating) or array.dtype == dtype:
        return value
    return array.astype(dtype)


# NB: float32 sweeps reach h = 1: the 5-point stencil's optimum is eps32^(1/5) ~ 0.04, and its truncation
# branch needs steps a decade above it.
PRECISIONS: dict[str, Precision] = {
    "float32": Precision("float32", np.float32, np.complex64, "float32", 1.0),
    "float64": Precision("float64", np.float64, np.complex128, "float64", 1e-1),
}


def parse_precisions(text: str) -> tuple[str, ...]:
    """'float32,float64' -> ('float32', 'float64') in registry order; ValueError names what is unknown."""
    names = [name.strip() for name in str(text).split(",")]
    if "" in names and any(names):
        raise ValueError(f"empty name in the precision list {str(text)!r} (a doubled or stray comma?)")
    names = [name for name in names if name]
    unknown = [name for name in names if name not in PRECISIONS]
    if unknown or not names:
        raise ValueError(f"unknown precision {', '.join(map(repr, unknown)) or repr(text)} "
                         f"(choose from {', '.join(PRECISIONS)})")
    return tuple(name for name in PRECISIONS if name in names)


def rounded_inputs(inputs: dict, precision: str) -> dict:
    """A point's inputs rounded to the precision (float64 arrays holding its values exactly)."""
    chosen = PRECISIONS[precision]
    return {name: chosen.round(value) for name, value in inputs.items()}
