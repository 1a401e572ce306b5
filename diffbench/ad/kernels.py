"""Float64 fast paths for primitives whose value, jvp and vjp can share one matrix factorization.

The rules table stays the definition of every derivative; a kernel is an optional shortcut the tape and
the dual numbers take when the operands are plain float64 matrices. Its `forward` returns the value and
what the derivative rules will reuse (here a Cholesky factor), or `saved=None` to fall back to the rule.
NB: like JAX's custom_vjp residuals, the factor is computed once on the way forward and kept on the tape.
"""
import operator
from typing import Callable, NamedTuple

import numpy as np
from scipy.linalg import lapack

from diffbench.backends.floatnp import FloatOps


class Kernel(NamedTuple):
    forward: Callable   # forward(*args) -> (out, saved); saved None: use the generic rule
    jvps: tuple         # per argument: (t, out, saved, *args) -> output tangent
    vjps: tuple         # per argument: (g, out, saved, *args) -> argument cotangent


def _cholesky(x):
    """The lower Cholesky factor of a symmetric positive definite float64 matrix, else None."""
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim == 2 and x.shape[0] == x.shape[1]):
        return None
    if not np.array_equal(x, x.T):
        return None
    factor, info = lapack.dpotrf(x, lower=1, clean=1)
    return factor if info == 0 else None


def _inverse_from_cholesky(factor):
    """X^-1 from X's lower Cholesky factor: LAPACK potri fills the lower triangle, mirrored here."""
    lower, _ = lapack.dpotri(factor, lower=1)   # NB: cannot fail once dpotrf succeeded (a positive diagonal)
    full = lower + lower.T                      # the strict upper triangle is zero (dpotrf clean=1)
    np.fill_diagonal(full, np.diagonal(lower))
    return full


def _logdet_forward(x):
    factor = _cholesky(x)
    if factor is None:
        return FloatOps.logdet(x), None
    return 2.0 * np.sum(np.log(np.diagonal(factor))), factor


def _inv_forward(x):
    factor = _cholesky(x)
    return (np.linalg.inv(x) if factor is None else _inverse_from_cholesky(factor)), None


SCALARS = (float, np.float64, int)   # the number types of a scalar program (the logistic map, a neuron chain)


def _on_scalars(operation):
    """forward(a, b) of an arithmetic primitive: its value, and saved=True where both operands are scalars, whose
    cotangents need no unbroadcasting (the rules' vjps on scalars, without their shape checks)."""
    def forward(a, b):
        return operation(a, b), (True if type(a) in SCALARS and type(b) in SCALARS else None)
    return forward


def _neg_forward(a):
    return -a, (True if type(a) in SCALARS else None)


# Each arithmetic primitive's value (operator.mul(a, b) is a * b): the kernels' forward step, and the tape's own
# where both operands are scalars.
SCALAR_OPERATIONS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}

# The same formulas as the rules' rows (rules.py) in the same order of operations, so the numbers are identical
# (operator.mul(a, b) is a * b).
SCALAR_KERNELS = {
    "add": Kernel(_on_scalars(SCALAR_OPERATIONS["add"]),
                  (lambda t, out, s, a, b: t, lambda t, out, s, a, b: t),
                  (lambda g, out, s, a, b: g, lambda g, out, s, a, b: g)),
    "sub": Kernel(_on_scalars(SCALAR_OPERATIONS["sub"]),
                  (lambda t, out, s, a, b: t, lambda t, out, s, a, b: -t),
                  (lambda g, out, s, a, b: g, lambda g, out, s, a, b: -g)),
    "mul": Kernel(_on_scalars(SCALAR_OPERATIONS["mul"]),
                  (lambda t, out, s, a, b: t * b, lambda t, out, s, a, b: a * t),
                  (lambda g, out, s, a, b: g * b, lambda g, out, s, a, b: g * a)),
    "div": Kernel(_on_scalars(SCALAR_OPERATIONS["div"]),
                  (lambda t, out, s, a, b: t / b, lambda t, out, s, a, b: -t * out / b),
                  (lambda g, out, s, a, b: g / b, lambda g, out, s, a, b: -g * out / b)),
    "neg": Kernel(_neg_forward, (lambda t, out, s, a: -t,), (lambda g, out, s, a: -g,)),
}

# A two-operand scalar node's sweep in one call (instead of one vjp call per operand): (g, out, a, b) -> both
# operands' cotangents, by the same formulas as SCALAR_KERNELS' vjps in the same order of operations.
SCALAR_PULLBACKS = {
    "add": lambda g, out, a, b: (g, g),
    "sub": lambda g, out, a, b: (g, -g),
    "mul": lambda g, out, a, b: (g * b, g * a),
    "div": lambda g, out, a, b: (g / b, -g * out / b),
}

# X is symmetric whenever a factor was saved, so X^-T = X^-1.
FLOAT_KERNELS = {
    **SCALAR_KERNELS,
    "logdet": Kernel(_logdet_forward,
                     (lambda t, out, factor, x: np.sum(_inverse_from_cholesky(factor) * t),),   # tr(X^-1 dX)
                     (lambda g, out, factor, x: g * _inverse_from_cholesky(factor),)),         # g X^-T
    "inv": Kernel(_inv_forward, (None,), (None,)),
}
