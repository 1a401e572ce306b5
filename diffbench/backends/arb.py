"""The arb backend: python-flint balls (midpoint ± rigorous radius) in object arrays, matrices through arb_mat."""
import math

import flint
import numpy as np

from diffbench.backends.objects import ObjectArrayOps

MATRIX_MIN_ENTRIES = 64   # products at least this large go through arb_mat (FLINT in C) instead of numpy's loop
EXACT_PRODUCT_BITS = 256  # holds the product of two float64 mantissas (and of x by 1 + a float) exactly


class ArbUnsupported(NotImplementedError):
    """An op ball arithmetic cannot decide (a comparison of overlapping balls): the caller falls back."""


def ball(v):
    """A number (arb, int, float, mpmath mpf) as an arb, exactly; a decimal string as a ball enclosing it."""
    if isinstance(v, (flint.arb, float)):
        return flint.arb(v) if isinstance(v, float) else v
    if isinstance(v, str):             # a decimal: the ball that encloses it
        return flint.arb(v)
    if isinstance(v, (int, np.integer)):
        return flint.arb(int(v))
    if hasattr(v, "_mpf_"):            # mpmath mpf: flint takes its exact binary value
        return flint.arb(v) if v._mpf_[1] else flint.arb(float(v))   # zero, inf, nan: through float
    return flint.arb(float(v))


_from_float = np.frompyfunc(flint.arb, 1, 1)    # float64 -> arb is exact at any precision


def _elementwise(method):
    function = np.frompyfunc(lambda x: getattr(ball(x), method)(), 1, 1)
    return lambda x: function(x)


class ArbOps(ObjectArrayOps):
    """Ops over arb balls at `prec` bits. NB: FLINT's working precision is process-wide (flint.ctx);
    run every computation on these numbers inside `with ops.working():`, which sets and restores it."""
    name = "arb"

    def __init__(self, prec: int = 200):
        self.prec = int(prec)
        self.exp = _elementwise("exp")
        self.log = _elementwise("log")
        self.sin = _elementwise("sin")
        self.cos = _elementwise("cos")
        self.tanh = _elementwise("tanh")
        self.sqrt = _elementwise("sqrt")
        self.sign = _elementwise("sgn")      # a ball that straddles 0 gives [0 ± 1]: honest, not a guess
        self.abs = np.frompyfunc(lambda x: abs(ball(x)), 1, 1)
        self._ball = np.frompyfunc(ball, 1, 1)

    def working(self):
        return flint.ctx.workprec(self.prec)

    def const(self, v):
        if isinstance(v, float):   # NB: a float constant in a case means its shortest decimal repr
            return flint.arb(repr(v)) if math.isfinite(v) else flint.arb(v)
        return self.asarray(v) if np.ndim(v) else ball(v)

    def asarray(self, v):
        if np.ndim(v) == 0:
            return ball(v.item() if isinstance(v, np.ndarray) else v)
        v = np.asarray(v)
        if v.dtype == np.float64:
            return _from_float(v).astype(object)
        return self._ball(np.asarray(v, dtype=object)).astype(object)

    @staticmethod
    def where(cond, a, b):
        raise ArbUnsupported("where: ball arithmetic cannot decide a comparison of overlapping balls")

    @staticmethod
    def amax(x, axis=None, keepdims=False):
        raise ArbUnsupported("amax: ball arithmetic cannot decide which of overlapping balls is largest")

    def sum(self, x, axis=None, keepdims=False):
        if np.ndim(x) == 0:
            return x
        if axis is None and not keepdims:
            return np.sum(np.asarray(x, dtype=object).ravel())
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def dot(x, y):
        return np.dot(np.asarray(x, dtype=object).ravel(), np.asarray(y, dtype=object).ravel())

    @staticmethod
    def matvec(a, x):
        return np.dot(np.asarray(a, dtype=object), np.asarray(x, dtype=object))

    def matmul(self, a, b):
        a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
        if a.ndim == 2 and b.ndim == 2 and a.shape[0] * b.shape[1] >= MATRIX_MIN_ENTRIES:
            return from_matrix(to_matrix(a) * to_matrix(b))
        return np.matmul(a, b)

    @staticmethod
    def inv(x):
        return from_matrix(to_matrix(x).inv(nonstop=True))   # not certifiably invertible: NaN balls

    @staticmethod
    def logdet(x):
        return to_matrix(x).det().log()    # a determinant ball reaching 0 or below: NaN (no claim)

    @staticmethod
    def to_float(x):
        return np.asarray(np.frompyfunc(lambda v: float(ball(v).mid()), 1, 1)(np.asarray(x, dtype=object)),
                          dtype=np.float64)


def to_matrix(x) -> flint.arb_mat:
    x = np.asarray(x, dtype=object)
    return flint.arb_mat(x.tolist())


def from_matrix(m: flint.arb_mat) -> np.ndarray:
    return np.array(m.entries(), dtype=object).reshape(m.nrows(), m.ncols())


def radii(x) -> np.ndarray:
    """Each entry's radius as a float64 rounded up (the ball's half-width)."""
    return np.asarray(np.frompyfunc(lambda v: math.nextafter(float(ball(v).rad()), math.inf), 1, 1)(
        np.asarray(x, dtype=object)), dtype=np.float64)


def midpoints_mp(ctx, x) -> np.ndarray:
    """The balls' midpoints as mpmath numbers of `ctx`, exactly (a midpoint is a binary number)."""
    def convert(v):
        man, exp = ball(v).mid().man_exp()
        return ctx.mpf((int(man), int(exp)))
    out = np.frompyfunc(convert, 1, 1)(np.asarray(x, dtype=object))
    return out.astype(object) if np.ndim(out) else out


def matmul_mp(ctx, a, b) -> np.ndarray:
    """a @ b for mpf matrix a (object array) and float64 matrix b, in arb_mat at ctx's precision + 64 bits, as
    mpf numbers of ctx (the midpoints, rounded to ctx's precision)."""
    with flint.ctx.workprec(ctx.prec + 64):
        left = flint.arb_mat(np.frompyfunc(ball, 1, 1)(np.asarray(a, dtype=object)).tolist())
        product = left * flint.arb_mat(np.asarray(b, dtype=np.float64).tolist())
    return midpoints_mp(ctx, from_matrix(product))


def is_finite(x) -> bool:
    return all(ball(v).is_finite() for v in np.asarray(x, dtype=object).ravel())


def holds_balls(x) -> bool:
    values = np.asarray(x, dtype=object).ravel()
    return bool(values.size) and isinstance(values[0], flint.arb)


def perturbed_exactly(values, relative):
    """values * (1 + relative) for float64 arrays (or scalars), as exact balls (radius 0)."""
    with flint.ctx.workprec(EXACT_PRODUCT_BITS):
        convert = ArbOps(EXACT_PRODUCT_BITS)
        return convert.asarray(values) * (convert.asarray(relative) + 1)
