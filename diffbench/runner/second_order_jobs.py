"""The jobs `run --order 2` adds: per point a reference Hessian, per parameter each second-order method."""
from __future__ import annotations

from diffbench.case import describe
from diffbench.methods import REGISTRY, SECOND_ORDER_METHODS, is_second_order
from diffbench.runner.worker import Job
from diffbench.second_order import hvp_reference


def second_order_methods(methods) -> tuple:
    """The second-order methods of a run: those --methods names, else all of them."""
    named = tuple(m for m in methods if is_second_order(m))
    return named or SECOND_ORDER_METHODS


def eligible(case, planned) -> bool:
    """The case opts in, has one differentiated input, and it is small enough at this parameter."""
    if not case.second_order_inputs or len(case.wrt) != 1 or not planned.points:
        return False
    size = sum(int(planned.points[0][k].size) for k in case.wrt)
    return size <= case.second_order_inputs


def second_order_jobs(case, planned, common: dict, methods) -> list[Job]:
    if not eligible(case, planned):
        return []
    references = [Job(kind="reference", **{**common, "points": (inputs,)}, first_point=k, derivative="hessian")
                  for k, inputs in enumerate(planned.points)]
    return references + [Job(kind="method", method=m, **common, derivative=REGISTRY[m].derivative)
                         for m in second_order_methods(methods)]


def reference_key(job: Job) -> tuple:
    """Which references a job's rows are scored against: the point's Jacobian or, second order, its Hessian."""
    key = (job.case, describe(job.params), job.precision)
    return key if job.derivative == "gradient" else (*key, "hessian")


def method_references(references, derivative: str):
    """The per-point references of a method job: for hvp rows H v along each point's direction."""
    if references is None or derivative != "hvp":
        return references
    return [hvp_reference(ref) for ref in references]


def tag_derivative(tables: dict, before: dict, derivative: str) -> None:
    """Set the `derivative` column of the results and fd_sweep rows added since `before` (where not set)."""
    for name in ("results", "fd_sweep"):
        for row in tables[name][before.get(name, 0):]:
            row.setdefault("derivative", derivative)


def run_methods(methods, order: int) -> tuple:
    """The methods a run of this order uses (what its workers preload)."""
    first = tuple(m for m in methods if not is_second_order(m))
    return first + (second_order_methods(methods) if order >= 2 else ())
