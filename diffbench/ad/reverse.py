"""Reverse mode: a tape that records each primitive, then pulls adjoints back by the vjp rules."""
from diffbench.ad.rules import RULES
from diffbench.ad.traced import Traced, TracingOps


class Var(Traced):
    __slots__ = ("primal", "tape", "index")

    def __init__(self, primal, tape, index):
        self.primal, self.tape, self.index = primal, tape, index

    def _apply(self, name, *args, **params):
        return self.tape.apply(name, *args, **params)

    def __repr__(self):
        return f"Var(v{self.index}={self.primal!r})"


class Node:
    """One tape entry: which primitive, on which values, giving which output."""
    __slots__ = ("name", "rule", "args", "params", "out", "parents")

    def __init__(self, name, rule, args, params, out, parents):
        self.name, self.rule, self.args, self.params, self.out, self.parents = name, rule, args, params, out, parents


class Tape(TracingOps):
    """Records operations on Vars; the ops namespace a case sees when differentiated in reverse mode."""

    def __init__(self, base):
        self.base = base
        self.nodes: list[Node] = []

    def var(self, value, name="x"):
        self.nodes.append(Node(name, None, (), {}, value, ()))
        return Var(value, self, len(self.nodes) - 1)

    def apply(self, name, *args, **params):
        rule = RULES[name]
        values, parents = [], []
        for i, a in enumerate(args):
            if type(a) is Var and a.tape is self:
                values.append(a.primal)
                parents.append((i, a.index))
            else:
                values.append(a)
        out = rule.impl(self.base, *values, **params)
        if not parents:
            return out
        self.nodes.append(Node(name, rule, values, params, out, parents))
        return Var(out, self, len(self.nodes) - 1)

    def backward(self, out: Var, seed):
        """Adjoints of every node, given the output's cotangent `seed` (None where unreached)."""
        o = self.base
        adjoints = [None] * len(self.nodes)
        adjoints[out.index] = seed
        for k in range(out.index, -1, -1):
            g = adjoints[k]
            node = self.nodes[k]
            if g is None or node.rule is None:
                continue
            for position, parent in node.parents:
                c = node.rule.vjps[position](o, g, node.out, *node.args, **node.params)
                adjoints[parent] = c if adjoints[parent] is None else adjoints[parent] + c
        return adjoints

    @property
    def trace_length(self):
        """Recorded operations, inputs excluded."""
        return sum(1 for n in self.nodes if n.rule is not None)

    def stored_bytes(self):
        """Bytes of the values the tape keeps for the backward pass (outputs and operands)."""
        seen, total = set(), 0
        for node in self.nodes:
            for v in (node.out, *node.args):
                if id(v) not in seen and hasattr(v, "nbytes"):
                    seen.add(id(v))
                    total += v.nbytes
                elif id(v) not in seen and isinstance(v, float):
                    seen.add(id(v))
                    total += 8
        return total
