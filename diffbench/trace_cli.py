"""The `diffbench trace CASE` command: print a case's evaluation trace, optionally draw its graph as SVG."""
from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from diffbench.case import DomainError, load_cases
from diffbench.trace.graph import trace_svg
from diffbench.trace import FORMATS, MODES, TraceTooLong, rich_table, trace_case


def _numbers(text: str | None, option: str) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"expected numbers separated by commas, got {text!r}", param_hint=option) from None


def _params(pairs: tuple, case) -> dict:
    known = set(case.fixed) | ({case.sweep} if case.sweep else set())
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in known:
            raise click.BadParameter(f"{pair!r}: case {case.name!r} takes "
                                     f"{', '.join(f'{k}=VALUE' for k in sorted(known)) or 'no parameters'}",
                                     param_hint="--param")
        number = float(value) if value.strip() else float("nan")
        params[name] = int(number) if number.is_integer() else number
    return params


@click.command(name="trace")
@click.argument("case_name", metavar="CASE")
@click.option("--point", metavar="X1,X2,...", help="Where to evaluate: the differentiated inputs, flattened "
              "(default: the case's canonical point, else its seeded point 0).")
@click.option("--mode", type=click.Choice(MODES), default="forward", show_default=True,
              help="Forward: tangents (survey Table 2); reverse: adjoints (Table 3).")
@click.option("--direction", metavar="D1,D2,...", help="Forward mode's input tangents (default: ẋ1 = 1, others 0).")
@click.option("--param", "param_pairs", multiple=True, metavar="NAME=VALUE",
              help="A case parameter, e.g. n=4 (default: the first of its sweep).")
@click.option("--format", "fmt", type=click.Choice(("text", *FORMATS)), default="text", show_default=True,
              help="A terminal table, Markdown, or a LaTeX (booktabs) tabular.")
@click.option("--digits", type=click.IntRange(1, 17), default=6, show_default=True, help="Significant digits.")
@click.option("--max-rows", type=click.IntRange(1), default=200, show_default=True,
              help="Refuse longer traces (inputs included).")
@click.option("--svg", "svg_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the computational graph to this SVG file.")
@click.option("--cases", "case_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Load cases from this folder instead of the built-in library.")
def trace_command(case_name, point, mode, direction, param_pairs, fmt, digits, max_rows, svg_path, case_dirs):
    """Print CASE's evaluation trace: one row per intermediate v_i with its value and tangent or adjoint."""
    try:
        cases = load_cases(case_dirs or None)
    except Exception as error:  # noqa: BLE001 - a broken case folder is a usage error, said plainly
        raise click.ClickException(f"could not load cases: {error}") from error
    if case_name not in cases:
        raise click.BadParameter(f"no case {case_name!r}; cases: {', '.join(cases)}", param_hint="CASE")
    if direction is not None and mode != "forward":
        raise click.BadParameter("a direction seeds forward mode only (reverse mode seeds ȳ = 1)",
                                 param_hint="--direction")
    case = cases[case_name]
    try:
        trace = trace_case(case, mode, _params(param_pairs, case), _numbers(point, "--point"),
                           _numbers(direction, "--direction"), max_rows)
    except (DomainError, TraceTooLong, ValueError) as error:
        raise click.ClickException(str(error)) from error
    if fmt == "text":
        Console().print(rich_table(trace, digits))
    else:
        click.echo(FORMATS[fmt](trace, digits), nl=False)
    if svg_path is not None:
        svg_path.write_text(trace_svg(trace, min(digits, 4)), encoding="utf-8")
        click.echo(f"graph: {svg_path}", err=True)
