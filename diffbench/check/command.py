"""The `diffbench check` command: print the template, or check a solution file and exit 0 only if all pass."""
from __future__ import annotations

import math
import sys
from importlib import resources
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from diffbench.check.checker import DEFAULT_TIME_LIMIT_S, CheckResult, TaskResult, check_solution
from diffbench.check.compare import MIN_DIGITS, order_words
from diffbench.check.isolate import DEFAULT_MEMORY_MB, student_pool

STATUS_STYLE = {"pass": "green", "fail": "red"}


def template_text() -> str:
    return resources.files("diffbench.check").joinpath("solution_template.py.txt").read_text(encoding="utf-8")


def result_table(result: CheckResult) -> Table:
    table = Table(title=f"diffbench check {result.path.name}", header_style="bold", show_lines=True)
    for column in ("function", "result", "digits (min)", "worst point", "Taylor order", "diagnosis"):
        table.add_column(column, overflow="fold")
    for task in result.tasks:
        table.add_row(task.task.function, f"[{STATUS_STYLE.get(task.status, 'yellow')}]{task.status}[/]",
                      digits_text(task), task.worst.label if task.worst else "-", order_text(task),
                      diagnosis_text(task))
    return table


def digits_text(task: TaskResult) -> str:
    digits = task.digits
    return "-" if math.isnan(digits) else f"{max(digits, 0.0):.1f}"


def order_text(task: TaskResult) -> str:
    if all(math.isnan(v.digits) for v in task.verdicts):   # no answer got as far as the Taylor test
        return "-"
    return "exact" if task.order is None else f"{task.order:.2f}"


def diagnosis_text(task: TaskResult) -> str:
    if task.status == "pass":
        return order_words(task.order)
    if task.status != "fail":
        return task.message
    worst = task.worst
    words = order_words(worst.order) if worst and worst.order is not None else ""
    return "\n".join(part for part in (task.message, words) if part)


def summary_line(result: CheckResult) -> str:
    if result.error:
        return f"FAIL: {result.error}"
    passed = sum(t.passed for t in result.tasks)
    verdict = "PASS" if result.passed else "FAIL"
    line = f"{verdict}: {passed} of {len(result.tasks)} functions pass"
    return line + (f" (not in the file: {', '.join(result.missing)})" if result.missing else "")


@click.command(name="check")
@click.argument("solution", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--template", is_flag=True, help="Print the blank solution template (every function a stub).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random check points.")
@click.option("--time-limit", "time_limit_s", type=float, default=DEFAULT_TIME_LIMIT_S, show_default=True,
              help="Seconds each function may run (all its points together).")
@click.option("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, show_default=True,
              help="Memory each function may allocate, in MiB.")
@click.option("--digits", "min_digits", type=float, default=MIN_DIGITS, show_default=True,
              help="Correct digits a gradient needs at every point.")
def check_command(solution, template, seed, time_limit_s, memory_mb, min_digits):
    """Check the gradients in SOLUTION against mpmath references (exit 0 only if all pass)."""
    if template:
        click.echo(template_text(), nl=False)
        return
    if solution is None:
        raise click.UsageError("give a solution file, or --template to print a blank one")
    console = Console()
    if not console.is_terminal:   # NB: an autograder's log: wide rows rather than words folded over lines
        console = Console(width=160)
    with student_pool(memory_mb=memory_mb) as pool:
        result = check_solution(solution, pool, seed=seed, time_limit_s=time_limit_s, min_digits=min_digits)
    if result.tasks:
        console.print(result_table(result))
    style = "green" if result.passed else "red"
    console.print(f"[bold {style}]{summary_line(result)}[/]", highlight=False)
    sys.exit(0 if result.passed else 1)
