"""Job outputs joined with their references into the rows of every table, and which rows are failures."""
from __future__ import annotations

from diffbench import records
from diffbench.assemble import method_rows, status_rows
from diffbench.case import describe
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS
from diffbench.methods import METHODS
from diffbench.precision import DEFAULT
from diffbench.runner.config import Plan, RunConfig
from diffbench.runner.executor import Failure
from diffbench.ladder import ladder_rows
from diffbench.swell_fits import fit_rows

PRECISION_TABLES = ("results", "fd_sweep")     # the tables with a precision column


def assemble(plan_: Plan, results: list, config: RunConfig) -> tuple[dict, list]:
    """Rows of every table, and the list of unexpected failures: results are (job, JobOutput or Failure)."""
    tables = {name: [] for name in records.TABLES}
    failures = []
    references = {}
    by_point: dict = {}
    for job, result in results:
        if job.kind == "reference":
            key = (job.case, describe(job.params), job.precision)
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
        case, method = plan_.cases[job.case], METHODS[job.method]
        refs = references.get((job.case, describe(job.params), job.precision))
        rows = {name: [] for name in tables}
        if isinstance(result, Failure):
            status_rows(case, job.params, method.name, len(job.points), result.status, result.message, rows, refs)
        else:
            method_rows(case, job.params, method, result, refs, rows)
        add_precision_rows(tables, rows, job.precision)
    for case, planned in plan_.rejected:
        for precision in config.precisions:
            rows = {name: [] for name in tables}
            for method in config.methods:
                status_rows(case, planned.params, method, 0, planned.status, planned.message, rows)
            add_precision_rows(tables, rows, precision)
    tables["swell_fits"] = fit_rows(tables["swell"])
    if len(set(config.precisions)) > 1:
        tables["precision_ladder"] = ladder_rows(tables["results"])
    else:
        del tables["precision_ladder"]     # NB: written only by a run with more than one precision
    for row in tables["results"]:
        if is_failure(row):
            failures.append({k: row.get(k) for k in ("case", "param", "method", "point", "status", "message")})
    return tables, failures


def add_precision_rows(tables: dict, rows: dict, precision: str) -> None:
    """A job's rows into the tables: results and fd_sweep rows say their precision; the other tables (timing,
    swell, fd_evals) hold the float64 jobs only. NB: a derivative's cost and size are float64's story."""
    for name, found in rows.items():
        if name in PRECISION_TABLES:
            tables[name].extend({**row, "precision": precision} for row in found)
        elif precision == DEFAULT:
            tables[name].extend(found)


def is_failure(row: dict) -> bool:
    """Unexpected outcomes: errors, bad domains, and timeouts of methods that should not time out."""
    if row["status"] in ("failed", "domain_error"):
        return True
    return row["status"] == "timeout" and not METHODS[row["method"]].expected_timeout
