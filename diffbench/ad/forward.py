"""Forward mode: dual numbers carrying a tangent beside each value, pushed by the jvp rules."""
from diffbench.ad.kernels import FLOAT_KERNELS
from diffbench.ad.rules import RULES
from diffbench.ad.traced import Traced, TracingOps
from diffbench.backends.floatnp import FloatOps


class Dual(Traced):
    __slots__ = ("primal", "tangent", "ops")

    def __init__(self, primal, tangent, ops):
        self.primal, self.tangent, self.ops = primal, tangent, ops

    def _apply(self, name, *args, **params):
        return self.ops.apply(name, *args, **params)

    def __repr__(self):
        return f"Dual({self.primal!r}, {self.tangent!r})"


class DualOps(TracingOps):
    """Ops over duals whose parts live in `base`. NB: one level of tangents, no perturbation tags."""

    def __init__(self, base):
        self.base = base
        self.kernels = FLOAT_KERNELS if isinstance(base, FloatOps) else {}

    def apply(self, name, *args, **params):
        rule = RULES[name]
        base = self.base
        primals = [a.primal if type(a) is Dual else a for a in args]
        kernel = self.kernels.get(name)
        out, saved = kernel.forward(*primals) if kernel is not None else (rule.impl(base, *primals, **params), None)
        tangent = None
        for i, a in enumerate(args):
            if type(a) is Dual:
                if saved is not None:
                    t = kernel.jvps[i](a.tangent, out, saved, *primals)
                else:
                    t = rule.jvps[i](base, a.tangent, out, *primals, **params)
                tangent = t if tangent is None else tangent + t
        if tangent is None:
            return out
        if base.shape(tangent) != base.shape(out):
            tangent = base.broadcast_to(tangent, base.shape(out))
        return Dual(out, tangent, self)
