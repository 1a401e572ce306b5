"""The sympy backend: symbolic expressions, arrays of them as numpy object arrays."""
import numpy as np
import sympy

from diffbench.backends.objects import ObjectArrayOps


def _add(values):
    return sympy.Add(*values)  # NB: one Add of many terms, not a chain of binary +


class SymArray(np.ndarray):
    """An object array of sympy expressions whose comparisons stay symbolic: `z > 0` gives Relationals.

    numpy compares plain object arrays into booleans, which asks each Relational for a truth value and
    fails; asking for object output keeps `o.where(z > 0, z, 0)` elementwise Piecewise, as cases write it.
    """

    def __lt__(self, other):
        return np.less(self, other, dtype=object)

    def __le__(self, other):
        return np.less_equal(self, other, dtype=object)

    def __gt__(self, other):
        return np.greater(self, other, dtype=object)

    def __ge__(self, other):
        return np.greater_equal(self, other, dtype=object)


def symbolic(value):
    """An object array as a SymArray (anything else unchanged)."""
    if isinstance(value, np.ndarray) and value.dtype == object and not isinstance(value, SymArray):
        return value.view(SymArray)
    return value


def _keeps_symbolic(op):
    def wrapped(*args, **kwargs):
        return symbolic(op(*args, **kwargs))
    wrapped.__doc__ = op.__doc__
    return wrapped


class SymOps(ObjectArrayOps):
    name = "sympy"
    exp = staticmethod(np.frompyfunc(sympy.exp, 1, 1))
    log = staticmethod(np.frompyfunc(sympy.log, 1, 1))
    sin = staticmethod(np.frompyfunc(sympy.sin, 1, 1))
    cos = staticmethod(np.frompyfunc(sympy.cos, 1, 1))
    tanh = staticmethod(np.frompyfunc(sympy.tanh, 1, 1))
    sqrt = staticmethod(np.frompyfunc(sympy.sqrt, 1, 1))
    abs = staticmethod(np.frompyfunc(sympy.Abs, 1, 1))
    sign = staticmethod(np.frompyfunc(sympy.sign, 1, 1))
    _piecewise = staticmethod(np.frompyfunc(lambda c, a, b: sympy.Piecewise((a, c), (b, True)), 3, 1))

    def const(self, v):
        if isinstance(v, float):  # NB: a float constant in a case means its shortest decimal repr
            return sympy.Rational(repr(v))
        return SymOps.asarray(v)

    @staticmethod
    def asarray(v):
        if np.ndim(v) == 0:
            return sympy.Float(float(v)) if isinstance(v, (float, np.floating)) else sympy.sympify(v)
        return np.vectorize(lambda e: sympy.Float(float(e)), otypes=[object])(np.asarray(v))

    def where(self, cond, a, b):
        return symbolic(self._piecewise(cond, a, b))

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        if np.ndim(x) == 0:
            return x
        if axis is None and not keepdims:
            return _add(np.asarray(x).ravel())
        out = np.apply_along_axis(_add, axis, np.asarray(x, dtype=object))
        return np.expand_dims(out, axis) if keepdims else out

    @staticmethod
    def amax(x, axis=None, keepdims=False):
        if np.ndim(x) == 0:
            return x
        if axis is None and not keepdims:
            return sympy.Max(*np.asarray(x).ravel())
        out = np.apply_along_axis(lambda v: sympy.Max(*v), axis, np.asarray(x, dtype=object))
        return np.expand_dims(out, axis) if keepdims else out

    @staticmethod
    def dot(x, y):
        return _add(np.asarray(x).ravel() * np.asarray(y).ravel())

    @staticmethod
    def matvec(a, x):
        return np.array([_add(row * x) for row in np.asarray(a)], dtype=object)

    @staticmethod
    def matmul(a, b):
        a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
        return np.array([[_add(a[i] * b[:, j]) for j in range(b.shape[1])] for i in range(a.shape[0])],
                        dtype=object).reshape(a.shape[0], b.shape[1])

    @staticmethod
    def inv(x):
        return np.array(sympy.Matrix(x).inv().tolist(), dtype=object)

    @staticmethod
    def logdet(x):
        return sympy.log(sympy.Matrix(x).det(method="laplace"))  # NB: cofactor expansion, the n!-term textbook formula


# NB: ops that build fresh arrays (np.array, np.asarray, apply_along_axis) would hand back plain object
# arrays; these keep returning SymArrays, so comparisons anywhere in a case stay symbolic.
for _name in ("asarray", "reshape", "outer", "transpose", "broadcast_to", "getitem", "scatter", "sum", "amax",
              "matvec", "matmul", "inv"):
    setattr(SymOps, _name, staticmethod(_keeps_symbolic(getattr(SymOps, _name))))
