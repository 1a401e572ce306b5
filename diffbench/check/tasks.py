"""The tasks a student solves: each ties a function of the solution template to a case and its checked points."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from diffbench.case import Case, describe, point_rng
from diffbench.casekit import spd


@dataclass(frozen=True)
class Task:
    function: str                  # the function's name in the student's file
    case: str                      # the case whose mpmath reference is the truth
    arguments: tuple[str, ...]     # the function's arguments, in order: the case's inputs and parameters
    sizes: tuple = (None,)         # values of the case's swept parameter that are checked
    points: int = 3                # seeded points per size
    # NB: replaces the case's inputs where its data would hide a mistake (a symmetric X hides X^-1 vs X^-T).
    make_inputs: Callable | None = None
    weight: float = 1.0            # points in a graded run (a course file may change them)
    # mistakes(**inputs) -> [(what went wrong, the answer that mistake gives, in the case's Jacobian layout)]:
    # the task's own named mistakes, tried besides the generic ones (sign, factor 2, transposes).
    mistakes: Callable | None = None


@dataclass(frozen=True)
class Point:
    params: dict
    index: int
    inputs: dict                   # name -> float64 array

    @property
    def label(self) -> str:
        where = describe(self.params)
        return f"point {self.index}" if where == "-" else f"{where}, point {self.index}"


def general_matrix(rng: np.random.Generator, n: int) -> np.ndarray:
    """A non-symmetric matrix with positive definite symmetric part (so det > 0): SPD plus a skew part."""
    skew = rng.standard_normal((n, n))
    return spd(rng, n, condition=10.0) + 0.5 * (skew - skew.T)


def tanh_layer(o, x, A):
    """f(x) = A tanh(x): a Jacobian A diag(1 - tanh^2 x) that is not symmetric, so its layout matters."""
    return o.matvec(A, o.tanh(x))


def quadratic_gradient_field(o, x, A, b):
    """∇f of f = <x, Ax> - bᵀx + c, written out: its Jacobian is the Hessian A + Aᵀ (reference by AD over mpmath)."""
    return o.matvec(A + o.transpose(A), x) - b


def log_quadratic_hvp_field(o, x, A, v):
    """<∇ ln<x, Ax>, v>: its gradient in x is the Hessian-vector product H v (H symmetric, f is C²)."""
    q = o.dot(x, o.matvec(A, x))
    return o.dot(o.matvec(A + o.transpose(A), x), v) / q


def hessian_quadratic_mistakes(x, A, b):
    return [("A instead of A + Aᵀ: the Hessian of <x, Ax> is A + Aᵀ for a non-symmetric A", A),
            ("2A instead of A + Aᵀ: 2A holds only for a symmetric A", 2 * A)]


def hvp_log_quadratic_mistakes(x, A, v):
    S = A + A.T
    q = x @ A @ x
    return [("only the first term S v / <x, Ax>: the derivative of 1 / <x, Ax> is missing", (S @ v / q)[None, :]),
            ("2A instead of A + Aᵀ: 2A holds only for a symmetric A",
             (2 * A @ v / q - (2 * A @ x) * ((2 * A @ x) @ v) / q ** 2)[None, :])]


# NB: checker-only cases (not in the case library, so `diffbench run` does not sweep them).
CHECK_CASES = (
    Case(name="tanh_layer", fn=tanh_layer, wrt=("x",), sweep="n", values=(2, 4),
         make_inputs=lambda rng, n: {"x": rng.uniform(-1.5, 1.5, n), "A": rng.standard_normal((n, n))},
         note=r"Find the Jacobian of $f(x) = A \tanh(x)$: $A\,\mathrm{diag}(1 - \tanh^2 x)$."),
    Case(name="quadratic_gradient_field", fn=quadratic_gradient_field, wrt=("x",), sweep="n", values=(2, 5),
         make_inputs=lambda rng, n: {"x": rng.standard_normal(n), "A": rng.standard_normal((n, n)),
                                     "b": rng.standard_normal(n)},
         note=r"The Hessian of $\langle x, Ax\rangle - b^Tx + c$ (the Jacobian of its gradient): $A + A^T$."),
    Case(name="log_quadratic_hvp_field", fn=log_quadratic_hvp_field, wrt=("x",), sweep="n", values=(2, 5),
         make_inputs=lambda rng, n: {"x": rng.standard_normal(n), "A": general_matrix(rng, n),
                                     "v": rng.standard_normal(n)},
         note=r"$\nabla^2 \ln\langle x, Ax\rangle\, v$ as the gradient of $\langle\nabla f, v\rangle$."),
)


TASKS = (
    Task("grad_logistic", "logistic", ("x", "n"), sizes=(1, 2, 4)),
    Task("grad_trace_example", "trace_example", ("x1", "x2")),
    Task("grad_log_quadratic", "log_quadratic", ("x", "A"), sizes=(2, 5)),
    Task("grad_logdet", "logdet", ("X",), sizes=(2, 4),
         make_inputs=lambda rng, n: {"X": general_matrix(rng, n)}),
    Task("grad_linear_minus_logdet", "linear_minus_logdet", ("X", "S"), sizes=(2, 4),
         make_inputs=lambda rng, n: {"X": general_matrix(rng, n), "S": spd(rng, n, condition=5.0)}),
    Task("grad_mds", "mds", ("W", "D"), sizes=(4, 7), weight=2.0),
    Task("jacobian_sigmoid", "sigmoid", ("z",)),
    Task("jacobian_softmax", "softmax", ("z",)),
    Task("grad_cross_entropy", "cross_entropy_stable", ("a", "onehot"), sizes=(0, 1000), points=2),
    Task("grad_sum_times_difference", "sum_times_difference", ("x", "y", "z")),
    Task("grad_log_sqrt", "log_sqrt_graph", ("w1", "w2")),
    Task("grad_quadratic", "quadratic", ("x", "A", "b", "c"), sizes=(2, 5), points=2),
    Task("grad_log_quadratic_general", "log_quadratic_general", ("x", "A"), sizes=(2, 5), points=2),
    Task("grad_neuron", "neuron", ("w", "b", "a", "y")),
    Task("grad_two_layer_tanh", "two_layer_tanh", ("W1", "b1", "W2", "b2", "X", "T"), points=2, weight=2.0),
    Task("jacobian_tanh_layer", "tanh_layer", ("x", "A"), sizes=(2, 4), weight=2.0),
    Task("hessian_quadratic", "quadratic_gradient_field", ("x", "A", "b"), sizes=(2, 5), points=2,
         mistakes=hessian_quadratic_mistakes),
    Task("hvp_log_quadratic", "log_quadratic_hvp_field", ("x", "A", "v"), sizes=(2, 5), points=2, weight=2.0,
         mistakes=hvp_log_quadratic_mistakes),
    Task("grad_feedforward_3_4_5_3_1", "feedforward_3_4_5_3_1", ("W1", "b1", "W2", "b2", "W3", "b3", "w4", "x"),
         points=2, weight=2.0),
)

TASKS_BY_FUNCTION = {task.function: task for task in TASKS}


def task_cases(library: dict) -> dict:
    """The case library plus the checker's own cases."""
    return {**library, **{case.name: case for case in CHECK_CASES}}


def task_points(task: Task, case: Case, seed: int) -> list[Point]:
    """The seeded points of a task: `points` per size, from the case's inputs or the task's own."""
    points = []
    for size in task.sizes:
        params = case.params(size)
        for index in range(task.points):
            if task.make_inputs is None:
                inputs = case.inputs(seed, params, index)
            else:
                rng = point_rng(seed, f"check|{task.function}", params, index)
                inputs = {k: np.asarray(v, dtype=np.float64) for k, v in task.make_inputs(rng, **params).items()}
            points.append(Point(params, index, inputs))
    return points


def call_arguments(task: Task, point: Point) -> tuple:
    """The positional arguments of the student's function at a point (inputs as arrays, parameters as given)."""
    values = {**point.params, **point.inputs}
    missing = [name for name in task.arguments if name not in values]
    if missing:
        raise ValueError(f"task {task.function}: case {task.case!r} has no input or parameter {', '.join(missing)}")
    return tuple(values[name] for name in task.arguments)
