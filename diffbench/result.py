"""What compare(), run() and load() return: a run's tables, evidence and meta, with plots, files and a notebook view."""
from __future__ import annotations

import html
import json
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from diffbench import records
from diffbench.evidence import FILE as EVIDENCE_FILE

HTML_LIMIT = 20_000            # bytes of _repr_html_ at most
SUMMARY_COLUMNS = ("case", "param", "point", "method", "status", "correct_digits", "attainable_digits",
                   "shortfall_digits", "limit", "message")
MESSAGE_CHARS = 90             # a row's message in the notebook view is cut to this many characters


@dataclass(eq=False)   # NB: DataFrames have no truth value, so results compare by identity
class Result:
    """A run in memory. .tables holds every record table by name (results.csv's columns in .table)."""
    tables: dict                      # table name -> DataFrame with records.TABLES' columns
    evidence: list                    # evidence.jsonl's lines (dicts)
    meta: dict                        # meta.json's contents
    path: Path | None = field(default=None)   # the run folder it lives in, if any

    @classmethod
    def from_rows(cls, rows: dict, evidence: list, meta: dict, path: Path | None = None) -> "Result":
        return cls({name: records.frame(name, rows.get(name, [])) for name in records.TABLES}, evidence, meta, path)

    @property
    def table(self) -> pd.DataFrame:
        return self.tables["results"]

    @property
    def fd_sweep(self) -> pd.DataFrame:
        return self.tables["fd_sweep"]

    @property
    def points(self) -> pd.DataFrame:
        """One row per point: its reference's agreement, the float64 floor and the inputs' rounding effect."""
        rows = [{"case": line["case"], "param": line["param"], "point": line["point"],
                 "inputs": _inputs_text(line), "ref_digits": line.get("ref_digits"),
                 "f_digits": line.get("f_digits"), "attainable_digits": line.get("attainable_digits"),
                 "inputs_rounding_digits": line.get("inputs_rounding_digits")}
                for line in self.evidence if line.get("kind") == "point"]
        return pd.DataFrame(rows, columns=["case", "param", "point", "inputs", "ref_digits", "f_digits",
                                           "attainable_digits", "inputs_rounding_digits"])

    def to_csv(self, folder) -> Path:
        """Write the run folder (every CSV, evidence.jsonl, meta.json) into folder, which may exist but must
        not hold a run's files already (nothing is overwritten); load(folder) reads it back."""
        folder = Path(folder)
        names = [f"{name}.csv" for name in records.TABLES] + [EVIDENCE_FILE, "meta.json"]
        taken = [name for name in names if (folder / name).exists()]
        if taken:
            raise FileExistsError(f"{folder} already holds {', '.join(taken)}; give a new folder")
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            records.write_frame(folder, name, table)
        with (folder / EVIDENCE_FILE).open("w") as handle:
            for line in self.evidence:
                handle.write(json.dumps(line, allow_nan=True, default=str) + "\n")
        records.write_meta(folder, {**self.meta, "run_id": self.meta.get("run_id") or folder.name})
        return folder

    def report(self, path) -> Path:
        """Write the self-contained HTML report (figures inlined) to path; nothing else is left behind."""
        from diffbench.report import render_report
        path = Path(path)
        if path.is_dir():
            path = path / "report.html"
        with tempfile.TemporaryDirectory(prefix="diffbench-report-") as scratch:
            page = render_report(self.to_csv(Path(scratch) / "run"))
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, path)
        return path

    def plot_fd(self, case: str | None = None, point: int = 0):
        """matplotlib Figure: relative error vs step h of each finite-difference scheme (log-log), with the
        error of every other method at that point as a horizontal line."""
        from matplotlib.figure import Figure   # NB: no pyplot, so no global figure list
        sweep, results = self._one(self.fd_sweep, case, point), self._one(self.table, case, point)
        fig = Figure(figsize=(6.4, 4.0), layout="constrained")
        ax = fig.subplots()
        for scheme, rows in sweep.groupby("scheme", sort=False):
            rows = rows.sort_values("h")
            ax.loglog(rows["h"].to_numpy(float), np.maximum(rows["rel_error"].to_numpy(float), 1e-17), ".-",
                      label=str(scheme))
        for _, row in results[results["rel_error"].notna()].iterrows():
            if not str(row["method"]).startswith("fd_"):
                ax.axhline(max(float(row["rel_error"]), 1e-17), lw=0.8, ls="--", color="grey")
                ax.annotate(str(row["method"]), (1.0, max(float(row["rel_error"]), 1e-17)), fontsize=7,
                            xycoords=("axes fraction", "data"), ha="right", va="bottom", color="dimgrey")
        ax.set_xlabel("step h")
        ax.set_ylabel("relative error (0 drawn at 1e-17)")
        ax.set_title(f"{_only(results, 'case')} {_only(results, 'param')}, point {point}: error vs step")
        if len(sweep):
            ax.legend(title="scheme", fontsize=7)
        return fig

    def plot_swell(self, case: str | None = None):
        """matplotlib Figure: size (nodes) of f and its derivative per representation, against the case's
        swept parameter (bars when there is one size only)."""
        from matplotlib.figure import Figure
        swell = self.tables["swell"]
        swell = swell[swell["case"] == (case or _first(swell, "case"))] if len(swell) else swell
        fig = Figure(figsize=(6.4, 4.0), layout="constrained")
        ax = fig.subplots()
        sized = swell[swell["nodes"].notna()]
        if sized["sweep_value"].notna().any() and sized["sweep_value"].nunique() > 1:
            for representation, rows in sized.groupby("representation", sort=False):
                rows = rows.sort_values("sweep_value")
                ax.semilogy(rows["sweep_value"].to_numpy(float), rows["nodes"].to_numpy(float), "o-",
                            label=str(representation))
            ax.set_xlabel("swept parameter")
            ax.legend(fontsize=7)
        else:
            ax.bar([str(r) for r in sized["representation"]], sized["nodes"].to_numpy(float))
            ax.set_yscale("log")
            ax.tick_params(axis="x", rotation=30)
        ax.set_ylabel("nodes")
        ax.set_title(f"expression size: {_first(swell, 'case')}")
        return fig

    def _one(self, table: pd.DataFrame, case: str | None, point: int) -> pd.DataFrame:
        case = case or _first(self.table, "case")
        chosen = table[(table["case"] == case) & (table["point"] == point)]
        params = chosen["param"].dropna().unique()
        return chosen[chosen["param"] == params[0]] if len(params) else chosen

    def _repr_html_(self) -> str:
        return summary_html(self)

    def __repr__(self) -> str:
        table = self.table
        cases = ", ".join(map(str, dict.fromkeys(table["case"].dropna()))) or "no case"
        best = table.dropna(subset=["correct_digits"]).groupby("method", sort=False)["correct_digits"].min()
        digits = ", ".join(f"{method} {value:.1f}" for method, value in best.items())
        where = f" in {self.path}" if self.path else ""
        return f"<diffbench Result{where}: {cases}; {len(table)} rows; worst correct digits: {digits or '-'}>"


def _first(table: pd.DataFrame, column: str):
    values = table[column].dropna()
    return values.iloc[0] if len(values) else ""


def _only(table: pd.DataFrame, column: str) -> str:
    return str(_first(table, column))


def _inputs_text(line: dict, limit: int = 160) -> str:
    exact = line.get("inputs_exact")
    shown = exact if exact else {k: v.get("values") for k, v in (line.get("inputs") or {}).items()}
    text = "; ".join(f"{name} = {', '.join(values[:4])}{' …' if len(values) > 4 else ''}"
                     for name, values in shown.items())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) < 1e4 else f"{value:.3g}"
    text = str(value)
    return html.escape(text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 1] + "…")


def _table_html(frame: pd.DataFrame, columns) -> list[str]:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = ["<tr>" + "".join(f"<td>{_cell(row[c])}</td>" for c in columns) + "</tr>" for _, row in frame.iterrows()]
    return [f"<table><thead><tr>{head}</tr></thead><tbody>", *rows, "</tbody></table>"]


def summary_html(result: Result) -> str:
    """The notebook view: what ran, each point's floor and rounding, and one row per method. Every text is
    escaped; rows beyond what fits in HTML_LIMIT bytes are left out with a note (the data stays in .table)."""
    meta, table = result.meta, result.table
    cases = ", ".join(map(str, dict.fromkeys(table["case"].dropna())))
    head = [f"<div class='diffbench-result'><p><b>diffbench</b> · {html.escape(cases or 'no case')} · "
            f"{len(table)} rows · reference {html.escape(str(meta.get('precision_dps', '')))} digits"
            + (f" · <code>{html.escape(str(result.path))}</code>" if result.path else "") + "</p>"]
    points = result.points
    parts = head + ["<p>points</p>", *_table_html(points.head(8), list(points.columns))]
    columns = [c for c in SUMMARY_COLUMNS if c in table and (c != "param" or table["param"].ne("-").any())]
    rows = _table_html(table, columns)
    tail = ["<p><small>full table: <code>.table</code>; plots: <code>.plot_fd()</code>, "
            "<code>.plot_swell()</code>; HTML report: <code>.report(path)</code></small></p></div>"]
    budget = HTML_LIMIT - len("".join(parts + tail).encode()) - 400
    kept, used = [], len((rows[0] + rows[-1]).encode())
    for row in rows[1:-1]:
        used += len(row.encode())
        if used > budget:
            break
        kept.append(row)
    note = [] if len(kept) == len(rows) - 2 else [f"<p>{len(rows) - 2 - len(kept)} more rows in <code>.table</code></p>"]
    return "".join(parts + [rows[0], *kept, rows[-1], *note, *tail])
