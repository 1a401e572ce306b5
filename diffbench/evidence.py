"""evidence.jsonl: the inputs, 50-digit references and raw outputs of every point, and the tables rebuilt from it."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from diffbench import records
from diffbench.case import describe
from diffbench.ladder import ladder_rows
from diffbench.precision import DEFAULT

FILE = "evidence.jsonl"
PER_METHOD_TABLES = ("results", "fd_sweep", "timing")     # rows that belong to one method at one point
SHARED_TABLES = ("swell", "fd_evals")                    # rows kept per case x parameter
ORDER = "_row"                                           # a row's position in its table, restored on rebuild


def exact_floats(values) -> list:
    """A float64 array as a flat list of repr strings: repr round-trips float64 exactly (and writes nan, inf)."""
    return [repr(float(v)) for v in np.asarray(values, dtype=np.float64).reshape(-1)]


def _plain(value):
    """A table cell as JSON: numpy scalars to Python, missing values to None."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dict):           # a row's case parameters
        return {k: _plain(v) for k, v in value.items()}
    return value


def _row(row: dict) -> dict:
    return {k: _plain(v) for k, v in row.items()}


def _method_of(table: str, row: dict):
    if table == "fd_sweep":
        scheme = row["scheme"]
        return scheme if scheme in ("complex_step", "richardson") else f"fd_{scheme}"
    return row.get("method")


def evidence_lines(tables: dict, results: list) -> list[dict]:
    """One line per case x parameter x point (inputs, references, floor), one per method there (raw output
    and its table rows), and one per case x parameter for the rows no single method owns (swell, fd_evals)."""
    lines, method_lines = [], {}
    for job, output in results:
        if not hasattr(output, "points"):   # a failure record: the job left no output to keep
            continue
        param = describe(job.params)
        if job.kind == "reference" and getattr(job, "derivative", "gradient") != "gradient":
            lines.extend({"kind": "hessian_point", "case": job.case, "param": param, "point": index,
                          "hessian_ref": ref.get("hessian_ref"), "hvp_ref": ref.get("hvp_ref"),
                          "hvp_direction": ref.get("hvp_direction"), "ref_digits": _plain(ref.get("digits")),
                          "error": ref.get("error")}
                         for index, ref in enumerate(output.points, start=job.first_point))
            continue
        if job.kind == "reference":
            for index, (inputs, ref) in enumerate(zip(job.points, output.points), start=job.first_point):
                lines.append({
                    "kind": "point", "case": job.case, "param": param, "point": index,
                    "precision": getattr(job, "precision", DEFAULT),
                    "inputs": {k: {"shape": list(np.shape(v)), "values": exact_floats(v)} for k, v in inputs.items()},
                    "f_ref": ref.get("f_ref"), "jacobian_ref": ref.get("jacobian_ref"),
                    "jacobian_shape": ref.get("jacobian_shape"), "f_digits": _plain(ref.get("f_digits")),
                    "attainable_digits": _plain(ref.get("attainable_digits")), "ref_digits": _plain(ref.get("digits")),
                    "error": ref.get("error")})
            continue
        for index, point in enumerate(output.points):
            jacobian = point.jacobian
            precision = getattr(job, "precision", DEFAULT)
            method_lines[(job.case, param, job.method, index, precision)] = {
                "kind": "method", "case": job.case, "param": param, "point": index, "method": job.method,
                "precision": precision,
                "status": point.status, "output_shape": None if jacobian is None else list(np.shape(jacobian)),
                "output": None if jacobian is None else exact_floats(jacobian),
                "rows": {table: [] for table in PER_METHOD_TABLES}}
    shared: dict = {}
    for table in PER_METHOD_TABLES + SHARED_TABLES:
        for position, row in enumerate(tables.get(table, [])):
            point = row.get("point")
            key = (row["case"], row["param"], _method_of(table, row), None if point is None else int(point),
                   row.get("precision") or DEFAULT)
            owner = method_lines.get(key) if table in PER_METHOD_TABLES else None
            if owner is None:   # a job that ended without output, or a table shared by the methods
                owner = shared.setdefault((row["case"], row["param"]), {"kind": "rows", "case": row["case"],
                                                                        "param": row["param"], "rows": {}})
                owner["rows"].setdefault(table, [])
            owner["rows"][table].append({**_row(row), ORDER: position})
    return lines + list(method_lines.values()) + list(shared.values())


def write_evidence(run_dir: Path, tables: dict, results: list) -> Path:
    path = Path(run_dir) / FILE
    with path.open("w") as handle:
        for line in evidence_lines(tables, results):
            handle.write(json.dumps(line, allow_nan=True) + "\n")
    return path


def read_evidence(run_dir: Path) -> list[dict]:
    with (Path(run_dir) / FILE).open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


def tables_from_evidence(run_dir: Path) -> dict:
    """Every record table's rows as stored in evidence.jsonl (swell_fits refitted from the swell rows)."""
    from diffbench.swell_fits import fit_rows
    tables = {name: [] for name in records.TABLES}
    for line in read_evidence(run_dir):
        for table, rows in (line.get("rows") or {}).items():
            tables[table].extend(rows)
    for table, rows in tables.items():
        rows.sort(key=lambda r: r.get(ORDER, 0))
        for row in rows:
            row.pop(ORDER, None)
    tables["swell_fits"] = fit_rows(tables["swell"])
    tables["precision_ladder"] = ladder_rows(tables["results"])
    return tables


def restore_tables(run_dir: Path) -> list[str]:
    """Write the CSVs missing from a run folder from its evidence.jsonl (none missing, or no evidence: nothing)."""
    run_dir = Path(run_dir)
    unwritten = _unwritten(run_dir)   # tables the run left out on purpose (no rows) are not missing
    missing = [name for name in records.TABLES if not (run_dir / f"{name}.csv").exists() and name not in unwritten
               and (name != "precision_ladder" or _ladder_run(run_dir))]
    if not missing or not (run_dir / FILE).exists():
        return []
    tables = tables_from_evidence(run_dir)
    return [name for name in missing if records.write_table(run_dir, name, tables[name]) is not None]


def _unwritten(run_dir: Path) -> dict:
    try:
        return records.read_meta(run_dir).get("tables_not_written") or {}
    except (OSError, ValueError, AttributeError):
        return {}


def _ladder_run(run_dir: Path) -> bool:
    """Whether the run scored more than one precision (only such a run writes precision_ladder.csv)."""
    try:
        precisions = records.read_meta(run_dir).get("config", {}).get("precisions") or ()
    except (OSError, ValueError, AttributeError):
        return False
    return len(set(precisions)) > 1
