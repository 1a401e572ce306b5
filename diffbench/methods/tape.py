"""The in-house tape AD over float64: reverse mode (m vjps) and forward mode (n jvps)."""
from functools import partial

import numpy as np

from diffbench.ad import api
from diffbench.backends import FloatOps
from diffbench.methods.base import Method, PointResult
from diffbench.timing import timed


def run_mode(mode, case, params, points, rng):
    """Jacobians by the tape in `mode` (reverse or forward) at each point (Method.run)."""
    ops = FloatOps()
    results = []
    for inputs in points:
        xs, data = case.split(inputs)
        f = case.bind(data, params)
        if mode == "reverse":
            (jacobian, tape), seconds = timed(lambda: api.jacrev(f, ops, xs))
            extra = {"trace_length": tape.trace_length}
        else:
            jacobian, seconds = timed(lambda: api.jacfwd(f, ops, xs))
            extra = {}
        results.append(PointResult(np.asarray(jacobian, dtype=np.float64), setup_time_s=0.0,
                                   eval_time_s=seconds, extra=extra, timings={"eval": seconds}))
    return results


# NB: partial, not a closure made at import, so the code runs at call time (mutation testing switches it)
REVERSE = Method("tape_reverse", "ad", "in-house tape, reverse mode: one vjp per output",
                 partial(run_mode, "reverse"))
FORWARD = Method("tape_forward", "ad", "in-house dual numbers, forward mode: one jvp per input",
                 partial(run_mode, "forward"))
