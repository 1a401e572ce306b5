"""Forward mode: dual numbers carrying a tangent beside each value, pushed by the jvp rules."""
from diffbench.ad.rules import RULES
from diffbench.ad.traced import Traced, TracingOps


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

    def apply(self, name, *args, **params):
        rule = RULES[name]
        base = self.base
        primals = [a.primal if isinstance(a, Dual) else a for a in args]
        out = rule.impl(base, *primals, **params)
        tangent = None
        for i, a in enumerate(args):
            if isinstance(a, Dual):
                t = rule.jvps[i](base, a.tangent, out, *primals, **params)
                tangent = t if tangent is None else tangent + t
        if tangent is None:
            return out
        if base.shape(tangent) != base.shape(out):
            tangent = base.broadcast_to(tangent, base.shape(out))
        return Dual(out, tangent, self)
