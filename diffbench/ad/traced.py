"""What tape variables and dual numbers share: operator overloading and the user-facing ops."""


class Traced:
    """A number that routes every operator through `self._apply(name, *args)` (Var: its tape; Dual: its ops)."""
    __slots__ = ()
    __array_ufunc__ = None  # numpy must hand `ndarray * traced` to our reflected operators

    def __add__(self, other): return self._apply("add", self, other)
    def __radd__(self, other): return self._apply("add", other, self)
    def __sub__(self, other): return self._apply("sub", self, other)
    def __rsub__(self, other): return self._apply("sub", other, self)
    def __mul__(self, other): return self._apply("mul", self, other)
    def __rmul__(self, other): return self._apply("mul", other, self)
    def __truediv__(self, other): return self._apply("div", self, other)
    def __rtruediv__(self, other): return self._apply("div", other, self)
    def __pow__(self, other): return self._apply("pow", self, other)
    def __rpow__(self, other): return self._apply("pow", other, self)
    def __neg__(self): return self._apply("neg", self)
    def __pos__(self): return self

    def __matmul__(self, other):
        return self._apply("matvec" if len(_shape(other)) == 1 else "matmul", self, other)

    def __rmatmul__(self, other):
        return self._apply("matvec" if len(_shape(self)) == 1 else "matmul", other, self)

    # Comparisons look at primal values only: they feed o.where, which is not differentiated.
    def __lt__(self, other): return self.primal < primal(other)
    def __le__(self, other): return self.primal <= primal(other)
    def __gt__(self, other): return self.primal > primal(other)
    def __ge__(self, other): return self.primal >= primal(other)

    @property
    def shape(self):
        return _shape(self.primal)

    @property
    def ndim(self):
        return len(self.shape)

    def __getitem__(self, index):
        return self._apply("getitem", self, index=index)

    @property
    def T(self):
        return self._apply("transpose", self)


def primal(x):
    """The innermost plain value under any number of Var/Dual wrappers."""
    while isinstance(x, Traced):
        x = x.primal
    return x


def _shape(x):
    x = primal(x)
    return tuple(x.shape) if hasattr(x, "shape") else ()


class TracingOps:
    """The vocabulary as one-line wrappers over `self.apply` (Tape records, DualOps carries tangents)."""

    def exp(self, x): return self.apply("exp", x)
    def log(self, x): return self.apply("log", x)
    def sin(self, x): return self.apply("sin", x)
    def cos(self, x): return self.apply("cos", x)
    def tanh(self, x): return self.apply("tanh", x)
    def sqrt(self, x): return self.apply("sqrt", x)
    def abs(self, x): return self.apply("abs", x)
    def sign(self, x): return self.apply("sign", x)
    def sum(self, x, axis=None, keepdims=False): return self.apply("sum", x, axis=axis, keepdims=keepdims)
    def amax(self, x, axis=None, keepdims=False): return self.apply("amax", x, axis=axis, keepdims=keepdims)
    def reshape(self, x, shape): return self.apply("reshape", x, shape=tuple(shape))
    def broadcast_to(self, x, shape): return self.apply("broadcast_to", x, shape=tuple(shape))
    def transpose(self, x): return self.apply("transpose", x)
    def dot(self, x, y): return self.apply("dot", x, y)
    def matvec(self, a, x): return self.apply("matvec", a, x)
    def outer(self, x, y): return self.apply("outer", x, y)
    def matmul(self, a, b): return self.apply("matmul", a, b)
    def inv(self, x): return self.apply("inv", x)
    def logdet(self, x): return self.apply("logdet", x)
    def where(self, cond, a, b): return self.apply("where", cond, a, b)
    def getitem(self, x, index): return self.apply("getitem", x, index=index)
    def scatter(self, g, index, shape): return self.apply("scatter", g, index=index, shape=tuple(shape))

    def const(self, v): return self.base.const(v)
    def shape(self, x): return _shape(x)
