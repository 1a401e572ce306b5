"""The mpmath backend: mpf numbers and object arrays in a private context (no global precision)."""
import mpmath
import numpy as np

from diffbench.backends.objects import ObjectArrayOps


class MpOps(ObjectArrayOps):
    name = "mpmath"

    def __init__(self, dps: int = 50):
        self.ctx = ctx = mpmath.MPContext()
        ctx.dps = dps
        self.exp = np.frompyfunc(ctx.exp, 1, 1)
        self.log = np.frompyfunc(ctx.log, 1, 1)
        self.sin = np.frompyfunc(ctx.sin, 1, 1)
        self.cos = np.frompyfunc(ctx.cos, 1, 1)
        self.tanh = np.frompyfunc(ctx.tanh, 1, 1)
        self.sqrt = np.frompyfunc(ctx.sqrt, 1, 1)
        self.abs = np.frompyfunc(abs, 1, 1)
        self.sign = np.frompyfunc(ctx.sign, 1, 1)
        self._mpf = np.frompyfunc(ctx.mpf, 1, 1)
        self._to_float = np.frompyfunc(float, 1, 1)

    def const(self, v):
        if isinstance(v, float):  # NB: a float constant in a case means its shortest decimal repr
            return self.ctx.mpf(repr(v))
        return self.asarray(v) if np.ndim(v) else self.ctx.mpf(v)

    def asarray(self, v):
        """float data -> exact mpf values (binary floats convert exactly)."""
        if np.ndim(v) == 0:
            v = v.item() if isinstance(v, (np.ndarray, np.generic)) else v
            return self.ctx.mpf(v)   # NB: a float converts exactly; an mpf (an exact input) keeps its digits
        return self._mpf(np.asarray(v, dtype=object)).astype(object)

    def to_float(self, x):
        return np.asarray(self._to_float(np.asarray(x, dtype=object)), dtype=np.float64)

    def where(self, cond, a, b):
        return np.where(cond, a, b).astype(object) if np.ndim(cond) else (a if cond else b)

    def sum(self, x, axis=None, keepdims=False):
        if np.ndim(x) == 0:
            return x
        if axis is None and not keepdims:
            return self.ctx.fsum(np.asarray(x).ravel())
        return np.sum(x, axis=axis, keepdims=keepdims)

    def amax(self, x, axis=None, keepdims=False):
        return np.max(np.asarray(x, dtype=object), axis=axis, keepdims=keepdims) if np.ndim(x) else x

    def dot(self, x, y):
        return self.ctx.fdot(np.asarray(x).ravel(), np.asarray(y).ravel())

    def matvec(self, a, x):
        return np.array([self.ctx.fdot(row, x) for row in a], dtype=object)

    @staticmethod
    def matmul(a, b):
        return np.matmul(np.asarray(a, dtype=object), np.asarray(b, dtype=object))

    def inv(self, x):
        return np.array(self.ctx.inverse(self.ctx.matrix(x.tolist())).tolist(), dtype=object)

    def logdet(self, x):
        return self.ctx.log(self.ctx.det(self.ctx.matrix(x.tolist())))
