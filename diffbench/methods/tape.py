"""The in-house tape AD over float64: reverse mode (m vjps) and forward mode (n jvps)."""
from functools import partial

import numpy as np

from diffbench.ad import api
from diffbench.backends import FloatOps
from diffbench.methods.base import Method, PointResult
from diffbench.precision import DEFAULT, PRECISIONS, as_floating
from diffbench.timing import timed


def run_mode(mode, case, params, points, rng, precision=DEFAULT):
    """Jacobians by the tape in `mode` (reverse or forward) at each point, in `precision` (Method.run)."""
    real = PRECISIONS[precision].real
    ops = FloatOps(real)
    results = []
    for inputs in points:
        xs, data = case.split({k: as_floating(v, real) for k, v in inputs.items()})
        f = case.bind(data, params)
        if mode == "reverse":
            (jacobian, tape), seconds = timed(lambda: api.jacrev(f, ops, xs))
            extra = {"trace_length": tape.trace_length}
        else:
            jacobian, seconds = timed(lambda: api.jacfwd(f, ops, xs))
            extra = {}
        wider = np.asarray(jacobian).dtype
        message = (f"computed partly in {wider}, not only in {precision} (the case code or a rule "
                   f"widened the type)" if wider != real else "")
        results.append(PointResult(np.asarray(jacobian, dtype=np.float64), message=message, setup_time_s=0.0,
                                   eval_time_s=seconds, extra=extra, timings={"eval": seconds}))
    return results


# NB: partial, not a closure made at import, so the code runs at call time (mutation testing switches it)
REVERSE = Method("tape_reverse", "ad", "in-house tape, reverse mode: one vjp per output",
                 partial(run_mode, "reverse"), follows_precision=True)
FORWARD = Method("tape_forward", "ad", "in-house dual numbers, forward mode: one jvp per input",
                 partial(run_mode, "forward"), follows_precision=True)
