"""Job outputs joined with their references into the rows of every table, which rows are failures, and why a
table has no rows."""
from __future__ import annotations

from diffbench import records
from diffbench.assemble import method_rows, status_rows
from diffbench.case import describe
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS
from diffbench.methods import described, expects_timeout
from diffbench.precision import DEFAULT
from diffbench.runner.config import Plan, RunConfig
from diffbench.runner.executor import Failure
from diffbench.ladder import ladder_rows
from diffbench.runner.second_order_jobs import method_references, reference_key, tag_derivative
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
            key = reference_key(job)
            who = "reference" if job.derivative == "gradient" else f"reference ({job.derivative})"
            who += f" {job.precision}" if job.precision != DEFAULT else ""
            if isinstance(result, Failure):
                found = [{"error": f"reference {result.status}: {result.message}"}] * len(job.points)
            else:
                found = result.points
            for index, ref in enumerate(found, start=job.first_point):
                by_point.setdefault(key, {})[index] = ref
                if "error" in ref:
                    failures.append({"case": job.case, "param": describe(job.params), "method": who,
                                     "point": index, "status": "failed", "message": ref["error"]})
                elif ref["digits"] < REFERENCE_AGREEMENT_DIGITS:   # a wrong rule, or a case route 2 cannot follow
                    failures.append({"case": job.case, "param": describe(job.params), "method": who,
                                     "point": index, "status": "disputed",
                                     "message": f"reference routes agree to {ref['digits']:.1f} digits "
                                                f"(< {REFERENCE_AGREEMENT_DIGITS}): disputed"})
    for key, points in by_point.items():
        references[key] = [points.get(k, {"error": "reference missing"}) for k in range(max(points) + 1)]
    for job, result in results:
        if job.kind != "method":
            continue
        case, method = plan_.cases[job.case], described(job.method)
        refs = method_references(references.get(reference_key(job)), job.derivative)
        rows = {name: [] for name in tables}
        if isinstance(result, Failure):
            status_rows(case, job.params, method.name, len(job.points), result.status, result.message, rows, refs)
        else:
            method_rows(case, job.params, method, result, refs, rows)
        tag_derivative(rows, {}, job.derivative)
        add_precision_rows(tables, rows, job.precision)
    for case, planned in plan_.rejected:
        for precision in config.precisions:
            rows = {name: [] for name in tables}
            for method in config.methods:
                status_rows(case, planned.params, method, 0, planned.status, planned.message, rows)
            add_precision_rows(tables, rows, precision)
    tag_derivative(tables, {name: 0 for name in tables}, "gradient")
    tables["swell_fits"] = fit_rows(tables["swell"])
    # NB: written only by a run with more than one precision; otherwise empty_table_reasons says so
    tables["precision_ladder"] = ladder_rows(tables["results"]) if len(set(config.precisions)) > 1 else []
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
    return row["status"] == "timeout" and not expects_timeout(row["method"])


# The methods whose jobs write a table's rows besides results and timing (see diffbench/assemble.py).
TABLE_METHODS = {
    "fd_sweep": ("fd_forward", "fd_central", "fd_backward", "fd_central4", "complex_step"),   # error vs h
    "fd_evals": ("fd_random",),                               # error vs function evaluations
    "swell": ("sympy", "tape_reverse", "tape_forward"),       # derivative sizes (sympy tree/cse, tape trace)
}


def empty_table_reasons(tables: dict, config: RunConfig) -> dict:
    """{table: why it has no rows} for each table without rows, in meta.json's tables_not_written words."""
    reasons = {}
    for name in records.TABLES:
        if tables.get(name):
            continue
        if name == "precision_ladder" and len(set(config.precisions)) < 2:
            reasons[name] = "no precision_ladder rows: the run scored one precision (--precision float32,float64 " \
                            "writes it)"
            continue
        if name == "swell_fits":
            reasons[name] = ("no swell_fits rows: no swell rows to fit" if not tables.get("swell") else
                             "no swell_fits rows: no representation was measured with enough nodes to fit")
            continue
        writers = TABLE_METHODS.get(name)
        if writers is None:
            reasons[name] = f"no {name} rows: no method job finished"
            continue
        ran = [m for m in writers if m in config.methods]
        shown = ", ".join(writers)
        reasons[name] = (f"no {name} rows: {'the method' if len(writers) == 1 else 'none of'} {shown} "
                         f"{'did not run' if len(writers) == 1 else 'ran'}" if not ran else
                         f"no {name} rows: {', '.join(ran)} ran but scored no point (failed, timed out or at kinks)")
    return reasons
