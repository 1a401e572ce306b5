"""The `diffbench check` command: print the template, or check solution files and exit 0 only if all pass."""
from __future__ import annotations

import json
import math
import sys
from importlib import resources
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from diffbench.check.checker import DEFAULT_JOBS, DEFAULT_TIME_LIMIT_S, CheckOptions, CheckResult, TaskResult, \
    check_solutions
from diffbench.check.compare import LAYOUTS, MIN_DIGITS, order_words
from diffbench.check.course import Course, CourseError, read_course
from diffbench.check.formats import file_record, gradescope_document, score
from diffbench.check.isolate import DEFAULT_MEMORY_MB, Limits
from diffbench.check.sandbox import SANDBOX_CHOICES, SandboxUnavailable, choose_sandbox
from diffbench.options import JOBS, MEGABYTES, SECONDS, ClusterError

STATUS_STYLE = {"pass": "green", "fail": "red"}
LAYOUT_ENTRY = {"rows": "J[i, j] = d f_i / d x_j, one row per output",
                "columns": "J = (df/dx)^T, J[i, j] = d f_j / d x_i, one column per output"}


def template_text(layout: str = "rows") -> str:
    text = resources.files("diffbench.check").joinpath("solution_template.py.txt").read_text(encoding="utf-8")
    return text.replace("<<JACOBIAN LAYOUT>>", LAYOUT_ENTRY[layout])


def result_table(result: CheckResult) -> Table:
    table = Table(title=f"diffbench check {escape(result.path.name)}", header_style="bold", show_lines=True)
    for column in ("function", "result", "digits (min)", "worst point", "Taylor order", "time (s)", "diagnosis"):
        table.add_column(column, overflow="fold")
    for task in result.tasks:
        table.add_row(task.task.function, f"[{STATUS_STYLE.get(task.status, 'yellow')}]{task.status}[/]",
                      digits_text(task), task.worst.label if task.worst else "-", order_text(task),
                      "-" if math.isnan(task.seconds) else f"{task.seconds:.2f}", escape(diagnosis_text(task)))
    return table


def digits_text(task: TaskResult) -> str:
    digits = task.digits
    return "-" if math.isnan(digits) else f"{max(digits, 0.0) + 0.0:.1f}"   # NB: + 0.0 turns -0.0 into 0.0


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


def summary_line(result: CheckResult, course: Course) -> str:
    if result.error:
        return f"FAIL: {result.error}"
    passed = sum(t.passed for t in result.tasks)
    verdict = "PASS" if result.passed else "FAIL"
    line = (f"{verdict}: {passed} of {len(result.tasks)} functions pass, "
            f"{score(result, course):g} of {course.max_score:g} points")
    return line + (f" (not in the file: {', '.join(result.missing)})" if result.missing else "")


def print_text(console: Console, result: CheckResult, course: Course) -> None:
    if result.tasks:
        console.print(result_table(result))
    printed = [("at import", result.output)] + [(t.task.function, t.output) for t in result.tasks]
    for where, output in printed:
        if output:   # NB: each line marked, so printed "PASS" lines cannot pass for the checker's
            console.print(f"[dim]student output ({escape(where)}):[/]", highlight=False)
            console.print("\n".join(f"  | {escape(line)}" for line in output.splitlines()), highlight=False,
                          markup=True, soft_wrap=True)
    style = "green" if result.passed else "red"
    console.print(f"[bold {style}]{escape(summary_line(result, course))}[/] [dim](sandbox: {result.sandbox})[/]",
                  highlight=False)


def load_course(course_path) -> Course:
    try:
        return read_course(course_path) if course_path else Course()
    except CourseError as error:
        raise click.BadParameter(str(error), param_hint="--course") from None


def check_on_dask(solutions: list, sandbox: str, options: CheckOptions, address: str, jobs: int) -> list:
    from diffbench.check.on_cluster import ClusterCheckFailed, check_on_cluster
    from diffbench.runner.dask_executor import ClusterUnavailable
    try:
        results, warnings = check_on_cluster(solutions, sandbox, options, address, jobs)
    except (ClusterUnavailable, ClusterCheckFailed) as error:
        raise ClusterError(str(error)) from None
    for warning in warnings:
        click.secho(f"on the dask workers: {warning}", fg="red", bold=True, err=True)
    return results


@click.command(name="check")
@click.argument("solutions", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--template", is_flag=True, help="Print the blank solution template (every function a stub).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random check points.")
@click.option("--time-limit", "time_limit_s", type=SECONDS, default=DEFAULT_TIME_LIMIT_S, show_default=True,
              help="Seconds each function may run (all its points together); must be > 0.")
@click.option("--memory-mb", type=MEGABYTES, default=DEFAULT_MEMORY_MB, show_default=True,
              help="Memory each function's process may allocate, in MiB; must be > 0.")
@click.option("--digits", "min_digits", type=float, default=MIN_DIGITS, show_default=True,
              help="Correct digits a gradient needs at every point.")
@click.option("--format", "output_format", type=click.Choice(("text", "json", "gradescope")), default="text",
              show_default=True, help="text (a table), json (a list, one object per file), gradescope "
                                      "(writes results.json in Gradescope's schema).")
@click.option("--results", "results_path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("results.json"), show_default=True, help="Where --format gradescope writes.")
@click.option("--sandbox", type=click.Choice(SANDBOX_CHOICES), default="auto", show_default=True,
              help="bwrap (bubblewrap), none (limits only: not safe), or auto (bwrap where it works).")
@click.option("--course", "course_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Course file (JSON or TOML): jacobian_layout and weights per task function.")
@click.option("--jacobian-layout", type=click.Choice(LAYOUTS), default=None,
              help="rows: J[i, j] = df_i/dx_j (m x n); columns: J = (df/dx)^T (n x m, the lectures'). "
                   "Default: the course file's, else rows.")
@click.option("--jobs", type=JOBS, default=DEFAULT_JOBS, show_default=True,
              help="Student processes run at the same time.")
@click.option("--dask", "dask_address", metavar="ADDRESS|local", default=None,
              help="Grade each file on a dask worker (tcp://host:port of the scheduler, or local); its sandbox is "
                   "the worker's. Needs the [cluster] extra.")
def check_command(solutions, template, seed, time_limit_s, memory_mb, min_digits, output_format, results_path,
                  sandbox, course_path, jacobian_layout, jobs, dask_address):
    """Check the gradients in SOLUTIONS against mpmath references (exit 0 only if all pass)."""
    course = load_course(course_path)
    layout = jacobian_layout or course.jacobian_layout
    if template:
        click.echo(template_text(layout), nl=False)
        return
    if not solutions:
        raise click.UsageError("give a solution file, or --template to print a blank one")
    if output_format == "gradescope" and len(solutions) != 1:
        raise click.BadParameter("Gradescope grades one submission: give one file", param_hint="--format")
    if output_format == "gradescope" and results_path.exists():
        raise click.BadParameter(f"{results_path} exists; remove it or give another path", param_hint="--results")
    if output_format == "gradescope" and not results_path.absolute().parent.is_dir():
        raise click.BadParameter(f"folder {results_path.absolute().parent} does not exist", param_hint="--results")
    options = CheckOptions(seed=seed, limits=Limits(time_s=time_limit_s, memory_mb=memory_mb),
                           min_digits=min_digits, layout=layout)
    if dask_address is not None:
        results = check_on_dask(list(solutions), sandbox, options, dask_address, jobs)
    else:
        try:
            chosen = choose_sandbox(sandbox)
        except SandboxUnavailable as error:
            raise click.BadParameter(str(error), param_hint="--sandbox") from None
        if chosen.warning:
            click.secho(chosen.warning, fg="red", bold=True, err=True)
        results = check_solutions(list(solutions), chosen, options, jobs=jobs)
    course = Course(layout, course.weights)
    if output_format == "json":
        click.echo(json.dumps([file_record(result, course) for result in results], indent=2))
    elif output_format == "gradescope":
        results_path.write_text(json.dumps(gradescope_document(results[0], course), indent=2) + "\n",
                                encoding="utf-8")
        click.echo(f"{summary_line(results[0], course)}; wrote {results_path}")
    else:
        console = Console()
        if not console.is_terminal:   # NB: an autograder's log: wide rows rather than words folded over lines
            console = Console(width=160)
        for result in results:
            print_text(console, result, course)
    sys.exit(0 if all(result.passed for result in results) else 1)
