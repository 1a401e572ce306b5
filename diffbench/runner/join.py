"""Job outputs joined with their references into the rows of every table, and which rows are failures."""
from __future__ import annotations

from diffbench import records
from diffbench.assemble import method_rows, status_rows
from diffbench.case import describe
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS
from diffbench.methods import described, expects_timeout
from diffbench.runner.config import Plan, RunConfig
from diffbench.runner.executor import Failure
from diffbench.swell_fits import fit_rows


def assemble(plan_: Plan, results: list, config: RunConfig) -> tuple[dict, list]:
    """Rows of every table, and the list of unexpected failures: results are (job, JobOutput or Failure)."""
    tables = {name: [] for name in records.TABLES}
    failures = []
    references = {}
    by_point: dict = {}
    for job, result in results:
        if job.kind == "reference":
            key = (job.case, describe(job.params))
            if isinstance(result, Failure):
                found = [{"error": f"reference {result.status}: {result.message}"}] * len(job.points)
            else:
                found = result.points
            for index, ref in enumerate(found, start=job.first_point):
                by_point.setdefault(key, {})[index] = ref
                if "error" in ref:
                    failures.append({"case": job.case, "param": describe(job.params), "method": "reference",
                                     "point": index, "status": "failed", "message": ref["error"]})
                elif ref["digits"] < REFERENCE_AGREEMENT_DIGITS:   # a wrong rule, or a case route 2 cannot follow
                    failures.append({"case": job.case, "param": describe(job.params), "method": "reference",
                                     "point": index, "status": "disputed",
                                     "message": f"reference routes agree to {ref['digits']:.1f} digits "
                                                f"(< {REFERENCE_AGREEMENT_DIGITS}): disputed"})
    for key, points in by_point.items():
        references[key] = [points.get(k, {"error": "reference missing"}) for k in range(max(points) + 1)]
    for job, result in results:
        if job.kind != "method":
            continue
        case, method = plan_.cases[job.case], described(job.method)
        refs = references.get((job.case, describe(job.params)))
        if isinstance(result, Failure):
            status_rows(case, job.params, method.name, len(job.points), result.status, result.message, tables, refs)
        else:
            method_rows(case, job.params, method, result, refs, tables)
    for case, planned in plan_.rejected:
        for method in config.methods:
            status_rows(case, planned.params, method, 0, planned.status, planned.message, tables)
    tables["swell_fits"] = fit_rows(tables["swell"])
    for row in tables["results"]:
        if is_failure(row):
            failures.append({k: row.get(k) for k in ("case", "param", "method", "point", "status", "message")})
    return tables, failures


def is_failure(row: dict) -> bool:
    """Unexpected outcomes: errors, bad domains, and timeouts of methods that should not time out."""
    if row["status"] in ("failed", "domain_error"):
        return True
    return row["status"] == "timeout" and not expects_timeout(row["method"])
