"""Gradient assertions for test suites: a gradient function against diffbench's mpmath references.

In the spirit of HIPS/autograd's `check_grads` (autograd/test_util.py), but the truth is a 50-digit
reference rather than finite differences, and failures name the worst point and the likely mistake.
"""
from __future__ import annotations

import inspect
import math

import numpy as np

from diffbench.case import Case, load_cases, point_rng
from diffbench.check.compare import (ORDER_CORRECT, ShapeProblem, as_jacobian, digits_of, name_mistake,
                                     observed_order, order_words, taylor_direction, taylor_remainders)
from diffbench.check.tasks import Point
from diffbench.reference import reference


def assert_grad_close(grad_fn, case_or_fn, points=3, rtol: float = 1e-8, *, params: dict | None = None,
                      seed: int = 0, wrt=None) -> None:
    """grad_fn(**inputs, **params) must match the reference Jacobian to `rtol` (norm-wise) at every point.

    case_or_fn: a Case, the name of a built-in case, or a function f(o, **inputs) written with the ops
    vocabulary (then `points` is a list of input dicts and `wrt` names the differentiated inputs).
    points: how many seeded points per parameter value, or a list of input dicts.
    params: the case's parameters (default: each value of its quick sweep).
    """
    case, chosen = resolve(case_or_fn, points, params, seed, wrt)
    wanted = -math.log10(rtol)
    worst = None
    for point in chosen:
        answer = call_with_inputs(grad_fn, point)
        truth = reference(case, point.params, point.inputs, point_rng(seed, case.name + "|reference",
                                                                     point.params, point.index))
        try:
            jacobian = as_jacobian(answer, case, point.params, point.inputs)
        except ShapeProblem as problem:
            raise AssertionError(f"gradient of {case.name} at {point.label}: {problem}") from None
        digits = digits_of(jacobian, truth)
        key = -math.inf if math.isnan(digits) else digits
        if worst is None or key < worst[0]:
            worst = (key, digits, point, jacobian, truth)
    _, digits, point, jacobian, truth = worst
    if math.isnan(digits) or digits < wanted:
        mistake = name_mistake(case, point.params, point.inputs, jacobian, truth["hi"])
        raise AssertionError("\n".join([
            f"gradient of {case.name} is wrong at {point.label}: {max(digits, 0.0):.1f} correct digits, "
            f"expected >= {wanted:.1f} (rtol={rtol:g}); worst of {len(chosen)} points",
            *(labelled(f"  {name} = ", value) for name, value in point.inputs.items()),
            labelled("  yours     = ", jacobian),
            labelled("  reference = ", truth["hi"]),
            f"  likely mistake: {mistake or 'none of the known ones (sign, factor 2, transpose)'}",
        ]))


def assert_taylor_order(grad_fn, case_or_fn, points=2, *, params: dict | None = None, seed: int = 0, wrt=None,
                        min_order: float = ORDER_CORRECT) -> list[float | None]:
    """|f(x + h v) - f(x) - h <g, v>| must shrink at least as h^min_order; returns the observed orders."""
    case, chosen = resolve(case_or_fn, points, params, seed, wrt)
    orders = []
    for point in chosen:
        try:
            jacobian = as_jacobian(call_with_inputs(grad_fn, point), case, point.params, point.inputs)
        except ShapeProblem as problem:
            raise AssertionError(f"gradient of {case.name} at {point.label}: {problem}") from None
        rng = point_rng(seed, f"{case.name}|taylor", point.params, point.index)
        remainders = taylor_remainders(case, point.params, point.inputs, jacobian,
                                       taylor_direction(rng, jacobian.shape[1]))
        order = observed_order(remainders, float(np.linalg.norm(jacobian)))
        if order is not None and order < min_order:
            table = ", ".join(f"h={h:.0e}: {r:.2e}" for h, r in remainders)
            raise AssertionError(f"Taylor test of {case.name} at {point.label}: {order_words(order)}; "
                                 f"expected order >= {min_order:g}\n  remainders: {table}")
        orders.append(order)
    return orders


def check_gradient(grad_fn, case_or_fn, points=3, rtol: float = 1e-8, **options) -> None:
    """Both checks: digits against the reference, then the Taylor-remainder order."""
    assert_grad_close(grad_fn, case_or_fn, points, rtol, **options)
    assert_taylor_order(grad_fn, case_or_fn, points, **options)


def resolve(case_or_fn, points, params, seed, wrt) -> tuple[Case, list[Point]]:
    """The case and the points to check."""
    if isinstance(case_or_fn, str):
        cases = load_cases()
        if case_or_fn not in cases:
            raise ValueError(f"no case named {case_or_fn!r}; cases: {', '.join(cases)}")
        case = cases[case_or_fn]
    elif isinstance(case_or_fn, Case):
        case = case_or_fn
    elif callable(case_or_fn):
        if isinstance(points, int):
            raise ValueError(f"{case_or_fn.__name__} is a plain function: give points as a list of input dicts")
        names = tuple(wrt) if wrt else tuple(points[0])
        case = Case(name=case_or_fn.__name__, fn=case_or_fn, make_inputs=None, wrt=names)
    else:
        raise TypeError(f"expected a Case, a case name or a function f(o, ...), got {type(case_or_fn).__name__}")
    if wrt and tuple(wrt) != case.wrt:
        raise ValueError(f"case {case.name!r} differentiates {case.wrt}, not {tuple(wrt)}")
    if isinstance(points, int):
        settings = [params] if params is not None else [case.params(v) for v in case.sweep_values("quick")]
        chosen = [Point(p, k, case.inputs(seed, p, k)) for p in settings for k in range(points)]
    else:
        given = {**case.fixed, **(params or {})}
        chosen = [Point(given, k, {name: np.asarray(v, dtype=np.float64) for name, v in inputs.items()})
                  for k, inputs in enumerate(points)]
    if not chosen:
        raise ValueError("no points to check")
    return case, chosen


def call_with_inputs(grad_fn, point: Point):
    """grad_fn called by keyword with the inputs and parameters its signature names (all, given **kwargs)."""
    values = {**point.params, **point.inputs}
    signature = inspect.signature(grad_fn).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature):
        return grad_fn(**values)
    return grad_fn(**{p.name: values[p.name] for p in signature if p.name in values})


def labelled(label: str, value) -> str:
    return label + np.array2string(np.asarray(value, dtype=np.float64), precision=6, threshold=12, edgeitems=3,
                                   max_line_width=100, prefix=label)
