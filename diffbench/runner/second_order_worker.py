"""Inside a worker: a second-order job (reference Hessian of a point, or a second-order method at its points)."""
from __future__ import annotations

import numpy as np

from diffbench.case import point_rng
from diffbench.error_text import error_text
from diffbench.methods import METHODS
from diffbench.methods.base import PointResult
from diffbench.reference_hessian import reference_hessian
from diffbench.second_order import applies, hvp_direction, n_inputs
from diffbench.timing import function_times


def run_second_order(job, case, output):
    """Fill output (a worker JobOutput) for a second-order job: the reference Hessian of each point, or a
    second-order method's results, each HVP along its point's seeded direction."""
    reason = applies(case)
    if job.kind == "reference":
        for index, inputs in enumerate(job.points, start=job.first_point):
            try:
                if reason:
                    raise ValueError(reason)
                rng = point_rng(job.seed, case.name + "|reference|hessian", job.params, index)
                v = hvp_direction(job.seed, case.name, job.params, index, n_inputs(case, inputs))
                output.points.append(reference_hessian(case, job.params, inputs, v, rng, job.dps))
            except Exception as error:  # noqa: BLE001 - recorded, the run goes on
                output.points.append({"error": error_text(error)})
        return output
    method = METHODS[job.method]
    output.nonfinite_reason = case.nonfinite_reason(job.params)
    output.func_times.extend(function_times(case, job.points, job.params))
    if reason:
        output.points.extend(PointResult(status="not_applicable", message=reason) for _ in job.points)
        return output
    directions = [hvp_direction(job.seed, case.name, job.params, k, n_inputs(case, inputs))
                  for k, inputs in enumerate(job.points)]
    rng = point_rng(job.seed, case.name + "|" + job.method, job.params, 0)
    groups = [list(range(len(job.points)))] if method.shared_setup else [[k] for k in range(len(job.points))]
    for group in groups:
        try:
            with np.errstate(all="ignore"):
                output.points.extend(method.run(case, job.params, [job.points[k] for k in group],
                                                [directions[k] for k in group], rng))
        except Exception as error:  # noqa: BLE001 - recorded, the run goes on
            output.points.extend(PointResult(status="failed", message=error_text(error))
                                 for _ in group)
    return output
