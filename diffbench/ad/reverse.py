"""Reverse mode: a tape that records each primitive, then pulls adjoints back by the vjp rules."""
import numpy as np

from diffbench.ad.kernels import FLOAT_KERNELS, SCALAR_OPERATIONS, SCALAR_PULLBACKS, SCALARS
from diffbench.ad.rules import RULES
from diffbench.ad.traced import Traced, TracingOps
from diffbench.backends.floatnp import FloatOps

NO_PARAMS: dict = {}   # NB: shared by every operator node, never written to


class Var(Traced):
    __slots__ = ("primal", "tape", "index")

    def __init__(self, primal, tape, index):
        self.primal = primal
        self.tape = tape
        self.index = index

    def _apply(self, name, *args, **params):
        return self.tape.apply(name, *args, **params)

    # NB: the arithmetic operators straight to the tape, one call fewer than Traced's (a scalar program's cost)
    def __add__(self, other): return self.tape.binary("add", self, other)
    def __radd__(self, other): return self.tape.binary("add", other, self)
    def __sub__(self, other): return self.tape.binary("sub", self, other)
    def __rsub__(self, other): return self.tape.binary("sub", other, self)
    def __mul__(self, other): return self.tape.binary("mul", self, other)
    def __rmul__(self, other): return self.tape.binary("mul", other, self)
    def __truediv__(self, other): return self.tape.binary("div", self, other)
    def __rtruediv__(self, other): return self.tape.binary("div", other, self)
    def __neg__(self): return self.tape.apply("neg", self)

    def __repr__(self):
        return f"Var(v{self.index}={self.primal!r})"


class Node:
    """One tape entry: which primitive, on which values, giving which output (and what a kernel saved)."""
    __slots__ = ("name", "rule", "args", "params", "out", "parents", "saved")

    def __init__(self, name, rule, args, params, out, parents, saved=None):
        self.name = name
        self.rule = rule
        self.args = args
        self.params = params
        self.out = out
        self.parents = parents
        self.saved = saved


class Tape(TracingOps):
    """Records operations on Vars; the ops namespace a case sees when differentiated in reverse mode."""

    def __init__(self, base):
        self.base = base
        self.nodes: list[Node] = []
        self.released = False
        self.kernels = FLOAT_KERNELS if isinstance(base, FloatOps) else {}
        self.operations = SCALAR_OPERATIONS if self.kernels else {}

    def var(self, value, name="x"):
        if self.kernels and type(value) is np.ndarray and value.ndim == 0 and value.dtype == np.float64:
            value = value[()]   # NB: a 0-d input as a float64 scalar: numpy's 0-d arithmetic costs ~0.5 µs an op
        self.nodes.append(Node(name, None, (), {}, value, ()))
        return Var(value, self, len(self.nodes) - 1)

    def binary(self, name, a, b):
        """apply(name, a, b) without packing arguments: the arithmetic operators, most of a scalar program."""
        if type(a) is Var and a.tape is self:
            if type(b) is Var and b.tape is self:
                parents, a, b = ((0, a.index), (1, b.index)), a.primal, b.primal
            else:
                parents, a = ((0, a.index),), a.primal
        elif type(b) is Var and b.tape is self:
            parents, b = ((1, b.index),), b.primal
        else:
            parents = None
        operation = self.operations.get(name)
        if operation is not None and type(a) in SCALARS and type(b) in SCALARS:
            out, saved = operation(a, b), True    # NB: saved=True marks a scalar node (SCALAR_PULLBACKS)
        else:
            kernel = self.kernels.get(name)
            if kernel is not None:
                out, saved = kernel.forward(a, b)
            else:
                out, saved = RULES[name].impl(self.base, a, b), None
        if not parents:
            return out
        nodes = self.nodes
        nodes.append(Node(name, RULES[name], (a, b), NO_PARAMS, out, parents, saved))
        return Var(out, self, len(nodes) - 1)

    def apply(self, name, *args, **params):
        if len(args) == 2 and not params:
            return self.binary(name, *args)
        parents = [(i, a.index) for i, a in enumerate(args) if type(a) is Var and a.tape is self]
        values = tuple(a.primal if type(a) is Var and a.tape is self else a for a in args) if parents else args
        kernel = self.kernels.get(name)
        if kernel is not None:
            out, saved = kernel.forward(*values)
        else:
            out, saved = RULES[name].impl(self.base, *values, **params), None
        if not parents:
            return out
        nodes = self.nodes
        nodes.append(Node(name, RULES[name], values, params, out, parents, saved))
        return Var(out, self, len(nodes) - 1)

    def backward(self, out: Var, seed, keep=None, release=False):
        """Adjoints of every node, given the output's cotangent `seed` (None where unreached).

        keep: the indices whose adjoints the caller wants; the others are dropped once pulled back, so
        their memory serves the rest of the sweep (default: keep all, as a trace shows them).
        release: also drop each node's stored values once its rules ran (one sweep only, as grad needs).
        """
        if self.released:
            raise RuntimeError("this tape's stored values were released by an earlier one-shot sweep")
        o = self.base
        nodes, kernels = self.nodes, self.kernels
        adjoints = [None] * len(nodes)
        adjoints[out.index] = seed
        for k in range(out.index, -1, -1):
            g = adjoints[k]
            if g is None:
                continue
            node = nodes[k]
            rule = node.rule
            if rule is None:
                continue
            if keep is not None and k not in keep:
                adjoints[k] = None
            parents = node.parents
            saved = node.saved
            if saved is True and len(parents) == 2 and parents[0][1] != parents[1][1]:
                # NB: a scalar node of two operands: both cotangents in one call (a program's sweep is mostly these)
                first, second = SCALAR_PULLBACKS[node.name](g, node.out, *node.args)
                cotangents = ((parents[0][1], first), (parents[1][1], second))
            elif saved is not None:
                vjps, value, args = kernels[node.name].vjps, node.out, node.args
                # NB: a kernel's primitive has one or two operands; unrolled, as a scalar program's sweep is this
                if len(parents) == 1:
                    position, parent = parents[0]
                    cotangents = ((parent, vjps[position](g, value, saved, *args)),)
                elif rule.symmetric and parents[0][1] == parents[1][1]:
                    c = vjps[0](g, value, saved, *args)   # as the rule's f(x, x) below
                    cotangents = ((parents[0][1], c + c),)
                else:
                    (first, i), (second, j) = parents
                    cotangents = ((i, vjps[first](g, value, saved, *args)), (j, vjps[second](g, value, saved, *args)))
            elif rule.symmetric and len(parents) == 2 and parents[0][1] == parents[1][1]:
                c = rule.vjps[0](o, g, node.out, *node.args, **node.params)   # f(x, x): both terms are equal
                cotangents = [(parents[0][1], c + c)]
            else:
                vjps, args, params = rule.vjps, node.args, node.params
                cotangents = [(parent, vjps[position](o, g, node.out, *args, **params))
                              for position, parent in parents]
            if release:
                node.out = node.args = node.saved = None
            for parent, c in cotangents:
                held = adjoints[parent]
                adjoints[parent] = c if held is None else held + c
        self.released = release
        return adjoints

    @property
    def trace_length(self):
        """Recorded operations, inputs excluded."""
        return sum(1 for n in self.nodes if n.rule is not None)

    def stored_bytes(self):
        """Bytes of the values the tape keeps for the backward pass (outputs, operands, saved factors)."""
        seen, total = set(), 0
        for node in self.nodes:
            for v in (node.out, *(node.args or ()), node.saved):
                if id(v) not in seen and hasattr(v, "nbytes"):
                    seen.add(id(v))
                    total += v.nbytes
                elif id(v) not in seen and isinstance(v, float):
                    seen.add(id(v))
                    total += 8
        return total
