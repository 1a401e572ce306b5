"""A stored run loaded for reporting: its four record tables, its meta and per-setting cells."""
from __future__ import annotations

import json
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from diffbench.evidence import restore_tables
from diffbench.records import TABLES, read_meta, read_table
from diffbench.report import aggregate


@dataclass
class Run:
    path: Path
    meta: dict
    tables: dict[str, pd.DataFrame] = field(repr=False)
    executor: Executor | None = field(default=None, repr=False)   # draws figures in parallel when given

    def draw(self, fn, *args) -> Future:
        """fn(*args) -> SVG text, in the executor when there is one; the page resolves it before rendering."""
        if self.executor is not None:
            return self.executor.submit(fn, *args)
        done = Future()
        done.set_result(fn(*args))
        return done

    @property
    def results(self) -> pd.DataFrame:
        return self.tables["results"]

    @cached_property
    def cells(self) -> pd.DataFrame:
        return aggregate.cells(self.results)

    @cached_property
    def cases(self) -> list[str]:
        return aggregate.case_order(self.meta, *self.tables.values())

    @cached_property
    def methods(self) -> list[str]:
        present = aggregate.ordered(self.results["method"])
        return aggregate.ordered([m for m in self.meta.get("methods") or [] if m in present] + present)


def load_run(run_dir: Path, executor: Executor | None = None, tables: dict | None = None) -> Run:
    """The run in run_dir; `tables` (name -> read_table's frame, as check_run_folder hands them out) spares
    reading those CSVs again."""
    run_dir = Path(run_dir)
    tables = tables or {}
    restore_tables(run_dir)      # tables missing from the folder are rebuilt from its evidence.jsonl
    try:
        meta = read_meta(run_dir)
    except (FileNotFoundError, json.JSONDecodeError):
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    read = {name: tables[name] if name in tables else read_table(run_dir, name) for name in TABLES}
    return Run(run_dir, meta, {name: _keyed(_float64(table)) for name, table in read.items()}, executor)


def _float64(table: pd.DataFrame) -> pd.DataFrame:
    """The float64 rows of a table with a precision column: every section but the ladder (which reads
    precision_ladder.csv) shows float64. NB: a missing precision is float64 (runs before --precision)."""
    if "precision" not in table or table.empty:
        return table
    return table[table["precision"].fillna("float64") == "float64"].reset_index(drop=True)


def _keyed(table: pd.DataFrame) -> pd.DataFrame:
    """Missing case/param become empty text and a missing family the case, so every row can be grouped.

    NB: text columns become plain object columns (missing = NaN): the report filters them thousands of times,
    and comparing pandas' string dtype is many times slower."""
    text = {c: table[c].astype(object).where(table[c].notna(), np.nan)
            for c in table.columns if isinstance(table[c].dtype, pd.StringDtype)}
    table = table.assign(**text)
    table = table.assign(case=table["case"].fillna(""), param=table["param"].fillna(""))
    return table.assign(family=table["family"].fillna(table["case"]))
