"""A trace as a table: rich (terminal), Markdown and LaTeX (booktabs), one row per v_i."""
from __future__ import annotations

import re

from rich.table import Table

from diffbench.trace.model import Ref, Trace
from diffbench.trace.notation import LATEX, TEXT, derivative_formula, describe_seed, latex_escape, primal_formula


def headers(trace: Trace) -> tuple[str, str]:
    return ("Forward primal trace", "Forward tangent trace" if trace.mode == "forward" else "Adjoint trace")


def cells(trace: Trace, notation=TEXT, digits: int = 6) -> tuple[list, list]:
    """(body, footer): rows of four cells - primal formula, value, derivative formula, value."""
    body = [[primal_formula(trace, r, notation, digits), notation.value(r.value, digits),
             derivative_formula(trace, r, notation, digits), notation.value(r.derivative, digits)]
            for r in trace.rows]
    y = notation.named(trace.output_name)
    source = (notation.var(trace.output.number) if isinstance(trace.output, Ref)
              else notation.value(trace.output.value, digits))
    first = [f"{y} = {source}", notation.value(trace.value, digits)]
    if trace.mode == "forward":
        d = notation.tangent(trace.output.number) if isinstance(trace.output, Ref) else "0"
        tangent = f"{notation.name_tangent(trace.output_name)} = {d}"
        return body, [first + [tangent, notation.value(trace.derivatives[0], digits)]]
    footer = []
    for k, r in enumerate(trace.inputs):
        left = first if k == 0 else ["", ""]
        footer.append(left + [f"{notation.name_adjoint(r.name)} = {notation.adjoint(r.number)}",
                              notation.value(r.derivative, digits)])
    return body, footer



def caption(trace: Trace) -> str:
    direction = ("tangents pushed forward with the primal values" if trace.mode == "forward"
                 else "adjoints pulled back from the bottom row up, after the primal sweep")
    return f"{trace.title}: {trace.mode} mode, {describe_seed(trace)}; {direction}."


def rich_table(trace: Trace, digits: int = 6) -> Table:
    primal, derivative = headers(trace)
    table = Table(title=caption(trace), header_style="bold", title_justify="left")
    table.add_column(primal)
    table.add_column("value", justify="right")
    table.add_column(derivative)
    table.add_column("value", justify="right")
    body, footer = cells(trace, TEXT, digits)
    for k, row in enumerate(body):
        table.add_row(*row, end_section=k == len(body) - 1)
    for row in footer:
        table.add_row(*row, style="bold")
    return table


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>|#])")


def markdown(trace: Trace, digits: int = 6) -> str:
    """A GitHub/pandoc pipe table with the caption above it."""
    def line(cells_, bold=False):
        escaped = [MARKDOWN_SPECIALS.sub(r"\\\1", c) for c in cells_]
        return "| " + " | ".join(f"**{c}**" if bold and c else c for c in escaped) + " |"
    primal, derivative = headers(trace)
    body, footer = cells(trace, TEXT, digits)
    out = [MARKDOWN_SPECIALS.sub(r"\\\1", caption(trace)), "", line([primal, "value", derivative, "value"]),
           "|:---|---:|:---|---:|"]
    out += [line(r) for r in body]
    out += [line(r, bold=True) for r in footer]
    return "\n".join(out) + "\n"


def latex(trace: Trace, digits: int = 6) -> str:
    """A booktabs tabular, every formula in math mode, ready to paste into slides."""
    def math(c):
        return f"${c}$" if c else ""
    primal, derivative = headers(trace)
    body, footer = cells(trace, LATEX, digits)
    seed = describe_seed(trace, LATEX, digits)
    title = re.sub(r"\s+", " ", trace.title)
    out = [f"% {latex_escape(title)}: {trace.mode} mode, requires \\usepackage{{booktabs}}",
           r"\begin{tabular}{lrlr}", r"\toprule",
           rf"\multicolumn{{2}}{{l}}{{{primal}}} & \multicolumn{{2}}{{l}}{{{derivative} (${seed}$)}} \\",
           r"\midrule"]
    out += [" & ".join(math(c) for c in r) + r" \\" for r in body]
    out.append(r"\midrule")
    out += [" & ".join(math(c) for c in r) + r" \\" for r in footer]
    out += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(out) + "\n"


FORMATS = {"md": markdown, "tex": latex}
