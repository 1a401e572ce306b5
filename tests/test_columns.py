"""Tidy tables of real runs: typed parameter columns, no shadowing or empty columns, no empty tables, COLUMNS.md."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diffbench import records
from diffbench.api import load
from diffbench.case import load_case_file
from diffbench.methods import DEFAULT_METHODS
from diffbench.runner.catalog import case_files

ROOT = Path(__file__).resolve().parents[1]
DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))
# FD sweeps and the random-direction estimator (fd_evals), a kink (relu at 0), sympy swell over logistic's n,
# and a case with two parameters (cross_entropy: classes fixed, offset swept).
WIDE_CASES = "relu,logistic,cross_entropy_naive"
WIDE_METHODS = ",".join((*DEFAULT_METHODS, "fd_random"))


def _run(out: Path, *args) -> Path:
    done = subprocess.run([DIFFBENCH, "run", "--quick", "--out", str(out), *args], capture_output=True, text=True,
                          timeout=900, env=os.environ.copy())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (run_dir,) = out.iterdir()
    return run_dir


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory) -> Path:
    return _run(tmp_path_factory.mktemp("wide"), "--only", WIDE_CASES, "--methods", WIDE_METHODS, "--no-report")


@pytest.fixture(scope="module")
def narrow_run(tmp_path_factory) -> Path:
    """One method that writes neither FD table, with its report (which must cope with the absent tables)."""
    return _run(tmp_path_factory.mktemp("narrow"), "--only", "sigmoid", "--methods", "tape_reverse")


def _written(run_dir: Path) -> dict:
    """Table name -> the CSV as pandas reads it with no help (what a user gets from one read_csv)."""
    return {name: pd.read_csv(run_dir / f"{name}.csv") for name in records.TABLES
            if (run_dir / f"{name}.csv").exists()}


def _library_cases() -> dict:
    return {case.name: case for path in case_files(()) for case in load_case_file(path)}


def _label(param: str) -> dict:
    """The parameter label "classes=10, offset=1000" parsed into {name: int}."""
    return {} if param == "-" else {k: int(v) for k, v in (piece.split("=") for piece in param.split(", "))}


# --- COLUMNS.md -------------------------------------------------------------------------------------------------

def _documented() -> dict:
    """Section of COLUMNS.md ("results", "parameters", "shared", ...) -> {column: its table row's text}."""
    sections, current = {}, None
    for line in (ROOT / "COLUMNS.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## ((?:experiments/\w+/)?\w+)\.csv$", line)
        if heading:
            current = heading.group(1)
        elif line.startswith("## "):
            current = {"## Parameter columns": "parameters", "## Columns the tables share": "shared"}.get(line)
        cell = re.match(r"^\| `([^`]+)` \|", line)
        if cell and current:
            sections.setdefault(current, {})[cell.group(1)] = line
    return sections


def test_readme_links_columns_md():
    assert "(COLUMNS.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_written_column_of_every_table_is_documented(wide_run, narrow_run):
    documented = _documented()
    undocumented = [f"column {column!r} of {name}.csv (written by {run_dir.name})"
                    for run_dir in (wide_run, narrow_run) for name, table in _written(run_dir).items()
                    for column in table.columns
                    if column not in set(documented.get(name, {})) | set(documented["parameters"])]
    assert not undocumented, "COLUMNS.md does not document " + "; ".join(undocumented)


def test_columns_md_documents_only_columns_a_table_can_write():
    documented = _documented()
    assert set(documented) >= {*records.TABLES, "parameters", "shared"}
    library_parameters = {name for case in _library_cases().values() for value in case.sweep_values("full")
                          for name in case.params(value)}
    writable = {"parameters": library_parameters, "shared": {c for cs in records.TABLES.values() for c in cs},
                **records.TABLES}
    unwritable = [f"{section}: {column!r}" for section, columns in documented.items() if section in writable
                  for column, text in columns.items() if "(only " not in text and column not in writable[section]]
    assert not unwritable, "COLUMNS.md documents columns no table writes (mark them '(only ...)'): " + \
        "; ".join(unwritable)
    for name, columns in records.TABLES.items():   # and the whole schema, in the schema's order
        assert [c for c in documented[name] if c in columns] == list(columns), name


def test_every_experiment_table_is_documented_exactly(tmp_path):
    from diffbench.experiments.command import EXPERIMENTS
    done = subprocess.run([DIFFBENCH, "experiment", "all", "--quick", "--out", str(tmp_path)], capture_output=True,
                          text=True, timeout=900, env=os.environ.copy())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    documented = _documented()
    for name in EXPERIMENTS:
        (folder,) = (tmp_path / name).iterdir()
        for file in (name, "summary"):
            written = list(pd.read_csv(folder / f"{file}.csv").columns)
            section = documented.get(f"experiments/{name}/{file}", {})
            assert set(written) == set(section), (f"experiments/{name}/{file}.csv: undocumented "
                                                  f"{sorted(set(written) - set(section))}, documented but not "
                                                  f"written {sorted(set(section) - set(written))}")
            assert not set(written) & set(dir(pd.DataFrame)), (name, file)


# --- typed parameter columns ------------------------------------------------------------------------------------

def test_each_parameter_is_its_own_typed_column_beside_the_label(wide_run):
    loaded = load(wide_run).tables
    for name, table in _written(wide_run).items():
        labels = [_label(p) for p in table["param"]] if name != "swell_fits" else []
        names = {k for label in labels for k in label}
        if name != "swell_fits":
            assert names == {"n", "classes", "offset"}, name
            for column in names:     # the union over the run's cases; empty where a case lacks the parameter
                expected = [label.get(column) for label in labels]
                got = [None if pd.isna(v) else int(v) for v in table[column]]
                assert got == expected, (name, column)
                assert str(loaded[name][column].dtype) == "Int64", (name, column)
        columns = list(table.columns)
        after = columns[columns.index("param") + 1:]
        assert set(after[:len(names)]) == names, (name, columns)   # right beside the label
    results = loaded["results"]
    relu = results[results["case"] == "relu"]
    assert relu["n"].notna().all() and relu["classes"].isna().all() and relu["offset"].isna().all()
    entropy = results[results["case"] == "cross_entropy_naive"]
    assert set(entropy["classes"]) == {10} and set(entropy["offset"]) == {0, 1000} and entropy["n"].isna().all()


def test_sweep_value_holds_the_cases_declared_sweep(wide_run):
    cases = _library_cases()
    for name, table in _written(wide_run).items():
        if name == "swell_fits":
            continue
        assert "size" not in table.columns
        for case_name, rows in table.groupby("case"):
            swept = cases[case_name].sweep
            if swept is None:
                assert "sweep_value" not in rows or rows["sweep_value"].isna().all(), (name, case_name)
            else:
                assert (rows["sweep_value"] == rows[swept].astype(float)).all(), (name, case_name)
    entropy = load(wide_run).table.query("case == 'cross_entropy_naive'")
    assert set(entropy["sweep_value"]) == {0.0, 1000.0}        # its sweep is the offset, not a size


def test_no_column_is_named_like_a_dataframe_attribute(wide_run, narrow_run):
    attributes = set(dir(pd.DataFrame))
    assert {"size", "shape", "T", "values", "index", "columns", "dtypes"} <= attributes
    for run_dir in (wide_run, narrow_run):
        for name, table in _written(run_dir).items():
            assert not attributes & set(table.columns), (run_dir.name, name, attributes & set(table.columns))
            assert table.size == table.shape[0] * table.shape[1] and not table.size == 0
    for name, columns in records.TABLES.items():        # nor any column a table may write
        assert not attributes & set(columns), name


def test_no_written_column_is_empty_in_every_row(wide_run, narrow_run):
    for run_dir in (wide_run, narrow_run):
        for name, table in _written(run_dir).items():
            empty = [c for c in table.columns if table[c].isna().all()]
            assert not empty, (run_dir.name, name, empty)
    swell = _written(wide_run)["swell"]
    assert "status" not in swell.columns     # a run's swell rows leave status empty (= ok): the column is dropped
    assert set(load(wide_run).tables["swell"]["status"].isna()) == {True}   # ... and reads back as an empty string
    assert str(load(wide_run).tables["swell"]["status"].dtype) == "string"


# --- which tables are written -----------------------------------------------------------------------------------

def test_no_table_is_written_empty_and_meta_says_why(narrow_run):
    meta = json.loads((narrow_run / "meta.json").read_text())
    on_disk = {p.stem for p in narrow_run.glob("*.csv")}
    assert set(meta["tables_written"]) == on_disk == set(meta["table_rows"])
    assert set(meta["tables_not_written"]) == set(records.TABLES) - on_disk >= {"fd_sweep", "fd_evals"}
    assert meta["tables_not_written"]["fd_evals"] == "no fd_evals rows: the method fd_random did not run"
    assert meta["tables_not_written"]["fd_sweep"].startswith("no fd_sweep rows: none of fd_forward, fd_central")
    for name in on_disk:
        raw = pd.read_csv(narrow_run / f"{name}.csv")
        assert len(raw) == meta["table_rows"][name] > 0, name
    assert (narrow_run / "report.html").stat().st_size > 10_000      # the report copes with the absent tables
    assert records.check_run_folder(narrow_run)["run_id"] == narrow_run.name


def test_meta_counts_and_types_the_wide_runs_tables(wide_run):
    meta = json.loads((wide_run / "meta.json").read_text())
    one_precision = {"precision_ladder"}     # written only by a run of two precisions (tests/test_ladder_run.py)
    assert set(meta["tables_written"]) == set(records.TABLES) - one_precision
    assert set(meta["tables_not_written"]) == one_precision
    assert meta["parameter_columns"] == {"n": "Int64", "classes": "Int64", "offset": "Int64"}
    assert meta["table_rows"] == {name: len(t) for name, t in _written(wide_run).items()}
    kinks = load(wide_run).table.query("case == 'relu' and point == 0")
    assert kinks["kink"].all() and kinks["kink_verdict"].notna().any()     # the run did cover a kink


# --- the writer and reader, on rows made here -------------------------------------------------------------------

def _row(**extra) -> dict:
    return {"case": "c", "family": "f", "param": "-", "method": "tape_reverse", "point": 0, "status": "ok", **extra}


def test_integers_stay_integers_and_a_float_makes_the_column_float():
    df = records.frame("results", [_row(params={"n": 3, "scale": 0.5}), _row(params={"n": 4, "scale": 2})])
    assert str(df["n"].dtype) == "Int64" and list(df["n"]) == [3, 4]
    assert df["scale"].dtype == np.float64 and list(df["scale"]) == [0.5, 2.0]
    assert list(df.columns[:5]) == ["case", "family", "param", "n", "scale"]


def test_a_parameter_named_like_a_column_or_attribute_is_prefixed(tmp_path):
    df = records.frame("results", [_row(params={"size": 3, "T": 1.5, "method": 2, "depth": 1})])
    assert {"param_size", "param_T", "param_method", "depth"} <= set(df.columns)
    assert df["method"].iloc[0] == "tape_reverse" and df["param_method"].iloc[0] == 2
    records.write_table(tmp_path, "results", [_row(params={"size": 3})])
    records.write_meta(tmp_path, {"status": "complete"})
    back = records.read_table(tmp_path, "results")
    assert str(back["param_size"].dtype) == "Int64" and back["param_size"].iloc[0] == 3


def test_empty_columns_are_dropped_and_read_back_empty(tmp_path):
    records.write_table(tmp_path, "results", [_row(rel_error=1e-16, params={"n": 2}), _row(params={"n": 3})])
    header = (tmp_path / "results.csv").read_text().splitlines()[0].split(",")
    assert header == ["case", "family", "param", "n", "method", "point", "status", "rel_error"]
    records.write_meta(tmp_path, {"status": "complete"})
    back = records.read_table(tmp_path, "results")
    assert list(back.columns) == ["case", "family", "param", "n", *list(records.RESULTS_COLUMNS)[3:]]
    assert back["correct_digits"].isna().all() and back["correct_digits"].dtype == np.float64
    assert back["message"].isna().all() and str(back["message"].dtype) == "string"


def test_a_table_without_rows_is_not_written(tmp_path):
    skipped = records.write_tables(tmp_path, {"results": [_row()], "fd_evals": []},
                                   {"fd_evals": "no fd_evals rows: the method fd_random did not run"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv"]
    assert skipped["fd_evals"] == "no fd_evals rows: the method fd_random did not run"
    assert skipped["timing"] == "no timing rows"
    records.write_meta(tmp_path, {"status": "complete", "tables_not_written": skipped})
    meta = records.read_meta(tmp_path)
    assert meta["tables_written"] == ["results"] and meta["table_rows"] == {"results": 1}
    assert meta["tables_not_written"] == skipped
    assert records.read_table(tmp_path, "fd_evals").empty


def test_a_format_1_folder_reads_its_size_column_as_sweep_value(tmp_path):
    (tmp_path / "results.csv").write_text("case,family,param,size,method,point,status\n"
                                          "logistic,logistic,n=4,4.0,tape_reverse,0,ok\n")
    (tmp_path / "meta.json").write_text(json.dumps({"format_version": 1, "table_rows": {"results": 1}}))
    assert records.check_run_folder(tmp_path)["format_version"] == 1
    assert records.read_table(tmp_path, "results")["sweep_value"].tolist() == [4.0]


def test_a_column_nobody_wrote_is_still_refused(tmp_path):
    records.write_table(tmp_path, "results", [_row(params={"n": 2})])
    records.write_meta(tmp_path, {"status": "complete"})
    text = (tmp_path / "results.csv").read_text().splitlines()
    (tmp_path / "results.csv").write_text("\n".join([text[0] + ",colour", text[1] + ",red"]) + "\n")
    with pytest.raises(records.RunFolderError, match="unknown columns 'colour'"):
        records.read_table(tmp_path, "results")
