"""Complex step, f'(x) = Im f(x + ih) / h (Squire & Trapp 1998): no subtraction, so no round-off branch."""
import numpy as np

from diffbench.error_text import error_text
from diffbench.methods.base import Method, PointResult
from diffbench.methods.finite_diff import flat_function, sweep
from diffbench.precision import DEFAULT, PRECISIONS
from diffbench.timing import timed

RULE_STEP = 1e-20                # NB: any h with h^2 |f'''| << eps |f'| works; 1e-20 is the customary choice
PROBE_STEP = 1e-20


def complex_columns(g, x, directions, steps):
    """Im g(x + i h v) / h along each column of directions (None: the coordinates): an (m x k) array."""
    along = np.eye(x.size) if directions is None else directions
    steps = np.asarray(steps, dtype=x.real.dtype)     # NB: in x's type, so the imaginary step is exact in g
    return np.stack([np.imag(g(x + 1j * steps[i] * along[:, i])) / steps[i] for i in range(along.shape[1])],
                    axis=1)


def applicability(g_complex, x, rng) -> str | None:
    """Why the complex step does not apply at x, decided by trial, or None when it does.

    The float code is evaluated at x + i h v (v a seeded unit direction): it does not apply only when that
    raises or when the imaginary part is lost (abs, a comparison or a real-only function returns reals).
    Anything else is scored like any method: a code that is not analytic shows up in its digits.
    """
    direction = rng.standard_normal(x.size)
    direction /= np.linalg.norm(direction)
    try:
        value = g_complex(x + 1j * PROBE_STEP * direction)
    except (TypeError, ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
        return f"evaluating the float code at x + ih raised {error_text(error)}"
    if not np.iscomplexobj(value):
        return "evaluating the float code at x + ih lost the imaginary part (abs, a comparison or a real-only function)"
    return None


def run(case, params, points, rng, precision=DEFAULT):
    chosen = PRECISIONS[precision]
    results = []
    for inputs in points:
        g_complex, x = flat_function(case, params, inputs, dtype=chosen.complex)
        x = x.astype(chosen.real)
        reason = applicability(g_complex, x, rng)
        if reason:
            results.append(PointResult(status="not_applicable", message=reason))
            continue
        steps = (RULE_STEP * np.maximum(1.0, np.abs(x))).astype(chosen.real)
        estimate, seconds = timed(lambda: complex_columns(g_complex, x, None, steps))
        swept = sweep(g_complex, x, "complex_step", rng, steps=chosen.sweep_steps,
                      estimate=lambda g, x_, directions, s: complex_columns(g, x_, directions, s))
        extra = {"step_h": float(np.median(steps)), "n_func_evals": x.size, "sweep": swept}
        results.append(PointResult(np.asarray(estimate, dtype=np.float64), setup_time_s=0.0, eval_time_s=seconds, extra=extra,
                                   timings={"eval": seconds}))
    return results


COMPLEX_STEP = Method("complex_step", "numeric", "complex step Im f(x + ih)/h, h = 1e-20 max(1, |x|) "
                      "(complex evaluations)", run, follows_precision=True)
