"""`diffbench list`: the cases and methods, wrapped to the terminal (never cut), and the cases' notes as text."""
from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table


def input_shapes(case) -> str:
    """The shapes of a case's inputs at its first parameter value, or why they cannot be built."""
    try:
        inputs = case.inputs(0, case.params(case.sweep_values()[0]), 0)
    except Exception as error:  # noqa: BLE001 - a listing shows a broken case instead of stopping
        return f"error: {error}"
    return ", ".join(f"{name} {tuple(value.shape) if value.ndim else '()'}" for name, value in inputs.items())


@click.command(name="list")
@click.option("--cases", "case_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Load cases from this folder instead of the built-in library.")
@click.option("--notes", is_flag=True, help="Print each case's assignment text.")
def list_command(case_dirs, notes):
    """List the cases and methods."""
    from diffbench.latex_text import latex_to_text
    from diffbench.methods import DEFAULT_METHODS, REGISTRY
    from diffbench.cli import load_or_fail
    console = Console()    # NB: as wide as the terminal, or $COLUMNS; 80 when piped
    cases = load_or_fail(case_dirs)
    case_rows = [(case.name, case.family, ", ".join(case.wrt), input_shapes(case),
                  f"{case.sweep} = {', '.join(map(str, case.values))}" if case.sweep else "-",
                  ", ".join(map(str, case.sweep_values("quick"))) if case.sweep else "-", str(case.points))
                 for case in cases.values()]
    method_rows = [(name, entry.kind, entry.description, "yes" if name in DEFAULT_METHODS else "")
                   for name, entry in REGISTRY.items()]   # NB: the registry's text: listing imports no method module
    case_columns = ("case", "family", "differentiates", "inputs (first size)", "sweep (default)", "quick", "points")
    method_columns = ("method", "kind", "description", "default")
    if console.width >= LIST_TABLE_MIN_WIDTH:
        console.print(_list_table("cases", case_columns, case_rows, console.is_terminal))
        console.print(_list_table("methods", method_columns, method_rows, console.is_terminal))
    else:   # NB: seven columns do not fit a narrow terminal: one wrapped paragraph per case instead
        console.print("[bold]cases[/bold]")
        for name, family, wrt, inputs, sweep, quick, points in case_rows:
            swept = f"sweep {sweep} (quick {quick})" if sweep != "-" else "no sweep"
            _print_wrapped(console, f"{name} ({family}): differentiates {wrt}; inputs {inputs}; {swept}; "
                                    f"{points} points")
        console.print("\n[bold]methods[/bold] (* = default)")
        for name, kind, description, default in method_rows:
            _print_wrapped(console, f"{name}{' *' if default else ''}  {kind}: {description}")
    if notes:
        for case in cases.values():
            # NB: the maths as Unicode text; escaped, so Markdown such as I[z > 0] is not taken for rich markup
            text = latex_to_text(case.note) if case.note else "(no note)"
            console.print(f"\n[bold]{case.name}[/bold]\n{escape(text)}", highlight=False, overflow="fold")


LIST_TABLE_MIN_WIDTH = 100   # `list` draws tables from this terminal width on


def _list_table(title: str, columns: tuple, rows: list, terminal: bool) -> Table:
    """Cells wrap (fold inside a word only when it is wider than its column), never cut; ASCII when piped.
    NB: the first column holds names users type (--only, --methods), so it never wraps."""
    from rich import box
    table = Table(title=title, header_style="bold", box=box.HEAVY_HEAD if terminal else box.ASCII)
    table.add_column(columns[0], no_wrap=True, min_width=max((len(row[0]) for row in rows), default=4))
    for column in columns[1:]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def _print_wrapped(console: Console, text: str) -> None:
    """One entry of the narrow listing: its first line starts with the name, the rest indented."""
    import textwrap
    lines = textwrap.wrap(text, width=console.width, subsequent_indent="    ", break_on_hyphens=False)
    console.print(escape("\n".join(lines)), highlight=False, overflow="fold")
