"""The terminal summary of a run: correct digits per case x method, and what went wrong."""
import pandas as pd
from rich.table import Table


def digits_table(results: pd.DataFrame, methods) -> Table:
    """Worst correct digits over parameters and points; statuses where a method gave no number."""
    table = Table(title="correct digits (worst over parameters and points)", header_style="bold")
    table.add_column("case")
    for method in methods:
        table.add_column(method, justify="right")
    for case, rows in results.groupby("case", sort=False):
        cells = []
        for method in methods:
            mine = rows[rows["method"] == method]
            ok = mine[mine["status"] == "ok"]["correct_digits"].dropna()
            other = mine[mine["status"] != "ok"]
            cell = f"{ok.min():.1f}" if len(ok) else ""
            if len(other):
                statuses = ", ".join(sorted(set(other["status"])))
                cell = f"{cell} ({statuses} x{len(other)})".strip()
            cells.append(cell or "-")
        table.add_row(str(case), *cells)
    return table


def failure_lines(failures: list, limit: int = 12) -> list[str]:
    lines = [f"{f['case']} [{f['param']}] {f['method']} point {f['point']}: {f['status']}: {f['message']}"
             for f in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"... and {len(failures) - limit} more (see meta.json)")
    return lines
