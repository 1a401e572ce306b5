"""Job outputs -> tidy rows of the record tables (results, fd_sweep, fd_evals, swell, timing)."""
from __future__ import annotations

import numpy as np

from diffbench.case import describe
from diffbench.fd_model import fit_error_model
from diffbench.kinks import kink_score
from diffbench.methods.finite_diff import SCHEMES, vee_bottom
from diffbench.scoring import best_step, error_vs_reference, relative_error, score, sweep_errors
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS
from diffbench.verdict import judged


def base_row(case, params) -> dict:
    """The columns every row of a case x parameter setting shares; its parameters go to their own columns."""
    value = params.get(case.sweep) if case.sweep else None
    return {"case": case.name, "family": case.family, "param": describe(params),
            "sweep_value": float(value) if value is not None else float("nan"), "params": dict(params)}


def reference_columns(ref: dict | None) -> dict:
    if ref is None or "error" in ref:
        return {}
    return {"ref_digits": ref["digits"], "ref_route1": ref.get("route1", "mpmath"),
            "ref_certified_digits": ref.get("certified_digits", float("nan")), "ref_route2": ref["route2"],
            "ref_flagged": not ref["digits"] >= REFERENCE_AGREEMENT_DIGITS,   # NaN digits are flagged too
            "kink": bool(ref.get("kink", False)),
            "f_digits": ref.get("f_digits", float("nan")), "attainable_digits": ref.get("attainable_digits",
                                                                                        float("nan")),
            **({"f_finite": ref["f_finite"]} if "f_finite" in ref else {})}


def disputed_note(ref: dict) -> str:
    """What a row scored against a flagged reference says: its error is measured against a disputed value."""
    return (f"scored against a disputed reference: its routes agree to {ref['digits']:.1f} digits "
            f"(< {REFERENCE_AGREEMENT_DIGITS})")


def sweep_optimum(errors, scheme: str) -> dict:
    """opt_h from the error model fitted to the sweep (running-median bottom where no model fits)."""
    stencil = SCHEMES.get(scheme)
    model = fit_error_model(errors, stencil.order, stencil.derivative) if stencil else None
    if model is None:
        return {"opt_h": vee_bottom(errors)}
    return {"opt_h": model.opt_h, "opt_error": model.opt_error, "truncation_coef": model.truncation,
            "roundoff_coef": model.roundoff}


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
        extra = dict(result.extra)
        row.update(cost_columns(result.eval_time_s, func_time, extra.pop("own_func_time_s", func_time)))
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
                reason = output.nonfinite_reason   # the worker asked the case
                if not reason and ref is not None and ref.get("f_finite") is False:
                    # NB: still a failure (the case did not say to expect it), but the measured cause is named
                    message += "; the case's own float64 f is inf or NaN at this point (f_finite False)"
                row.update(status="inaccurate" if reason else "failed", limit="not finite",
                           message=f"{message} (expected: {reason})" if reason else message)
            elif ref is None or "error" in ref:
                row["message"] = "not scored: " + (ref["error"] if ref else "no reference")
            elif ref["hi"].shape != jacobian.shape:
                row.update(status="failed", message=f"wrong shape {jacobian.shape}, expected {ref['hi'].shape}")
            else:
                # At a kink no derivative exists: a verdict on the kink entries, errors over the others, and
                # no error-vs-h sweep (there is no limit for the differences to converge to).
                row.update(kink_score(jacobian, ref) if ref.get("kink") else score(jacobian, ref["hi"], ref["lo"]))
                if ref["digits"] < REFERENCE_AGREEMENT_DIGITS:
                    row["message"] = "; ".join(filter(None, (row["message"], disputed_note(ref))))
                if sweep is not None and not ref.get("kink"):
                    # NB: steps whose stencil left the domain (NaN) are dropped; the curve keeps the rest.
                    errors = [(h, e) for h, e in sweep_errors(sweep, ref["hi"], ref["lo"]) if np.isfinite(e)]
                    scheme = method.name.removeprefix("fd_")
                    row["best_h"], row["best_error"] = best_step(errors)
                    row.update(sweep_optimum(errors, scheme))
                    scale = sweep_scale(sweep, ref["hi"])
                    tables["fd_sweep"].extend({**base, "point": index, "scheme": scheme,
                                               "direction": sweep["direction"], "h": h, "rel_error": e,
                                               "abs_error": e * scale}
                                              for h, e in errors)
                row.update(judged(row, method.kind))
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


def cost_columns(eval_time: float, float_time: float, own_time: float) -> dict:
    """cost_ratio against f evaluated the way the method evaluates it; float_cost_ratio against the float ops."""
    def ratio(baseline):
        ok = np.isfinite(baseline) and baseline > 0 and np.isfinite(eval_time)
        return eval_time / baseline if ok else float("nan")
    return {"method_func_time_s": own_time, "cost_ratio": ratio(own_time), "float_cost_ratio": ratio(float_time)}


def sweep_scale(sweep: dict, hi) -> float:
    """||target||_F of a sweep: its absolute error is its relative error times this."""
    directions = sweep.get("directions")
    return float(np.linalg.norm(hi if directions is None else hi @ directions)) or 1.0


def status_rows(case, params, method_name, n_points, status, message, tables, references=None):
    """Rows for a job that produced nothing (timeout, crash, domain error)."""
    base = base_row(case, params)
    for index in range(max(1, n_points)):
        ref = references[index] if references and index < len(references) else None
        tables["results"].append({**base, "method": method_name, "point": index if n_points else None,
                                  "status": status, "message": message, **reference_columns(ref)})
