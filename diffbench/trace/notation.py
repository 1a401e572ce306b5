"""How a trace is written: the survey's v_i notation as Unicode text or LaTeX, one formula per row."""
from __future__ import annotations

import re

import numpy as np

from diffbench.trace.model import Ref, Row, Trace

# How each primitive's result is written, in LaTeX; $0 $1 $2 are its operands, $p its keyword parameters.
PRIMAL = {
    "add": "$0 + $1", "sub": "$0 - $1", "mul": r"$0 \times $1", "div": "$0 / $1", "neg": "-$0",
    "pow": "$0^{$1}", "exp": r"\exp $0", "log": r"\ln $0", "sin": r"\sin $0", "cos": r"\cos $0",
    "tanh": r"\tanh $0", "sqrt": r"\sqrt{$0}", "abs": "|$0|", "sign": r"\operatorname{sign} $0",
    "sum": r"\operatorname{sum}($0$p)", "amax": r"\operatorname{max}($0$p)",
    "broadcast_to": r"\operatorname{broadcast}($0$p)", "reshape": r"\operatorname{reshape}($0$p)",
    "getitem": "$0[$i]", "scatter": r"\operatorname{scatter}($0 \to [$i]$p)",
    "transpose": "$0^{T}", "dot": r"\langle $0, $1 \rangle", "matvec": "$0 $1", "outer": "$0 $1^{T}",
    "matmul": "$0 $1", "inv": "$0^{-1}", "logdet": r"\ln\det $0", "where": r"\operatorname{where}($0, $1, $2)",
}

# One derivative term per operand position, the scalar reading of the rule in diffbench/ad/rules.py:
# $t is the incoming derivative (the operand's tangent going forward, this node's adjoint going back),
# $o this node's value. The numbers always come from the rules themselves; these strings only show them.
TERMS = {
    "add": ("$t", "$t"), "sub": ("$t", "-$t"),
    "mul": (r"$t \times $1", r"$t \times $0"),
    "div": ("$t / $1", r"-$t \times $o / $1"),
    "neg": ("-$t",),
    "pow": (r"$t \times $1 \times $0^{$1 - 1}", r"$t \times $o \times \ln $0"),
    "exp": (r"$t \times $o",), "log": ("$t / $0",),
    "sin": (r"$t \times \cos $0",), "cos": (r"-$t \times \sin $0",),
    "tanh": (r"$t \times (1 - $o^{2})",), "sqrt": ("$t / (2 $o)",),
    "abs": (r"$t \times \operatorname{sign} $0",),
}
# Any other primitive (the array ones) is shown by its partial derivative, in the survey's notation.
FORWARD_TERM = r"\partial $o / \partial $a \cdot $t"
REVERSE_TERM = r"$t \cdot \partial $o / \partial $a"


def _superscript(match) -> str:
    inner = match[1]
    special = {"T": "ᵀ", "-1": "⁻¹", "2": "²"}
    if inner in special:
        return special[inner]
    return f"^{inner}" if re.fullmatch(r"\$?\w+", inner) else f"^({inner})"


def _text_template(template: str) -> str:
    """A LaTeX template as plain Unicode text (operands are substituted afterwards)."""
    s = re.sub(r"\\sqrt\{([^{}]*)\}", lambda m: "√" + (m[1] if re.fullmatch(r"\$\w", m[1]) else f"({m[1]})"),
               template)
    s = re.sub(r"\^\{([^{}]*)\}", _superscript, s)
    s = re.sub(r"\\operatorname\{(\w+)\}", r"\1", s)
    s = s.replace(r"\times", "×").replace(r"\cdot", "·").replace(r"\langle ", "⟨").replace(r" \rangle", "⟩")
    s = s.replace(r"\partial ", "∂").replace(r"\det", " det")
    s = re.sub(r"\\([a-z]+)", r"\1", s)
    return s.replace("-", "−").replace("{", "").replace("}", "")


LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                  "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def latex_escape(text: str) -> str:
    """Text safe inside \\mathrm{...} or a LaTeX text cell."""
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in str(text))


class TextNotation:
    """v-1, v̇2, v̄0 and Unicode operators: for the terminal, Markdown and the SVG graph."""

    def var(self, n): return f"v{n}"
    def tangent(self, n): return f"v\u0307{n}"
    def adjoint(self, n): return f"v\u0304{n}"
    def template(self, t): return _text_template(t)
    def wrap(self, s): return s
    def minus(self): return "−"
    def plus_minus_split(self, term): return (True, term[1:]) if term.startswith("−") else (False, term)

    def named(self, name, accent=""):
        head, digits = _split_name(name)
        return f"{head}{accent}{digits}"

    def name_tangent(self, name): return self.named(name, "\u0307")
    def name_adjoint(self, name): return self.named(name, "\u0304")

    def number(self, x, digits):
        if np.iscomplexobj(x):
            return f"{complex(x):.{digits}g}"
        return f"{float(x):.{digits}g}"

    def array(self, x, digits):
        shape = "×".join(map(str, np.shape(x)))
        flat = np.asarray(x).reshape(-1)
        shown = ", ".join(self.number(v, min(digits, 4)) for v in flat[:3])
        return f"({shape}) [{shown}{', …' if flat.size > 3 else ''}]"

    def value(self, x, digits):
        return self.number(x, digits) if np.ndim(x) == 0 else self.array(x, digits)

    def params(self, params):
        shown = [f"{k}={v}" for k, v in params.items() if v is not None and v is not False and k != "index"]
        return "".join(f", {s}" for s in shown)

    def index(self, index):
        return _index_text(index)


class LatexNotation(TextNotation):
    """v_{-1}, \\dot{v}_{2}, \\bar{v}_{0}: math-mode LaTeX for slides."""

    def var(self, n): return f"v_{{{n}}}"
    def tangent(self, n): return rf"\dot{{v}}_{{{n}}}"
    def adjoint(self, n): return rf"\bar{{v}}_{{{n}}}"
    def template(self, t): return t
    def wrap(self, s): return f"${s}$"
    def minus(self): return "-"
    def plus_minus_split(self, term): return (True, term[1:]) if term.startswith("-") else (False, term)

    def named(self, name, accent=""):
        head, digits = _split_name(name)
        head = head if re.fullmatch(r"[A-Za-z]", head) else rf"\mathrm{{{latex_escape(head)}}}"
        head = rf"\{accent}{{{head}}}" if accent else head
        return f"{head}_{{{digits}}}" if digits else head

    def name_tangent(self, name): return self.named(name, "dot")
    def name_adjoint(self, name): return self.named(name, "bar")

    def number(self, x, digits):
        text = super().number(x, digits)
        if text in ("nan", "inf", "-inf"):
            return {"nan": r"\mathrm{NaN}", "inf": r"\infty", "-inf": r"-\infty"}[text]
        mantissa, _, exponent = text.partition("e")
        if not exponent or "j" in text:
            return latex_escape(text) if "j" in text else text
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"

    def array(self, x, digits):
        shape = r"\times ".join(map(str, np.shape(x)))
        flat = np.asarray(x).reshape(-1)
        shown = ", ".join(self.number(v, min(digits, 4)) for v in flat[:3]) + (r", \ldots" if flat.size > 3 else "")
        return rf"[{shown}]_{{{shape}}}"

    def params(self, params):
        shown = [rf"\mathrm{{{latex_escape(k)}}}={latex_escape(v)}" for k, v in params.items()
                 if v is not None and v is not False and k != "index"]
        return "".join(f", {s}" for s in shown)

    def index(self, index):
        return latex_escape(_index_text(index)).replace("…", r"\ldots")


def _index_text(index) -> str:
    """x[...] as Python writes it: 0, 1:3, ::2, (0, :), [0, 2, …] for an index array."""
    if isinstance(index, tuple):
        return ", ".join(_index_text(i) for i in index)
    if isinstance(index, slice):
        text = ":".join("" if v is None else str(v) for v in (index.start, index.stop, index.step))
        return text[:-1] if text.endswith(":") and index.step is None else text
    if index is Ellipsis:
        return "..."
    if isinstance(index, (list, np.ndarray)):
        flat = np.asarray(index).reshape(-1)
        return "[" + ", ".join(map(str, flat[:4].tolist())) + (", …" if flat.size > 4 else "") + "]"
    return str(index)


def _split_name(name: str) -> tuple[str, str]:
    match = re.fullmatch(r"(.*?[^\d])(\d+)", name)
    return (match[1], match[2]) if match else (name, "")


TEXT, LATEX = TextNotation(), LatexNotation()


def _fill(template: str, notation, operands, digits, out="", incoming="", wrt="", params=None) -> str:
    """Substitute $0.. (operands), $o, $t, $a and $p into a template already in the notation."""
    def operand(c):
        if isinstance(c, Ref):
            return notation.var(c.number)
        if c.name:
            return notation.named(c.name)
        if np.ndim(c.value) > 0:
            return notation.array(c.value, digits)
        shown = notation.number(c.value, digits)
        return f"({shown})" if shown.startswith("-") else shown

    def replace(match):
        key = match[1]
        if key.isdigit():
            return operand(operands[int(key)])
        if key == "i":
            return notation.index((params or {}).get("index"))
        return {"o": out, "t": incoming, "a": wrt, "p": notation.params(params or {})}[key]

    return re.sub(r"\$(\d|[otapi])", replace, notation.template(template))


def _sum_terms(terms: list[str], notation) -> str:
    text = ""
    for k, term in enumerate(terms):
        negative, rest = notation.plus_minus_split(term)
        if k == 0:
            text = term
        else:
            text += f" {notation.minus() if negative else '+'} {rest}"
    return text


def primal_formula(trace: Trace, row: Row, notation=TEXT, digits: int = 6) -> str:
    """'v2 = v-1 × v0' (an input: 'v-1 = x1')."""
    if row.op is None:
        return f"{notation.var(row.number)} = {notation.named(row.name)}"
    generic = rf"\operatorname{{{row.op}}}(" + ", ".join(f"${k}" for k in range(len(row.operands))) + "$p)"
    template = PRIMAL.get(row.op, generic)      # a primitive added to the rules after this table
    return f"{notation.var(row.number)} = {_fill(template, notation, row.operands, digits, params=row.params)}"


def derivative_formula(trace: Trace, row: Row, notation=TEXT, digits: int = 6) -> str:
    """Forward: 'v̇2 = v̇-1 × v0 + v̇0 × v-1'; reverse: 'v̄0 = v̄3 × cos v0 + v̄2 × v-1'."""
    if trace.mode == "forward":
        head = notation.tangent(row.number)
        if row.op is None:
            return f"{head} = {notation.name_tangent(row.name)}"
        terms = [_term(row, position, notation.tangent(row.operands[position].number), FORWARD_TERM, notation,
                       digits) for position in row.terms]
        return f"{head} = {_sum_terms(terms, notation)}"
    head = notation.adjoint(row.number)
    if isinstance(trace.output, Ref) and row.number == trace.output.number:
        return f"{head} = {notation.name_adjoint(trace.output_name)}"
    if not row.terms:
        return f"{head} = 0"
    terms = [_term(trace.row(child), position, notation.adjoint(child), REVERSE_TERM, notation, digits)
             for child, position in row.terms]
    return f"{head} = {_sum_terms(terms, notation)}"


def _term(node: Row, position: int, incoming: str, fallback: str, notation, digits) -> str:
    """The contribution through operand `position` of `node`, carrying `incoming` (a tangent or an adjoint)."""
    templates = TERMS.get(node.op)
    template = templates[position] if templates else fallback
    return _fill(template, notation, node.operands, digits, out=notation.var(node.number), incoming=incoming,
                 wrt=notation.var(node.operands[position].number), params=node.params)



def describe_seed(trace: Trace, notation=TEXT, digits: int = 6) -> str:
    """'ẋ1 = 1, ẋ2 = 0' (forward) or 'ȳ = 1' (reverse)."""
    if trace.mode == "forward":
        return ", ".join(f"{notation.name_tangent(r.name)} = {notation.value(t, digits)}"
                         for r, t in zip(trace.inputs, trace.seed))
    seed = trace.seed[0]
    shown = notation.value(seed, digits) if np.ndim(seed) == 0 else "1 (every entry)"
    return f"{notation.name_adjoint(trace.output_name)} = {shown}"

