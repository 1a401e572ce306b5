"""Judge one gradient at one point: shape, correct digits, the Taylor-remainder order and the likely mistake."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from diffbench.scoring import score

# NB: diffbench.ad, .backends and .methods load torch and sympy (seconds); they are imported where they are
# used, so `diffbench check --help`, `--template` and usage errors answer at once.

MIN_DIGITS = 8.0             # a gradient passes with at least this many correct digits at every point
MISTAKE_DIGITS = 6.0         # a gradient "is" a known mistake when it agrees with it to this many digits
TAYLOR_STEPS = tuple(10.0 ** -k for k in range(2, 8))   # h = 1e-2 .. 1e-7 along a unit direction
TAYLOR_FIT_POINTS = 4        # the order is the slope over the smallest steps (the asymptotic regime)
TAYLOR_ROUND_OFF = 1e-12     # remainders below this times h |g| are the float gradient's own rounding
TAYLOR_DPS = 40              # f is evaluated in mpmath, so round-off in f never masks the h^2 term
ORDER_CORRECT = 1.8          # observed order at or above: the remainder is O(h^2)
ORDER_WRONG = 1.2            # at or below: O(h), the gradient is wrong


class ShapeProblem(ValueError):
    """The returned gradient is not laid out like the differentiated inputs."""


@dataclass
class Verdict:
    """What the checker concludes at one point."""
    label: str
    digits: float = float("nan")        # correct digits against the reference
    order: float | None = None          # observed Taylor order (None: remainder at round-off, f linear along v)
    problem: str = ""                   # "" when the gradient is right at this point
    mistake: str = ""                   # the named mistake, when one matches

    @property
    def ok(self) -> bool:
        return not self.problem


def output_shape(case, params, inputs) -> tuple:
    from diffbench.backends import FloatOps
    return np.shape(case.call(FloatOps(), inputs, params))


LAYOUTS = ("rows", "columns")   # a Jacobian's outputs along its rows (m x n, diffbench) or columns (n x m)
LAYOUT_WORDS = {
    "rows": "the rows layout, J[i, j] = df_i/dx_j (m x n, one row per output)",
    "columns": "the columns layout, J = (df/dx)ᵀ, J[i, j] = df_j/dx_i (n x m, one column per output)",
}


def part_shapes(case, params, inputs, layout: str = "rows") -> list[tuple]:
    """Per differentiated input: the shape its part of the answer has (output and input shapes, in `layout`)."""
    out = output_shape(case, params, inputs)
    return [layout_shape(out, np.shape(inputs[name]), layout) for name in case.wrt]


def is_jacobian(out: tuple, shape: tuple) -> bool:
    """A vector function of a vector: the only answers the layout applies to."""
    return len(out) == 1 and len(shape) == 1


def layout_shape(out: tuple, shape: tuple, layout: str) -> tuple:
    return shape + out if layout == "columns" and is_jacobian(out, shape) else out + shape


def other_layout(layout: str) -> str:
    return "rows" if layout == "columns" else "columns"


def layout_mismatch(layout: str) -> str:
    return (f"layout mismatch: your Jacobian is in {LAYOUT_WORDS[other_layout(layout)]}; this course uses "
            f"{LAYOUT_WORDS[layout]} (transpose it, or check with --jacobian-layout {other_layout(layout)})")


def expected_layout(case, params, inputs, layout: str = "rows") -> str:
    shapes = part_shapes(case, params, inputs, layout)
    if len(shapes) == 1:
        return f"an array of shape {shapes[0]} (like {case.wrt[0]})" if shapes[0] else "a number"
    parts = ", ".join(f"d/d{name}: {shape or 'a number'}" for name, shape in zip(case.wrt, shapes))
    return f"a tuple ({parts})"


def as_jacobian(answer, case, params, inputs, layout: str = "rows") -> np.ndarray:
    """The answer in the reference's layout (outputs x flattened inputs); ShapeProblem if laid out wrongly."""
    out = output_shape(case, params, inputs)
    shapes = part_shapes(case, params, inputs, layout)
    m = int(np.prod(out, dtype=int))
    if len(shapes) == 1:
        parts = [answer]
    elif isinstance(answer, (tuple, list)) and len(answer) == len(shapes):
        parts = list(answer)
    else:
        raise ShapeProblem(f"wrong shape: expected {expected_layout(case, params, inputs, layout)}, "
                           f"got {describe_value(answer)}")
    flat = []
    for name, part, shape in zip(case.wrt, parts, shapes):
        try:
            array = np.asarray(part, dtype=np.float64)
        except (TypeError, ValueError):
            raise ShapeProblem(f"wrong shape: the part for {name} is {describe_value(part)}, "
                               f"expected shape {shape}") from None
        jacobian_part = is_jacobian(out, np.shape(inputs[name]))
        if array.shape != shape:
            if jacobian_part and array.shape == shape[::-1]:
                raise ShapeProblem(f"{layout_mismatch(layout)}: d/d{name} has shape {array.shape}, expected {shape}")
            hint = " (transposed?)" if array.shape == shape[::-1] and len(shape) == 2 else ""
            raise ShapeProblem(f"wrong shape: d/d{name} has shape {array.shape}, expected {shape}{hint}")
        flat.append((array.T if layout == "columns" and jacobian_part else array).reshape(m, -1))
    return np.hstack(flat)


def describe_value(value) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    shape = np.shape(value)
    return f"an array of shape {shape}" if shape else f"a {type(value).__name__}"


def digits_of(jacobian, reference: dict) -> float:
    if not np.all(np.isfinite(jacobian)):
        return float("nan")
    return score(jacobian, reference["hi"], reference["lo"])["correct_digits"]


def candidate_mistakes(case, params, inputs, truth: np.ndarray,
                       layout: str = "rows") -> list[tuple[str, np.ndarray]]:
    """(what went wrong, the gradient that mistake gives) for the mistakes we can name."""
    candidates = [
        ("sign error: your gradient is minus the true one", -truth),
        ("missing factor 2: your gradient is half the true one", truth / 2),
        ("extra factor 2: your gradient is twice the true one", 2 * truth),
    ]
    xs, data = case.split(inputs)
    for name, value in data.items():
        if is_square_nonsymmetric(value):
            from diffbench.ad import api
            from diffbench.backends import FloatOps
            swapped = api.jacrev(case.bind({**data, name: value.T}, params), FloatOps(), xs)[0]
            candidates.append((f"transposed matrix: you used {name}ᵀ where {name} belongs", swapped))
    m, offset = truth.shape[0], 0
    for name, x in zip(case.wrt, xs):
        size = np.size(x)
        if m == 1 and is_square_nonsymmetric(truth[0, offset:offset + size].reshape(np.shape(x))):
            flipped = truth.copy()
            flipped[0, offset:offset + size] = truth[0, offset:offset + size].reshape(np.shape(x)).T.reshape(-1)
            candidates.append((f"transposed gradient: you returned (∇_{name} f)ᵀ, e.g. {name}⁻¹ where "
                               f"{name}⁻ᵀ belongs", flipped))
        if m > 1 and np.ndim(x) == 1 and size == m and is_square_nonsymmetric(truth[:, offset:offset + size]):
            flipped = truth.copy()
            flipped[:, offset:offset + size] = truth[:, offset:offset + size].T
            candidates.append((layout_mismatch(layout), flipped))
        offset += size
    return candidates


def is_square_nonsymmetric(value) -> bool:
    value = np.asarray(value)
    return value.ndim == 2 and value.shape[0] == value.shape[1] > 1 and not np.allclose(value, value.T)


def name_mistake(case, params, inputs, jacobian: np.ndarray, truth: np.ndarray, layout: str = "rows",
                 extra_mistakes=()) -> str:
    """The first named mistake the answer matches (to MISTAKE_DIGITS): the task's own, then the generic ones."""
    if not np.all(np.isfinite(jacobian)):
        return "your gradient has NaN or inf entries"
    if not np.any(jacobian) and np.any(truth):
        return "your gradient is zero"
    candidates = [(name, np.asarray(wrong, dtype=np.float64).reshape(truth.shape)) for name, wrong in extra_mistakes]
    for mistake, wrong in candidates + candidate_mistakes(case, params, inputs, truth, layout):
        scale = np.linalg.norm(wrong)
        if scale > 0 and np.linalg.norm(jacobian - wrong) <= 10 ** -MISTAKE_DIGITS * scale:
            return mistake
    return ""


def taylor_remainders(case, params, inputs, jacobian: np.ndarray, direction: np.ndarray,
                      steps=TAYLOR_STEPS, dps: int = TAYLOR_DPS) -> list[tuple[float, float]]:
    """(h, |f(x + h v) - f(x) - h J v|) with f in mpmath: O(h^2) for a correct J, O(h) for a wrong one."""
    from diffbench.backends import MpOps
    from diffbench.methods.base import unflatten
    mp = MpOps(dps)
    xs, data = case.split(inputs)
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    x_flat = mp.asarray(np.concatenate([np.asarray(x, dtype=np.float64).reshape(-1) for x in xs]))
    v = mp.asarray(direction)
    jv = mp.asarray(np.asarray(jacobian, dtype=np.float64) @ direction)

    def values(point):
        return np.asarray(f(mp, *unflatten(point, xs)), dtype=object).reshape(-1)

    f0 = values(x_flat)
    remainders = []
    for h in steps:
        step = mp.ctx.mpf(h)
        residual = values(x_flat + step * v) - f0 - step * jv
        remainders.append((h, float(mp.ctx.sqrt(mp.ctx.fsum(abs(r) ** 2 for r in residual)))))
    return remainders


def observed_order(remainders: list[tuple[float, float]], gradient_norm: float) -> float | None:
    """Slope of log remainder vs log h over the smallest steps above round-off; None if all are at round-off."""
    above = sorted((h, r) for h, r in remainders if r > TAYLOR_ROUND_OFF * h * max(gradient_norm, 1e-300))
    fit = above[:TAYLOR_FIT_POINTS]
    if len(fit) < 2:
        return None
    return float(np.polyfit(np.log10([h for h, _ in fit]), np.log10([r for _, r in fit]), 1)[0])


def order_words(order: float | None) -> str:
    """The Taylor verdict in plain words."""
    if order is None:
        return "remainder at round-off for every h (f is linear along v): consistent"
    if order >= ORDER_CORRECT:
        return f"remainder ~ h^{order:.2f} ≈ h²: consistent with f"
    if order <= ORDER_WRONG:
        return f"remainder ~ h^{order:.2f} ≈ h, not h²: the gradient is wrong"
    return f"remainder ~ h^{order:.2f}, between h and h²: the gradient is slightly off"


def taylor_direction(rng: np.random.Generator, size: int) -> np.ndarray:
    v = rng.standard_normal(size)
    return v / np.linalg.norm(v)


def judge(case, params, inputs, answer, reference: dict, rng: np.random.Generator, label: str,
          min_digits: float = MIN_DIGITS, layout: str = "rows", extra_mistakes=()) -> Verdict:
    """Everything the checker says about one answer at one point."""
    verdict = Verdict(label)
    try:
        jacobian = as_jacobian(answer, case, params, inputs, layout)
    except ShapeProblem as problem:
        verdict.problem = verdict.mistake = str(problem)
        return verdict
    verdict.digits = digits_of(jacobian, reference)
    if np.all(np.isfinite(jacobian)):
        remainders = taylor_remainders(case, params, inputs, jacobian,
                                       taylor_direction(rng, jacobian.shape[1]))
        verdict.order = observed_order(remainders, float(np.linalg.norm(jacobian)))
    wrong_order = verdict.order is not None and verdict.order < ORDER_CORRECT
    if math.isnan(verdict.digits) or verdict.digits < min_digits or wrong_order:
        verdict.mistake = name_mistake(case, params, inputs, jacobian, reference["hi"], layout, extra_mistakes)
        digits = "no" if math.isnan(verdict.digits) else f"{verdict.digits:.1f}"
        verdict.problem = verdict.mistake or f"wrong gradient ({digits} correct digits, expected {min_digits:g})"
    return verdict
