"""Job outputs -> tidy rows of the record tables (results, fd_sweep, fd_evals, swell, timing)."""
from __future__ import annotations

import numpy as np

from diffbench.case import describe
from diffbench.kinks import kink_score
from diffbench.methods.finite_diff import vee_bottom
from diffbench.scoring import best_step, error_vs_reference, relative_error, score, sweep_errors
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS


def base_row(case, params) -> dict:
    size = params.get(case.sweep) if case.sweep else None
    return {"case": case.name, "family": case.family, "param": describe(params),
            "size": float(size) if size is not None else float("nan")}


def reference_columns(ref: dict | None) -> dict:
    if ref is None or "error" in ref:
        return {}
    return {"ref_digits": ref["digits"], "ref_route2": ref["route2"],
            "ref_flagged": bool(ref["digits"] < REFERENCE_AGREEMENT_DIGITS), "kink": bool(ref.get("kink", False))}


def method_rows(case, params, method, output, references, tables):
    """Append the rows of one method job to tables (dict of row lists)."""
    base = base_row(case, params)
    for index, result in enumerate(output.points):
        ref = references[index] if references and index < len(references) else None
        row = {**base, "method": method.name, "point": index, "status": result.status,
               "message": result.message, "setup_time_s": result.setup_time_s, "eval_time_s": result.eval_time_s,
               **reference_columns(ref)}
        func_time = output.func_times[index] if index < len(output.func_times) else float("nan")
        row["func_time_s"] = func_time
        if np.isfinite(func_time) and func_time > 0 and np.isfinite(result.eval_time_s):
            row["cost_ratio"] = result.eval_time_s / func_time
        extra = dict(result.extra)
        sweep = extra.pop("sweep", None)
        curve = extra.pop("evals_curve", None)    # error vs evaluations (random-direction estimator)
        row.update(extra)
        jacobian = result.jacobian
        if result.status == "ok" and jacobian is not None:
            row["n_outputs"], row["n_inputs"] = jacobian.shape
            if not np.all(np.isfinite(jacobian)):
                bad = int(np.size(jacobian) - np.isfinite(jacobian).sum())
                message = f"returned NaN/inf in {bad} of {jacobian.size} entries"
                # Where the case says its float form overflows (naive cross-entropy at logits ~1000), NaN/inf
                # is that form's measured inaccuracy, not a crash: status "inaccurate" is no run failure.
                reason = case.nonfinite_reason(params)
                row.update(status="inaccurate" if reason else "failed",
                           message=f"{message} (expected: {reason})" if reason else message)
            elif ref is None or "error" in ref:
                row["message"] = "not scored: " + (ref["error"] if ref else "no reference")
            elif ref["hi"].shape != jacobian.shape:
                row.update(status="failed", message=f"wrong shape {jacobian.shape}, expected {ref['hi'].shape}")
            elif ref.get("kink"):
                # No derivative exists here: a verdict on the kink entries, errors over the others, and no
                # error-vs-h sweep (there is no limit for the differences to converge to).
                row.update(kink_score(jacobian, ref))
            else:
                row.update(score(jacobian, ref["hi"], ref["lo"]))
                if sweep is not None:
                    errors = sweep_errors(sweep, ref["hi"], ref["lo"])
                    row["best_h"], row["best_error"] = best_step(errors)
                    row["opt_h"] = vee_bottom(errors)
                    scheme = method.name.removeprefix("fd_")
                    tables["fd_sweep"].extend({**base, "point": index, "scheme": scheme,
                                               "direction": sweep["direction"], "h": h, "rel_error": e}
                                              for h, e in errors)
                if curve is not None:
                    tables["fd_evals"].extend(
                        {**base, "point": index, "estimator": curve["estimator"], "samples": k, "n_func_evals": n,
                         "rel_error": relative_error(error_vs_reference(estimate, ref["hi"], ref["lo"]), ref["hi"]),
                         "expected_rel_error": expected}
                        for k, n, estimate, expected in zip(curve["samples"], curve["n_func_evals"],
                                                            curve["estimates"], curve["expected_rel_error"]))
        tables["results"].append(row)
        tables["timing"].append({**base, "method": method.name, "point": index, "phase": "function",
                                 "time_s": func_time})
        tables["timing"].extend({**base, "method": method.name, "point": index, "phase": phase, "time_s": t}
                                for phase, t in result.timings.items())
        if index == 0:
            tables["swell"].extend({**base, **entry} for entry in result.swell)
            if "trace_length" in extra and result.status == "ok":
                tables["swell"].append({**base, "representation": "tape_trace", "nodes": extra["trace_length"],
                                        "ops": extra["trace_length"]})


def status_rows(case, params, method_name, n_points, status, message, tables, references=None):
    """Rows for a job that produced nothing (timeout, crash, domain error)."""
    base = base_row(case, params)
    for index in range(max(1, n_points)):
        ref = references[index] if references and index < len(references) else None
        tables["results"].append({**base, "method": method_name, "point": index if n_points else None,
                                  "status": status, "message": message, **reference_columns(ref)})
