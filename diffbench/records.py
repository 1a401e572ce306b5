"""Tidy record tables of a run: column schemas, CSV reading/writing and the checks of a run folder."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

# Each table: column name -> pandas dtype. Units live in the names (_s = seconds).
RESULTS_COLUMNS = {
    "case": "string",            # case name, e.g. "logistic"
    "family": "string",          # case family (module), e.g. "logistic"
    "param": "string",           # parameter setting as text, e.g. "n=4" (each parameter also has its own column)
    "sweep_value": "float64",    # the value of the case's swept parameter (n, N, offset, ...), empty if none
    "method": "string",          # method name, e.g. "tape_reverse"
    "derivative": "string",      # gradient (first order: the Jacobian) | hessian (n x n) | hvp (H v along the
                                 # point's seeded unit direction, meta.json hvp_direction_scheme); run --order 2
    "point": "Int64",            # index of the evaluation point (0 = the case's canonical point)
    "status": "string",          # ok | failed | timeout | not_applicable | domain_error | skipped | inaccurate
    "message": "string",         # what happened, for anything but ok
    "n_inputs": "Int64",         # number of scalar inputs differentiated
    "n_outputs": "Int64",        # number of scalar outputs (1 = gradient)
    "rel_error": "float64",      # ||J - J_ref||_F / ||J_ref||_F
    "max_rel_error": "float64",  # max_i |J_i - ref_i| / max(|ref_i|, 1e-15 ||ref||_inf)
    "correct_digits": "float64", # -log10(rel_error), capped at 17
    "setup_time_s": "float64",   # one-off cost: symbolic derivation + lambdify, tape build, ...
    "eval_time_s": "float64",    # median time of one derivative evaluation
    "func_time_s": "float64",    # median time of one plain float64 function evaluation, same job
    "method_func_time_s": "float64",  # one evaluation of f the way the method evaluates it: lambdified sympy f
                                 # (sympy), torch f without gradients (torch), the float ops (tape, FD, ...)
    "cost_ratio": "float64",     # eval_time_s / method_func_time_s: the fair cost of a derivative, in f's
    "float_cost_ratio": "float64",  # eval_time_s / func_time_s: against the case's float-ops f
    "break_even_evals": "float64",  # setup_time_s / (time saved per evaluation against the fastest method
                                 # without setup at the point); inf where it never pays off, empty without setup
    "n_func_evals": "Int64",     # function evaluations per derivative (finite differences)
    "expr_nodes": "Int64",       # size of the derivative: expression tree nodes (sympy)
    "expr_ops": "Int64",         # operations of the derivative as a tree (counted as in diffbench/sizes.py)
    "expr_cse_ops": "Int64",     # operations after sympy cse (shared subexpressions counted once)
    "trace_length": "Int64",     # number of recorded operations on the tape
    "step_h": "float64",         # the step used by a finite-difference rule
    "best_h": "float64",         # the step with the smallest error in the sweep
    "best_error": "float64",     # relative error at best_h
    "opt_h": "float64",          # optimum of the error model C h^p + R / h^d fitted to the sweep (diffbench/fd_model.py)
    "opt_error": "float64",      # the model's relative error at opt_h
    "truncation_coef": "float64",  # C of the fitted model (relative error per h^p)
    "roundoff_coef": "float64",  # R of the fitted model (relative error times h^d)
    "theory_h": "float64",       # optimal step of the model a h^p |f^(p+d)| + b eps |f| / h^d (estimated derivatives)
    "error_estimate": "float64", # the method's own relative error estimate (Richardson, numdifftools, scipy)
    "f_digits": "float64",       # correct digits of the case's float64 value of f at the point (diffbench/floor.py)
    "f_finite": "boolean",       # whether the case's float64 value of f at the point is finite (not inf/NaN)
    "attainable_digits": "float64",  # digits float64 inputs allow the derivative there (its conditioning)
    "shortfall_digits": "float64",   # attainable_digits - max(correct_digits, 0), at least 0
    "limit": "string",           # conditioning | f not finite | cancellation | truncation | round-off | domain |
                                 # not finite
    "ref_digits": "float64",     # digits to which the two reference routes agree
    "ref_route1": "string",      # how the first reference route computed: arb (certified balls) | mpmath
    "ref_certified_digits": "float64",  # -log10 of route 1's relative radius (arb; empty for mpmath)
    "ref_route2": "string",      # how the second reference route checked ("componentwise", "directional k=3")
    "ref_flagged": "boolean",    # True when the routes agree to fewer than the required digits
    "kink": "boolean",           # the point is a kink: some one-sided derivatives differ (diffbench/kinks.py)
    "kink_verdict": "string",    # at a kink: one-sided derivative | valid subgradient | outside
    "kink_distance": "float64",  # at a kink: how far outside the one-sided limits, relative (0 = inside)
    "kink_entries": "Int64",     # at a kink: Jacobian entries (along the reference's directions) with no derivative
    "precision": "string",       # what the method computed in: float64 | float32 (--precision; inputs rounded to it)
}

FD_SWEEP_COLUMNS = {
    "case": "string", "family": "string", "param": "string", "sweep_value": "float64",
    "point": "Int64",
    "scheme": "string",          # forward | central | ... | hessian (central differences of the exact gradient)
    "derivative": "string",      # gradient | hessian: what the swept estimates approximate
    "direction": "string",       # "full" (every component) or "random k" (directional derivative)
    "h": "float64",              # step size (absolute, not scaled)
    "rel_error": "float64",      # relative error of the estimate at this h
    "abs_error": "float64",      # ||estimate - reference||_F at this h (the survey's Figure 3 plots this)
    "precision": "string",       # what the scheme computed in: float64 | float32
}

PRECISION_LADDER_COLUMNS = {     # written when a run has both float32 and float64 (diffbench/ladder.py)
    "case": "string", "family": "string", "param": "string", "point": "Int64", "method": "string",
    "u32": "float64", "u64": "float64",    # unit round-off of float32 (2^-24) and float64 (2^-53)
    "err32": "float64", "err64": "float64",  # best relative error in each precision
    "error_measure": "string",   # fitted optimum (FD schemes: opt_error of the sweep) | at its rule (the others)
    "slope": "float64",          # (log err32 - log err64) / (log u32 - log u64)
    "theory_slope": "float64",   # p/(p+1) for an FD scheme of order p, 1 for complex step, AD, symbolic
}

SWELL_COLUMNS = {
    "case": "string", "family": "string", "param": "string", "sweep_value": "float64",
    "representation": "string",  # function | function_dag | sympy_tree | sympy_cse | sympy_simplified | ad_sympy | tape_trace | ...
    "nodes": "Int64",            # tree nodes (or DAG nodes / trace entries); how they are counted: diffbench/sizes.py
    "ops": "Int64",              # operation count (diffbench/sizes.py)
    "status": "string",          # ok | timeout | failed | skipped (diffbench swell; empty = ok, from a run)
    "message": "string",         # what happened, for anything but ok
    "derive_time_s": "float64",  # from the case's function to this representation (tracing, diff, cse, ...)
    "lambdify_time_s": "float64",  # sympy.lambdify of the representation
    "eval_time_s": "float64",    # median time of one float64 evaluation of it at point 0
    "expression": "string",      # the expression as text (sympy str), when it is small
}

SWELL_FITS_COLUMNS = {
    "case": "string", "family": "string",
    "param": "string",           # the fitted parameter range as text, e.g. "n=6..12"
    "representation": "string",
    "measure": "string",         # nodes | ops
    "law": "string",             # constant | polynomial | exponential | too few sizes: by BIC (diffbench/growth.py)
    "rate": "float64",           # exponential model c n^k r^n: r, the growth factor per unit step
    "rate_se": "float64",        # its jackknife standard error
    "rate_r2": "float64",        # R² of that model (log space, weighted by size)
    "degree": "float64",         # polynomial model a + c (n + s)^d: the degree d
    "degree_se": "float64",      # its jackknife standard error
    "degree_r2": "float64",      # R² of that model
    "n_points": "Int64",         # sizes fitted (every measured size with at least 4 nodes)
    "size_from": "float64", "size_to": "float64",  # the fitted parameter range
}

TIMING_COLUMNS = {
    "case": "string", "family": "string", "param": "string", "sweep_value": "float64",
    "method": "string", "point": "Int64",
    "phase": "string",           # function | derive | lambdify | setup | eval
    "time_s": "float64",
}

FD_EVALS_COLUMNS = {
    "case": "string", "family": "string", "param": "string", "sweep_value": "float64",
    "point": "Int64",
    "estimator": "string",       # random_direction: n (f(x+hv) - f(x-hv)) / (2h) v averaged over samples
    "samples": "Int64",          # number of random directions averaged
    "n_func_evals": "Int64",     # function evaluations spent
    "rel_error": "float64",      # relative error of the estimate
    "expected_rel_error": "float64",  # theory: sqrt((n - 1) / samples)
}

RUN_FORMAT_VERSION = 2   # meta.json's format_version: what a run folder holds and how its tables read
# 2: `size` renamed `sweep_value`, one typed column per case parameter, no all-empty columns, no empty tables

TABLES = {
    "results": RESULTS_COLUMNS,
    "fd_sweep": FD_SWEEP_COLUMNS,
    "fd_evals": FD_EVALS_COLUMNS,
    "swell": SWELL_COLUMNS,
    "swell_fits": SWELL_FITS_COLUMNS,
    "timing": TIMING_COLUMNS,
    "precision_ladder": PRECISION_LADDER_COLUMNS,
}

_SCHEMA_COLUMNS = {column for columns in TABLES.values() for column in columns}

PARAMS = "params"            # a row's key holding its case parameters {name: value}; frame() spreads them out
RENAMED = {"size": "sweep_value"}   # format 1's column names -> today's
PARAMETER_PREFIX = "param_"  # a parameter named like a table column or a DataFrame attribute gets this prefix


def parameter_column(name: str) -> str:
    """The column of case parameter `name`: the name itself, unless a table column or a DataFrame attribute
    (size, T, values, ...) already has it, which would shadow it in pandas."""
    taken = name in _SCHEMA_COLUMNS or hasattr(pd.DataFrame, name) or name == PARAMS
    return PARAMETER_PREFIX + name if taken else name


def parameter_values(params: dict) -> dict:
    """{column: value} of a row's case parameters."""
    return {parameter_column(name): value for name, value in (params or {}).items()}


def _value_dtype(values: list) -> str:
    """The column dtype for a parameter's values: integers stay integers (Int64), any float makes float64."""
    present = [v for v in values if v is not None and not (isinstance(v, float) and v != v)]
    if present and all(isinstance(v, (bool, np.bool_)) for v in present):
        return "boolean"
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in present):
        return "Int64"
    if all(isinstance(v, (int, float, np.integer, np.floating)) for v in present):
        return "float64"
    return "string"


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows -> a DataFrame with the table's columns and dtypes, and after `param` one typed column per case
    parameter (the union over the rows, empty where a row's case lacks it)."""
    columns = TABLES[table]
    spread = [{**row, **parameter_values(row.get(PARAMS))} for row in rows]
    names = list(dict.fromkeys(column for row in rows for column in parameter_values(row.get(PARAMS))))
    dtypes = {name: _value_dtype([row.get(name) for row in spread]) for name in names}
    order = list(columns)
    at = order.index("param") + 1 if "param" in order else len(order)
    order[at:at] = names
    df = pd.DataFrame(spread, columns=order)
    return df.astype({**columns, **dtypes})


def _filled(column: pd.Series) -> bool:
    """Whether any cell of the column holds something (NaN, NA and "" are empty)."""
    present = column.notna()
    if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
        present &= column.astype(str).str.len() > 0
    return bool(present.any())


def write_frame(run_dir: Path, table: str, df: pd.DataFrame) -> Path | None:
    """The table's CSV without the columns empty in every row; nothing is written for a table with no rows
    (returns None). Readers get the dropped columns back, empty, from read_table."""
    if df.empty:
        return None
    path = Path(run_dir) / f"{table}.csv"
    df.loc[:, [c for c in df.columns if _filled(df[c])]].to_csv(path, index=False)
    return path


def write_table(run_dir: Path, table: str, rows: list[dict]) -> Path | None:
    return write_frame(run_dir, table, frame(table, rows))


def write_tables(run_dir: Path, tables: dict, reasons: dict | None = None) -> dict:
    """Write every table that has rows; -> {table: why it was not written} for the others (reasons[table],
    else "no rows"), for meta.json's tables_not_written."""
    skipped = {}
    for name in TABLES:
        if write_table(run_dir, name, tables.get(name, [])) is None:
            skipped[name] = (reasons or {}).get(name) or f"no {name} rows"
    return skipped


class RunFolderError(ValueError):
    """A folder that is not a readable run; the message is one line naming the file and the problem."""


def read_table(run_dir: Path, table: str, parameters: dict | None = None) -> pd.DataFrame:
    """The table with exactly its schema's columns, and after `param` the run's parameter columns it holds
    (empty when the run has no such file). parameters: {column: dtype}, by default meta.json's
    parameter_columns.

    Raises RunFolderError for a file that is not a whole CSV table of this schema: binary, empty, cut off
    mid-row, unknown columns, fields that do not parse or values that do not fit their column."""
    path = Path(run_dir) / f"{table}.csv"
    columns = TABLES[table]
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    df = _parse_csv(path, path.read_bytes()).rename(columns=RENAMED)
    known = parameter_dtypes(run_dir) if parameters is None else parameters
    unknown = [c for c in df.columns if c not in columns and c not in known]
    if unknown or "case" not in df:
        shown = ", ".join(map(repr, unknown[:3])) + (", ..." if len(unknown) > 3 else "")
        raise RunFolderError(f"{path}: not a {table} table (unknown columns {shown})" if unknown
                             else f"{path}: not a {table} table (no case column)")
    for column, dtype in columns.items():
        if column not in df:     # dropped at write time: empty in every row
            df[column] = pd.Series(index=df.index, dtype=dtype)
    held = [c for c in df.columns if c in known and c not in columns]
    for column, dtype in {**columns, **{c: known[c] for c in held}}.items():
        try:
            df[column] = df[column].astype(dtype)
        except (TypeError, ValueError) as error:
            raise RunFolderError(f"{path}: column {column} holds a value that is not {dtype}: "
                                 f"{_first_line(error)}") from None
    order = list(columns)
    order[order.index("param") + 1:order.index("param") + 1] = held
    return df[order]


def parameter_dtypes(run_dir: Path) -> dict:
    """meta.json's parameter_columns ({column: dtype}); {} for a folder without a readable one."""
    try:
        found = json.loads((Path(run_dir) / "meta.json").read_text(encoding="utf-8")).get("parameter_columns")
    except (OSError, ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}


def _written_parameters(run_dir: Path) -> dict:
    """{column: dtype} of the parameter columns in the folder's tables, typed from their text: integers
    (written without a point) are Int64, other numbers float64. NB: only for tables this process wrote."""
    found: dict = {}
    for name, columns in TABLES.items():
        path = Path(run_dir) / f"{name}.csv"
        if not path.exists():
            continue
        text = pd.read_csv(path, dtype=str, keep_default_na=False).rename(columns=RENAMED)
        for column in (c for c in text.columns if c not in columns):
            values = text[column][text[column] != ""]
            dtype = ("Int64" if values.str.fullmatch(r"-?\d+").all() else
                     "boolean" if values.isin(["True", "False"]).all() and len(values) else
                     "float64" if pd.to_numeric(values, errors="coerce").notna().all() else "string")
            earlier = found.get(column, dtype)
            found[column] = dtype if earlier == dtype else "float64" if {earlier, dtype} == {"Int64", "float64"} \
                else "string"
    return found


def _parse_csv(path: Path, data: bytes) -> pd.DataFrame:
    if b"\0" in data:
        raise RunFolderError(f"{path}: binary data, not a CSV table")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RunFolderError(f"{path}: not UTF-8 text (byte {error.start})") from None
    if not text.strip():
        raise RunFolderError(f"{path}: empty, not even a header row")
    if not text.endswith("\n"):
        raise RunFolderError(f"{path}: ends in the middle of a row (truncated)")
    try:
        return pd.read_csv(io.StringIO(text), keep_default_na=True, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise RunFolderError(f"{path}: cannot be parsed as CSV: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def table_rows(run_dir: Path, parameters: dict | None = None) -> dict:
    """Table name -> row count, for each table file the run folder holds."""
    return {name: len(read_table(run_dir, name, parameters)) for name in TABLES
            if (Path(run_dir) / f"{name}.csv").exists()}


def write_meta(run_dir: Path, meta: dict) -> Path:
    """meta.json, stamped with the run format, the row count of every table already written, the parameter
    columns they hold, and for each table not written why not (meta's tables_not_written, else a default).

    NB: the counts are read back from the tables in the folder, so write the tables first."""
    path = Path(run_dir) / "meta.json"
    parameters = _written_parameters(run_dir)
    counts = table_rows(run_dir, parameters)
    reasons = meta.get("tables_not_written") or {}
    default = "the run has not finished" if meta.get("status") == "running" else "no rows"
    stamped = {"format_version": RUN_FORMAT_VERSION, **meta, "table_rows": counts, "parameter_columns": parameters,
               "tables_written": list(counts),
               "tables_not_written": {name: reasons.get(name, default) for name in TABLES if name not in counts}}
    path.write_text(json.dumps(stamped, indent=2, default=str))
    return path


def read_meta(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "meta.json").read_text())


def check_run_folder(run_dir: Path, tables: dict | None = None) -> dict:
    """The run's meta, once the folder proves to be a run whose tables are whole; else RunFolderError.

    `tables`, when given, receives name -> read_table(run_dir, name) of every table file it checked, so a
    caller that goes on to read them (the report) parses each CSV once."""
    run_dir = Path(run_dir)
    meta_path = run_dir / "meta.json"
    if not meta_path.is_file():
        raise RunFolderError(f"{run_dir} is not a diffbench run folder (it has no meta.json)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise RunFolderError(f"{meta_path}: not valid JSON ({_first_line(error)})") from None
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if version is None:
        raise RunFolderError(f"{run_dir} is not a diffbench run folder (meta.json has no format_version)")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RunFolderError(f"{meta_path}: format_version {version!r} is not a run format")
    if version > RUN_FORMAT_VERSION:
        raise RunFolderError(f"{meta_path}: run format {version} is newer than this diffbench reads "
                             f"({RUN_FORMAT_VERSION}); upgrade diffbench")
    counts = meta.get("table_rows")
    if not isinstance(counts, dict):
        raise RunFolderError(f"{meta_path}: no table_rows (the row count of each table)")
    for name in TABLES:
        path, expected = run_dir / f"{name}.csv", counts.get(name)
        if not path.exists():
            if expected:
                raise RunFolderError(f"{path} is missing; meta.json records {expected} rows")
            continue
        if not isinstance(expected, int) or isinstance(expected, bool):
            raise RunFolderError(f"{path}: meta.json records no row count for it")
        table = read_table(run_dir, name)
        if tables is not None:
            tables[name] = table
        rows = len(table)
        if rows != expected:
            raise RunFolderError(f"{path} has {rows} rows; meta.json records {expected} (truncated or edited)")
    return meta
