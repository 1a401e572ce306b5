"""The terminal summary of a run: correct digits per case x method, fitted to the terminal's width."""
from __future__ import annotations

import textwrap

import pandas as pd
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

# status -> the short mark a summary cell carries (the legend under the table spells them out)
MARKS = {"timeout": "T", "skipped": "S", "failed": "F", "not_applicable": "NA", "domain_error": "D",
         "inaccurate": "I"}
# method -> the short header used when the full names do not fit the width (the legend spells them out)
SHORT_NAMES = {"sympy": "sym", "fd_forward": "fwd", "fd_backward": "bwd", "fd_central": "ctr", "fd_central4": "ctr4",
               "complex_step": "cstep", "richardson": "rich", "tape_reverse": "rev", "tape_forward": "tfwd",
               "torch": "torch", "torch_f32": "t32", "torch_cuda": "tcuda", "analytic": "exact", "jax_grad": "jaxr",
               "jax_jacfwd": "jaxf", "numdifftools": "ndt", "scipy_differentiate": "scipy", "fd_random": "frand"}
GAP = 2   # spaces between columns
TITLE = "correct digits (worst over parameters and points; below 0 shown as 0)"


class DigitsTable:
    """Rows of text cells that lay themselves out for the console's width: full method names when they fit,
    else abbreviations with a legend, else the methods in several blocks; never a line wider than the console."""

    def __init__(self, cases: list[str], methods: list[str], cells: dict[str, list[str]], floors: list[str]):
        self.cases, self.methods, self.cells, self.floors = cases, methods, cells, floors

    def lines(self, width: int) -> list[str]:
        case_width = max([4, *(len(c) for c in self.cases)])
        fixed = case_width + GAP + max([5, *(len(f) for f in self.floors)])
        for abbreviate in (False, True):
            headers = [SHORT_NAMES.get(m, m) if abbreviate else m.replace("_", " ") for m in self.methods]
            widths = [max([len(h), *(len(c) for c in self.cells[m])]) for h, m in zip(headers, self.methods)]
            if fixed + sum(GAP + w for w in widths) <= width:
                break
        short = headers != [m.replace("_", " ") for m in self.methods]
        blocks, block, used = [], [], fixed
        for i, w in enumerate(widths):
            if block and used + GAP + w > width:
                blocks.append(block)
                block, used = [], fixed
            block.append(i)
            used += GAP + w
        blocks.append(block)
        out = _wrap(TITLE, width)
        for block in blocks:
            out.append(self._row("case", "floor", [headers[i] for i in block], case_width, fixed, widths, block))
            for k, case in enumerate(self.cases):
                out.append(self._row(case, self.floors[k], [self.cells[self.methods[i]][k] for i in block],
                                     case_width, fixed, widths, block))
        legend = ""
        if short:
            legend = "methods: " + ", ".join(f"{SHORT_NAMES.get(m, m)}={m}" for m in self.methods) + ". "
        marks = ", ".join(f"{mark}={status.replace('_', ' ')}" for status, mark in MARKS.items())
        legend += (f"floor: the fewest digits float64 inputs allow (attainable_digits), f: digits of f's own float64 "
                   f"value where fewer (inf: it overflows to inf or NaN); marks: {marks} (with the number of rows); "
                   f"details in results.csv")
        return out + _wrap(legend, width)

    @staticmethod
    def _row(case, floor, texts, case_width, fixed, widths, block) -> str:
        line = case.ljust(case_width) + " " * GAP + floor.rjust(fixed - case_width - GAP)
        for text, i in zip(texts, block):
            line += " " * GAP + text.rjust(widths[i])
        return line.rstrip()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield Text(line, no_wrap=True, overflow="ignore")


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=max(width, 20), break_long_words=True, break_on_hyphens=False)


def digits_table(results: pd.DataFrame, methods) -> DigitsTable:
    """Worst correct digits over parameters and points (negatives as 0), beside the case's float64 floor."""
    methods = list(methods)
    cases, floors, cells = [], [], {m: [] for m in methods}
    # NB: only the columns read here: filtering all of results' columns per cell took seconds on a default run
    columns = [c for c in ("case", "method", "status", "correct_digits", "attainable_digits", "f_digits",
                           "f_finite") if c in results]
    for case, rows in results[columns].groupby("case", sort=False):
        cases.append(str(case))
        floors.append(floor_cell(rows))
        by_method = {method: mine for method, mine in rows.groupby("method", sort=False)}
        for method in methods:
            mine = by_method.get(method, rows.iloc[:0])
            ok = mine[mine["status"] == "ok"]["correct_digits"].dropna()
            marks = [f"{MARKS.get(status, status)}{count if count > 1 else ''}"
                     for status, count in mine[mine["status"] != "ok"]["status"].value_counts().items()]
            cells[method].append(" ".join(([f"{max(ok.min(), 0.0):.1f}"] if len(ok) else []) + marks) or "-")
    return DigitsTable(cases, methods, cells, floors)


def floor_cell(rows: pd.DataFrame) -> str:
    """The case's lowest attainable_digits, and f_digits where the float64 code of f is the lower limit
    ("f inf" where that code gives inf or NaN at some point: no digit of it is left to count)."""
    attainable = rows["attainable_digits"].min() if "attainable_digits" in rows else float("nan")
    f_digits = rows["f_digits"].min() if "f_digits" in rows else float("nan")
    if pd.isna(attainable):
        return "-"
    text = f"{attainable:.1f}"
    if "f_finite" in rows and (rows["f_finite"].astype("boolean") == False).any():   # noqa: E712 - NA stays NA
        return text + " f inf"
    return text + (f" f {f_digits:.1f}" if pd.notna(f_digits) and f_digits < attainable - 1 else "")


def failure_lines(failures: list, limit: int = 12) -> list[str]:
    lines = [f"{f['case']} [{f['param']}] {f['method']} point {f['point']}: {f['status']}: {f['message']}"
             for f in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"... and {len(failures) - limit} more (see meta.json)")
    return lines
