"""Building evaluation traces in the survey's layout (Baydin et al. 2018, Tables 2-3): one row per v_i, off a tape."""
from __future__ import annotations

import inspect

import numpy as np

from diffbench.ad.forward import Dual, DualOps
from diffbench.ad.reverse import Tape, Var
from diffbench.backends.floatnp import FloatOps
from diffbench.case import Case, DomainError, describe
from diffbench.trace.model import MODES, Const, Ref, Row, Trace, TraceTooLong, as_value
from diffbench.trace.notation import TEXT


def trace_function(fn, point, mode: str = "forward", names=None, direction=None, max_rows: int = 200,
                   data=None, title: str = "") -> Trace:
    """The evaluation trace of fn(o, *inputs) at `point` (one value per input), float64.

    direction: forward mode's input tangents, one value per input (default ẋ1 = 1, the rest 0);
    reverse mode seeds ȳ = 1 (every entry, for an array y). data: name -> array folded into fn, shown by name.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    point = [as_value(p) for p in point]
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
        parts.append(as_value(flat[start:start + n].reshape(np.shape(p))))
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
    return TEXT.value(as_value(v), 6)

