"""The terminal summary of a run: correct digits per case x method, and what went wrong."""
import pandas as pd
from rich.table import Table

# status -> the short mark a summary cell carries (the legend under the table spells them out)
MARKS = {"timeout": "T", "skipped": "S", "failed": "F", "not_applicable": "NA", "domain_error": "D",
         "inaccurate": "I"}


def digits_table(results: pd.DataFrame, methods) -> Table:
    """Worst correct digits over parameters and points; status marks where a method gave no number."""
    legend = ", ".join(f"{mark} {status.replace('_', ' ')}" for status, mark in MARKS.items())
    table = Table(title="correct digits (worst over parameters and points)", header_style="bold",
                  caption=f"marks: {legend} (with the number of rows); details in results.csv", pad_edge=False)
    table.add_column("case", no_wrap=True)
    for method in methods:
        table.add_column(method.replace("_", " "), justify="right", overflow="fold")
    for case, rows in results.groupby("case", sort=False):
        cells = []
        for method in methods:
            mine = rows[rows["method"] == method]
            ok = mine[mine["status"] == "ok"]["correct_digits"].dropna()
            marks = [f"{MARKS.get(status, status)}{count if count > 1 else ''}"
                     for status, count in mine[mine["status"] != "ok"]["status"].value_counts().items()]
            cells.append(" ".join(([f"{ok.min():.1f}"] if len(ok) else []) + marks) or "-")
        table.add_row(str(case), *cells)
    return table


def failure_lines(failures: list, limit: int = 12) -> list[str]:
    lines = [f"{f['case']} [{f['param']}] {f['method']} point {f['point']}: {f['status']}: {f['message']}"
             for f in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"... and {len(failures) - limit} more (see meta.json)")
    return lines
