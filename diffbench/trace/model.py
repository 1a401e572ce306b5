"""What a trace is: its rows, operands and the trace itself, as plain frozen data."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MODES = ("forward", "reverse")


class TraceTooLong(ValueError):
    """A trace with more rows than the caller allowed."""


@dataclass(frozen=True)
class Ref:
    """An operand that is an earlier row, by its survey number (inputs 1-n..0, intermediates 1..)."""
    number: int


@dataclass(frozen=True)
class Const:
    """An operand folded into the operation: a number, or a data array shown by its input name."""
    value: object
    name: str = ""


@dataclass(frozen=True)
class Row:
    number: int                # survey numbering: inputs 1-n..0, intermediates 1..
    name: str                  # the input's name for an input row ("x1"), "" otherwise
    op: str | None             # the primitive; None for an input
    operands: tuple            # Ref or Const per argument of the primitive
    params: dict               # the primitive's keyword parameters (axis, shape)
    value: object              # primal value
    derivative: object         # tangent (forward) or adjoint (reverse)
    terms: tuple               # forward: operand positions with a tangent; reverse: (child number, position)


@dataclass(frozen=True)
class Trace:
    mode: str                  # forward | reverse
    rows: tuple                # Row, inputs first, in evaluation order
    output: object             # Ref to the row that is y, or Const when y does not depend on the inputs
    value: object              # y
    seed: tuple                # forward: the input tangents (one per input); reverse: (ȳ,)
    title: str = ""
    output_name: str = "y"     # what the output is called: y, unless an input already is
    children: dict = field(default_factory=dict, repr=False)   # number -> rows that use it, for reverse terms

    @property
    def inputs(self) -> list[Row]:
        return [r for r in self.rows if r.op is None]

    def row(self, number: int) -> Row:
        return self.rows[number - self.rows[0].number]

    @property
    def derivatives(self) -> list:
        """Forward: (ẏ,); reverse: the adjoint of every input, x̄1..x̄n."""
        if self.mode == "forward":
            if isinstance(self.output, Ref):
                return [self.row(self.output.number).derivative]
            return [np.zeros_like(self.value)]
        return [r.derivative for r in self.inputs]



def as_value(x):
    """A float64 number (0-d) or array."""
    x = np.asarray(x, dtype=np.float64)
    return x[()] if x.ndim == 0 else x
