"""The terminal summary of a run: correct digits per case x method, and what went wrong."""
import pandas as pd
from rich.table import Table

# status -> the short mark a summary cell carries (the legend under the table spells them out)
MARKS = {"timeout": "T", "skipped": "S", "failed": "F", "not_applicable": "NA", "domain_error": "D",
         "inaccurate": "I"}


def digits_table(results: pd.DataFrame, methods) -> Table:
    """Worst correct digits over parameters and points (negatives as 0), beside the case's float64 floor."""
    legend = ", ".join(f"{mark} {status.replace('_', ' ')}" for status, mark in MARKS.items())
    table = Table(title="correct digits (worst over parameters and points; below 0 shown as 0)", header_style="bold",
                  caption=f"floor: the fewest digits float64 inputs allow (attainable_digits), f: digits of f's own "
                          f"float64 value where fewer; marks: {legend} (with the number of rows); details in "
                          f"results.csv", pad_edge=False)
    table.add_column("case", no_wrap=True)
    table.add_column("floor", justify="right", no_wrap=True)
    for method in methods:
        table.add_column(method.replace("_", " "), justify="right", overflow="fold")
    for case, rows in results.groupby("case", sort=False):
        cells = []
        for method in methods:
            mine = rows[rows["method"] == method]
            ok = mine[mine["status"] == "ok"]["correct_digits"].dropna()
            marks = [f"{MARKS.get(status, status)}{count if count > 1 else ''}"
                     for status, count in mine[mine["status"] != "ok"]["status"].value_counts().items()]
            cells.append(" ".join(([f"{max(ok.min(), 0.0):.1f}"] if len(ok) else []) + marks) or "-")
        table.add_row(str(case), floor_cell(rows), *cells)
    return table


def floor_cell(rows: pd.DataFrame) -> str:
    """The case's lowest attainable_digits, and f_digits where the float64 code of f is the lower limit."""
    attainable = rows["attainable_digits"].min() if "attainable_digits" in rows else float("nan")
    f_digits = rows["f_digits"].min() if "f_digits" in rows else float("nan")
    if pd.isna(attainable):
        return "-"
    text = f"{attainable:.1f}"
    return text + (f" f {f_digits:.1f}" if pd.notna(f_digits) and f_digits < attainable - 1 else "")


def failure_lines(failures: list, limit: int = 12) -> list[str]:
    lines = [f"{f['case']} [{f['param']}] {f['method']} point {f['point']}: {f['status']}: {f['message']}"
             for f in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"... and {len(failures) - limit} more (see meta.json)")
    return lines
