"""Evaluation traces in the survey's layout (Baydin et al. 2018, Tables 2-3): one row per v_i, read off a tape."""
from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.table import Table

from diffbench.ad.forward import Dual, DualOps
from diffbench.ad.reverse import Tape, Var
from diffbench.backends.floatnp import FloatOps
from diffbench.case import Case, DomainError, describe

MODES = ("forward", "reverse")
REPORT_MAX_ROWS = 40     # traces longer than this stay out of the HTML report
REPORT_MIN_ROWS = 5      # ... and one this short is shown only when the case has no longer one
TRACE_DIR = "traces"     # run-folder subfolder that holds the stored traces

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


class TraceTooLong(ValueError):
    """A trace with more rows than the caller allowed."""


@dataclass(frozen=True)
class Ref:
    """An operand that is an earlier row, by its survey number (inputs 1-n..0, intermediates 1..)."""
    number: int


@dataclass(frozen=True)
class Const:
    """An operand folded into the operation: a number, or a data array shown by its input name."""
    value: object
    name: str = ""


@dataclass(frozen=True)
class Row:
    number: int                # survey numbering: inputs 1-n..0, intermediates 1..
    name: str                  # the input's name for an input row ("x1"), "" otherwise
    op: str | None             # the primitive; None for an input
    operands: tuple            # Ref or Const per argument of the primitive
    params: dict               # the primitive's keyword parameters (axis, shape)
    value: object              # primal value
    derivative: object         # tangent (forward) or adjoint (reverse)
    terms: tuple               # forward: operand positions with a tangent; reverse: (child number, position)


@dataclass(frozen=True)
class Trace:
    mode: str                  # forward | reverse
    rows: tuple                # Row, inputs first, in evaluation order
    output: object             # Ref to the row that is y, or Const when y does not depend on the inputs
    value: object              # y
    seed: tuple                # forward: the input tangents (one per input); reverse: (ȳ,)
    title: str = ""
    output_name: str = "y"     # what the output is called: y, unless an input already is
    children: dict = field(default_factory=dict, repr=False)   # number -> rows that use it, for reverse terms

    @property
    def inputs(self) -> list[Row]:
        return [r for r in self.rows if r.op is None]

    def row(self, number: int) -> Row:
        return self.rows[number - self.rows[0].number]

    @property
    def derivatives(self) -> list:
        """Forward: (ẏ,); reverse: the adjoint of every input, x̄1..x̄n."""
        if self.mode == "forward":
            if isinstance(self.output, Ref):
                return [self.row(self.output.number).derivative]
            return [np.zeros_like(self.value)]
        return [r.derivative for r in self.inputs]


# ---------------------------------------------------------------- building

def _as_value(x):
    x = np.asarray(x, dtype=np.float64)
    return x[()] if x.ndim == 0 else x


def trace_function(fn, point, mode: str = "forward", names=None, direction=None, max_rows: int = 200,
                   data=None, title: str = "") -> Trace:
    """The evaluation trace of fn(o, *inputs) at `point` (one value per input), float64.

    direction: forward mode's input tangents, one value per input (default ẋ1 = 1, the rest 0);
    reverse mode seeds ȳ = 1 (every entry, for an array y). data: name -> array folded into fn, shown by name.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    point = [_as_value(p) for p in point]
    names = list(names) if names is not None else _parameter_names(fn, len(point))
    if not title:
        where = ", ".join(f"{k}={_plain(v)}" for k, v in zip(names, point))
        title = f"{getattr(fn, '__name__', 'f').strip('<>')} at {where}"
    tangents = _tangents(point, direction) if mode == "forward" else None
    base = FloatOps()
    with np.errstate(all="ignore"):
        if mode == "forward":
            dual_ops = DualOps(base)
            tape = Tape(dual_ops)
            xs = [tape.var(Dual(p, t, dual_ops), n) for p, t, n in zip(point, tangents, names)]
        else:
            tape = Tape(base)
            xs = [tape.var(p, n) for p, n in zip(point, names)]
        out = fn(tape, *xs)
        y = out if isinstance(out, Var) and out.tape is tape else None
        kept = _ancestors(tape, y.index) if y is not None else set()
        kept.update(x.index for x in xs)
        if len(kept) > max_rows:
            raise TraceTooLong(f"{title or 'the trace'} has {len(kept)} rows, more than the limit of {max_rows}; "
                               f"raise it (--max-rows {len(kept)}) to see it anyway")
        seed = None
        adjoints = None
        if mode == "reverse" and y is not None:
            seed = base.const(1) if np.ndim(y.primal) == 0 else np.ones_like(y.primal)
            adjoints = tape.backward(y, seed)
    numbers = _numbering(tape, kept, [x.index for x in xs])
    data_names = {id(v): k for k, v in (data or {}).items()}
    rows, children = [], {}
    for index in sorted(kept, key=lambda i: numbers[i]):
        node = tape.nodes[index]
        value, derivative = _parts(node.out, mode, adjoints[index] if adjoints else None)
        if node.rule is None:
            rows.append(Row(numbers[index], node.name, None, (), {}, value,
                            derivative if derivative is not None else np.zeros_like(value), ()))
            continue
        parent_at = dict(node.parents)
        operands = tuple(Ref(numbers[parent_at[k]]) if k in parent_at else Const(a, data_names.get(id(a), ""))
                         for k, a in enumerate(node.args))
        for position, parent in node.parents:
            children.setdefault(numbers[parent], []).append((numbers[index], position))
        rows.append(Row(numbers[index], "", node.name, operands, dict(node.params), value,
                        derivative if derivative is not None else np.zeros_like(value),
                        tuple(p for p, _ in node.parents)))
    if mode == "reverse":
        # The backward sweep visits children last-first, so that is the order their terms are summed in.
        rows = [_with_terms(r, tuple(sorted(children.get(r.number, ()), key=lambda c: -c[0]))) for r in rows]
    if y is not None:
        output, value = Ref(numbers[y.index]), _parts(y.primal, mode, None)[0]
    else:
        value = _parts(out, mode, None)[0]
        output = Const(value)
    seed_shown = tuple(tangents) if mode == "forward" else (seed if seed is not None else 1.0,)
    output_name = next((n for n in ("y", "f", "out", "result") if n not in names), "y_out")
    return Trace(mode, tuple(rows), output, value, seed_shown, title, output_name, children)


def _with_terms(row: Row, terms: tuple) -> Row:
    return Row(row.number, row.name, row.op, row.operands, row.params, row.value, row.derivative, terms)


def _parts(out, mode, adjoint):
    """(primal, derivative) of one tape entry: a Dual's two parts going forward, value and adjoint going back."""
    if mode == "forward":
        if isinstance(out, Dual):
            return out.primal, out.tangent
        return out, np.zeros_like(out)
    return out, adjoint


def _parameter_names(fn, n: int) -> list[str]:
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1:]
    except (TypeError, ValueError):
        params = []
    return params[:n] if len(params) >= n else [f"x{i + 1}" for i in range(n)]


def _tangents(point, direction) -> list:
    """Input tangents: `direction` split over the inputs (flattened in order), default the first unit vector."""
    sizes = [int(np.size(p)) for p in point]
    if direction is None:
        flat = np.zeros(sum(sizes))
        flat[0] = 1.0
    else:
        flat = np.asarray(direction, dtype=np.float64).reshape(-1)
        if flat.size != sum(sizes):
            raise ValueError(f"the direction has {flat.size} numbers; the inputs have {sum(sizes)}")
    parts, start = [], 0
    for p, n in zip(point, sizes):
        parts.append(_as_value(flat[start:start + n].reshape(np.shape(p))))
        start += n
    return parts


def _ancestors(tape: Tape, index: int) -> set:
    """The entries the output depends on (dead code is left out of the trace)."""
    seen, stack = {index}, [index]
    while stack:
        for _, parent in tape.nodes[stack.pop()].parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _numbering(tape: Tape, kept: set, input_indices: list) -> dict:
    """Tape index -> survey number: the n inputs are 1-n..0, then the intermediates 1, 2, ... by depth.

    NB: intermediates are numbered by their longest path from the inputs, then in evaluation order, as the
    survey's Table 2 does (v3 = sin v0 comes before v4 = v1 + v2 although Python evaluates the sum first)."""
    numbers = {index: k + 1 - len(input_indices) for k, index in enumerate(input_indices)}
    depth = {index: 0 for index in input_indices}
    for index in sorted(kept):
        if index not in depth:
            depth[index] = 1 + max((depth.get(p, 0) for _, p in tape.nodes[index].parents), default=0)
    inner = sorted((i for i in kept if i not in numbers), key=lambda i: (depth[i], i))
    numbers.update({index: k + 1 for k, index in enumerate(inner)})
    return numbers


def depths(trace: Trace) -> dict:
    """Row number -> longest path from the inputs (inputs 0): the layers of the graph."""
    depth = {}
    for row in trace.rows:
        depth[row.number] = 1 + max((depth[c.number] for c in row.operands if isinstance(c, Ref)), default=-1)
    return depth


def case_point(case: Case, params: dict | None = None, point=None, seed: int = 0):
    """(params, inputs) of a case: its point 0 (canonical where it has one), wrt inputs overridden by `point`."""
    params = {**case.params(case.sweep_values("default")[0]), **(params or {})}
    inputs = case.inputs(seed, params, 0)
    if point is not None:
        wanted = [inputs[k] for k in case.wrt]
        flat = np.asarray(point, dtype=np.float64).reshape(-1)
        total = sum(int(np.size(v)) for v in wanted)
        if flat.size != total:
            raise DomainError(f"case {case.name!r} differentiates {', '.join(case.wrt)} ({total} number"
                              f"{'s' * (total != 1)}); the point has {flat.size}")
        start = 0
        for name, v in zip(case.wrt, wanted):
            inputs[name] = flat[start:start + np.size(v)].reshape(np.shape(v))
            start += np.size(v)
        message = case.check_inputs(**inputs, **params) if case.check_inputs else None
        if message:
            raise DomainError(f"case {case.name!r}{f' at {describe(params)}' if params else ''}: {message}")
    return params, inputs


def trace_case(case: Case, mode: str = "forward", params: dict | None = None, point=None, direction=None,
               max_rows: int = 200, seed: int = 0) -> Trace:
    """The trace of a case at its point 0 (or `point`), differentiated in its wrt inputs."""
    params, inputs = case_point(case, params, point, seed)
    wrt, data = case.split(inputs)
    where = ", ".join(f"{k}={_plain(v)}" for k, v in zip(case.wrt, wrt))
    title = f"{case.name}{f' ({describe(params)})' if params else ''} at {where}"
    return trace_function(case.bind(data, params), wrt, mode, names=case.wrt, direction=direction,
                          max_rows=max_rows, data=data, title=title)


def _plain(v) -> str:
    return TEXT.value(_as_value(v), 6)


# ---------------------------------------------------------------- notation

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


# ---------------------------------------------------------------- tables

def headers(trace: Trace) -> tuple[str, str]:
    return ("Forward primal trace", "Forward tangent trace" if trace.mode == "forward" else "Adjoint trace")


def cells(trace: Trace, notation=TEXT, digits: int = 6) -> tuple[list, list]:
    """(body, footer): rows of four cells - primal formula, value, derivative formula, value."""
    body = [[primal_formula(trace, r, notation, digits), notation.value(r.value, digits),
             derivative_formula(trace, r, notation, digits), notation.value(r.derivative, digits)]
            for r in trace.rows]
    y = notation.named(trace.output_name)
    source = (notation.var(trace.output.number) if isinstance(trace.output, Ref)
              else notation.value(trace.output.value, digits))
    first = [f"{y} = {source}", notation.value(trace.value, digits)]
    if trace.mode == "forward":
        d = notation.tangent(trace.output.number) if isinstance(trace.output, Ref) else "0"
        tangent = f"{notation.name_tangent(trace.output_name)} = {d}"
        return body, [first + [tangent, notation.value(trace.derivatives[0], digits)]]
    footer = []
    for k, r in enumerate(trace.inputs):
        left = first if k == 0 else ["", ""]
        footer.append(left + [f"{notation.name_adjoint(r.name)} = {notation.adjoint(r.number)}",
                              notation.value(r.derivative, digits)])
    return body, footer


def describe_seed(trace: Trace, notation=TEXT, digits: int = 6) -> str:
    """'ẋ1 = 1, ẋ2 = 0' (forward) or 'ȳ = 1' (reverse)."""
    if trace.mode == "forward":
        return ", ".join(f"{notation.name_tangent(r.name)} = {notation.value(t, digits)}"
                         for r, t in zip(trace.inputs, trace.seed))
    seed = trace.seed[0]
    shown = notation.value(seed, digits) if np.ndim(seed) == 0 else "1 (every entry)"
    return f"{notation.name_adjoint(trace.output_name)} = {shown}"


def caption(trace: Trace) -> str:
    direction = ("tangents pushed forward with the primal values" if trace.mode == "forward"
                 else "adjoints pulled back from the bottom row up, after the primal sweep")
    return f"{trace.title}: {trace.mode} mode, {describe_seed(trace)}; {direction}."


def rich_table(trace: Trace, digits: int = 6) -> Table:
    primal, derivative = headers(trace)
    table = Table(title=caption(trace), header_style="bold", title_justify="left")
    table.add_column(primal)
    table.add_column("value", justify="right")
    table.add_column(derivative)
    table.add_column("value", justify="right")
    body, footer = cells(trace, TEXT, digits)
    for k, row in enumerate(body):
        table.add_row(*row, end_section=k == len(body) - 1)
    for row in footer:
        table.add_row(*row, style="bold")
    return table


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|#])")


def markdown(trace: Trace, digits: int = 6) -> str:
    """A GitHub/pandoc pipe table with the caption above it."""
    def line(cells_, bold=False):
        escaped = [MARKDOWN_SPECIALS.sub(r"\\\1", c) for c in cells_]
        return "| " + " | ".join(f"**{c}**" if bold and c else c for c in escaped) + " |"
    primal, derivative = headers(trace)
    body, footer = cells(trace, TEXT, digits)
    out = [MARKDOWN_SPECIALS.sub(r"\\\1", caption(trace)), "", line([primal, "value", derivative, "value"]),
           "|:---|---:|:---|---:|"]
    out += [line(r) for r in body]
    out += [line(r, bold=True) for r in footer]
    return "\n".join(out) + "\n"


def latex(trace: Trace, digits: int = 6) -> str:
    """A booktabs tabular, every formula in math mode, ready to paste into slides."""
    def math(c):
        return f"${c}$" if c else ""
    primal, derivative = headers(trace)
    body, footer = cells(trace, LATEX, digits)
    seed = describe_seed(trace, LATEX, digits)
    title = re.sub(r"\s+", " ", trace.title)
    out = [f"% {latex_escape(title)}: {trace.mode} mode, requires \\usepackage{{booktabs}}",
           r"\begin{tabular}{lrlr}", r"\toprule",
           rf"\multicolumn{{2}}{{l}}{{{primal}}} & \multicolumn{{2}}{{l}}{{{derivative} (${seed}$)}} \\",
           r"\midrule"]
    out += [" & ".join(math(c) for c in r) + r" \\" for r in body]
    out.append(r"\midrule")
    out += [" & ".join(math(c) for c in r) + r" \\" for r in footer]
    out += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(out) + "\n"


FORMATS = {"md": markdown, "tex": latex}


# ---------------------------------------------------------------- stored with a run

def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "case"


def _report_params(case: Case, mode: str, seed: int) -> dict | None:
    """The first sweep value whose trace shows a few operations (REPORT_MIN_ROWS rows), else the first that fits."""
    fitting = []
    for value in case.sweep_values(mode):
        params = case.params(value)
        try:
            rows = len(trace_case(case, "forward", params, max_rows=REPORT_MAX_ROWS, seed=seed).rows)
        except (TraceTooLong, DomainError):
            continue
        if rows >= REPORT_MIN_ROWS:
            return params
        fitting.append(params)
    return fitting[0] if fitting else None


def write_traces(run_dir: Path, cases: dict, seed: int = 0, mode: str = "default") -> list[dict]:
    """Store traces/<case>.{svg,md,json} for each small scalar case; a failure record for each that failed.

    A case qualifies when a parameter value of this run's mode gives a scalar y in at most REPORT_MAX_ROWS
    rows (see _report_params); its point 0 is traced forward (ẋ1 = 1) and in reverse (ȳ = 1)."""
    from diffbench.graph import trace_svg

    folder = Path(run_dir) / TRACE_DIR
    stored, failures = [], []
    for case in cases.values():
        params = {}
        try:
            params = _report_params(case, mode, seed)
            if params is None:
                continue
            traces = {m: trace_case(case, m, params, max_rows=REPORT_MAX_ROWS, seed=seed) for m in MODES}
            if np.ndim(traces["reverse"].value) != 0:
                continue
            folder.mkdir(exist_ok=True)
            stem = _file_stem(case.name)
            stem = stem if stem not in stored else f"{stem}-{len(stored) + 1}"
            (folder / f"{stem}.svg").write_text(trace_svg(traces["reverse"]), encoding="utf-8")
            (folder / f"{stem}.md").write_text(markdown(traces["forward"]) + "\n" + markdown(traces["reverse"]),
                                               encoding="utf-8")
            record = {"case": case.name, "params": describe(params)}
            for m, t in traces.items():
                body, footer = cells(t)
                record[m] = {"caption": caption(t), "headers": list(headers(t)), "body": body, "footer": footer}
            (folder / f"{stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
            stored.append(stem)
        except (TraceTooLong, DomainError):
            continue    # too long for a picture, or outside the domain (the run's own jobs report that)
        except Exception as error:  # noqa: BLE001 - one case's trace never stops the others or the run
            failures.append({"case": case.name, "param": describe(params), "method": "trace", "point": 0,
                             "status": "failed", "message": f"evaluation trace: {type(error).__name__}: {error}"})
    if stored:
        (folder / "index.json").write_text(json.dumps(stored), encoding="utf-8")
    return failures


SVG_ELEMENTS = {"svg", "title", "defs", "marker", "path", "g", "rect", "text"}   # what graph.trace_svg writes


def _is_plain_svg(text: str) -> bool:
    """True for an SVG made of trace_svg's elements only, without scripts, event handlers or links."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return False
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if tag not in SVG_ELEMENTS or any(k.lower().startswith("on") or "href" in k for k in element.attrib):
            return False
    return True


def read_traces(run_dir: Path) -> list[dict]:
    """The traces a run stored, each with its SVG text; [] when it stored none. NB: an SVG that is not
    plain trace_svg output is dropped, since the report inlines it."""
    folder = Path(run_dir) / TRACE_DIR
    out = []
    try:
        stems = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    for stem in stems if isinstance(stems, list) else []:
        try:
            record = json.loads((folder / f"{_file_stem(str(stem))}.json").read_text(encoding="utf-8"))
            svg = (folder / f"{_file_stem(str(stem))}.svg").read_text(encoding="utf-8")
            if _is_plain_svg(svg) and all(k in record for k in ("case", "params", "forward", "reverse")):
                out.append({**record, "svg": svg})
        except (OSError, ValueError):
            continue
    return out
