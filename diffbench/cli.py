"""The command line: diffbench run | list | report | bench."""
from __future__ import annotations

import fnmatch
import importlib
import os
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from diffbench.error_text import error_text
from diffbench.options import (JOBS, MEGABYTES, OUT_DIR, PRECISIONS, SECONDS, SEED, ClusterError, default_jobs,
                               reference_budget)


def select_cases(cases: dict, pattern: str | None) -> dict:
    """--only: a glob (logdet*) or, without wildcards, a substring of the case name; commas for several."""
    if pattern is None:
        return cases
    patterns = [p.strip() for p in pattern.split(",") if p.strip()]
    if not patterns:
        raise click.BadParameter(f"{pattern!r} names no case; cases: {', '.join(cases)}", param_hint="--only")
    chosen = {name: case for name, case in cases.items()
              if any(fnmatch.fnmatch(name, p) if any(ch in p for ch in "*?[") else p in name for p in patterns)}
    if not chosen:
        raise click.BadParameter(f"no case matches {pattern!r}; cases: {', '.join(cases)}", param_hint="--only")
    return chosen


def select_methods(text: str | None) -> tuple:
    from diffbench.methods import DEFAULT_METHODS, METHODS
    if text is None:
        return DEFAULT_METHODS
    names = tuple(m.strip() for m in text.split(",") if m.strip())
    if not names:
        raise click.BadParameter(f"{text!r} names no method; methods: {', '.join(METHODS)}", param_hint="--methods")
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise click.BadParameter(f"unknown method(s) {', '.join(unknown)}; methods: {', '.join(METHODS)}",
                                 param_hint="--methods")
    return names


def select_experiments(text: str, mode: str | None) -> tuple:
    names = [n.strip() for n in (text or "").split(",") if n.strip()]
    if not names and mode != "full":
        return ()     # NB: without importing the experiments, which import torch
    from diffbench.experiments.registry import EXPERIMENTS
    if "all" in names or (mode == "full" and not names):
        return tuple(EXPERIMENTS)
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown:
        raise click.BadParameter(f"unknown experiment(s) {', '.join(unknown)}; experiments: {', '.join(EXPERIMENTS)}",
                                 param_hint="--experiments")
    return tuple(names)


def command_line(ctx: click.Context) -> list[str]:
    """The command as it would be typed to repeat this run: the options that differ from their defaults."""
    words, seen = ["diffbench", ctx.info_name], set()
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        # NB: by source, not by value alone: a default its type converts (--precision's "float64" -> ("float64",))
        defaulted = ctx.get_parameter_source(param.name) == click.core.ParameterSource.DEFAULT
        if value in (None, False, ()) or defaulted or value == param.default or not param.opts or param.name in seen:
            continue
        seen.add(param.name)
        option = param.opts[0]
        if param.is_flag and isinstance(param.flag_value, str):  # --quick / --full share one destination
            words.append(f"--{value}")
        elif param.is_flag:
            words.append(option)
        else:
            items = value if getattr(param, "multiple", False) else (value,)
            for item in items:   # NB: a one-valued option holding a list (--precision a,b) is typed as a list
                words += [option, ",".join(map(str, item)) if isinstance(item, tuple) else str(item)]
    return words


class RichProgress:
    """The progress bar the runner advances once per finished job."""

    def __init__(self, console: Console):
        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=console)
        self.task = None

    def start(self, total: int):
        self.bar.start()
        self.task = self.bar.add_task("jobs", total=total, last="")

    def advance(self, job):
        self.bar.update(self.task, advance=1, last=job.label)

    def stop(self):
        self.bar.stop()


def load_or_fail(case_dirs) -> dict:
    from diffbench.case import load_cases
    try:
        return load_cases(case_dirs or None)
    except Exception as error:  # noqa: BLE001 - a broken case folder is a usage error, said plainly
        usage = click.ClickException(f"could not load cases: {error}")
        usage.exit_code = 2
        raise usage from error


class LazyGroup(click.Group):
    """Subcommands in their own modules, imported only when called (click's documented lazy-loading pattern),
    so `diffbench --help` does not pay for torch and sympy."""

    def __init__(self, *args, lazy_subcommands: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx, name):
        if name in self.lazy_subcommands:
            module, attribute = self.lazy_subcommands[name][0].rsplit(".", 1)
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        """The command list from static one-liners, without importing the lazy commands."""
        rows = [(name, self.lazy_subcommands[name][1] if name in self.lazy_subcommands
                 else click.Group.get_command(self, ctx, name).get_short_help_str(60))
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


# name -> ("module.command", one-line help): the commands that live in their own modules
LAZY_COMMANDS = {
    "check": ("diffbench.check.command.check_command", "Check a student's gradients against the references."),
    "trace": ("diffbench.trace_cli.trace_command", "Print a case's evaluation trace (forward or reverse)."),
    "bench": ("diffbench.bench.bench_command", "Time tape gradients vs the function and torch; time runs."),
    "experiment": ("diffbench.experiments.command.experiment_command",
                   "Run an experiment: jacobian, hutchinson, checkpoint, descent, schwarz, vanishing."),
    "swell": ("diffbench.swell_command.swell_command", "Measure expression swell with growth-law fits."),
    "list": ("diffbench.list_cli.list_command", "List the cases and methods."),
}


@click.group(cls=LazyGroup, lazy_subcommands=LAZY_COMMANDS)
@click.version_option(package_name="diffbench")
def main():
    """diffbench: how good is each way of getting a derivative?"""


@main.command()
@click.option("--only", "only", metavar="PATTERN", help="Cases whose name matches (glob or substring; commas).")
@click.option("--methods", "methods", metavar="A,B", help="Methods to run (default: those marked in `diffbench list`).")
@click.option("--quick", "mode", flag_value="quick", help="Small parameter sweeps (seconds).")
@click.option("--full", "mode", flag_value="full", help="Larger parameter sweeps (minutes).")
@click.option("--out", "out_dir", type=OUT_DIR, default=Path("reports"),
              show_default=True, help="Folder that receives the new run folder.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of every random input.")
@click.option("--cases", "case_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Load cases from this folder instead of the built-in library (repeatable).")
@click.option("--budget", "time_budget_s", type=SECONDS, default=5.0, show_default=True,
              help="Seconds a method may spend on one case parameter before it is stopped "
                   "(symbolic expression swell shows as timeouts at larger sizes).")
@click.option("--reference-budget", "reference_budget_s", type=SECONDS, default=None,
              help="Seconds the mpmath reference may spend on one case parameter (default: max(30, 6 x --budget)).")
@click.option("--jobs", "workers", type=JOBS, default=default_jobs(), show_default=True,
              help="Worker processes (at most what the CPUs and memory allow).")
@click.option("--memory-mb", "memory_mb", type=MEGABYTES, default=None,
              help="Megabytes each worker may allocate beyond its start (default: 3/4 of the available memory "
                   "shared by the workers).")
@click.option("--dps", type=int, default=50, show_default=True, help="Decimal digits of the mpmath reference.")
@click.option("--experiments", "experiments", metavar="A,B|all", default="",
              help="Also run these experiments (jacobian, hutchinson, checkpoint, descent, schwarz, vanishing; "
                   "all) into the run folder, so the report shows them (--full runs all).")
@click.option("--resume", "resume_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Finish an interrupted run: only the jobs its journal lacks, with its own options.")
@click.option("--at", "at", metavar="X=V,... | FILE", default=None,
              help="Run the cases at this point: inputs by name ('x=0.2,y=3'), or a .json / .npz file of inputs.")
@click.option("--order", type=click.IntRange(1, 2), default=1, show_default=True,
              help="2: also score second derivatives (Hessians, HVPs) of the cases that opt in.")
@click.option("--no-report", is_flag=True, help="Write the CSVs and meta.json only.")
@click.option("--dask", "dask_address", metavar="ADDRESS|local", default=None,
              help="Run the jobs on a dask cluster: tcp://host:port of its scheduler, or local (a LocalCluster of "
                   "--jobs processes here). Needs the [cluster] extra; allowed with --resume.")
@click.option("--precision", "precisions", type=PRECISIONS, default="float64", show_default=True, metavar="P,Q",
              help="Score every method in each float type (float32, float64); two give precision_ladder.csv.")
def run(only, methods, mode, out_dir, seed, case_dirs, time_budget_s, reference_budget_s, workers, memory_mb, dps,
        experiments, resume_dir, at, order, no_report, dask_address, precisions):
    """Run cases x methods, score against mpmath, write reports/<run-id>/."""
    command_started = time.time()
    from diffbench import records
    from diffbench.methods import is_second_order, method_modules
    from diffbench.runner.executor import start_fork_server
    from diffbench.runner.second_order_jobs import run_methods
    # NB: first, so the workers' imports (the chosen methods' modules: torch, sympy, jax) run while this
    # process imports the runner, and no job's budget pays for them.
    start_fork_server(method_modules(run_methods(select_methods(methods), order)) if resume_dir is None
                      else method_modules())
    from diffbench.runner import RunConfig, execute_run
    from diffbench.runner.config import default_memory_mb
    from diffbench.runner.resume import resumed_config, survey_cases
    from diffbench.summary import digits_table, failure_lines

    ctx = click.get_current_context()
    console = Console(stderr=False)
    if dask_address is not None:
        cluster_extra()    # NB: before the cases are surveyed, so a missing extra costs no wait
    if resume_dir is not None:
        given = [p.opts[0] for p in ctx.command.params if p.name not in ("resume_dir", "no_report", "dask_address")
                 and ctx.get_parameter_source(p.name) == click.core.ParameterSource.COMMANDLINE]
        if given:
            raise click.UsageError(f"--resume runs with the run's own options; drop {', '.join(given)}")
        try:
            made_at = "--at" in str(records.read_meta(resume_dir).get("command", "")).split()
        except (OSError, ValueError, AttributeError):
            made_at = False    # NB: resumed_config says what is wrong with the folder
        if made_at:
            raise click.UsageError("a run made with --at cannot be resumed (its point is not kept); run it again")
        config = resumed_config(resume_dir)
    else:
        if dps < 30:
            raise click.BadParameter("the reference needs at least 30 digits", param_hint="--dps")
        chosen_methods, chosen_experiments = select_methods(methods), select_experiments(experiments, mode)
        if order < 2 and any(is_second_order(m) for m in chosen_methods):
            raise click.BadParameter("second-order methods run with --order 2", param_hint="--methods")
        memory_mb = memory_mb or default_memory_mb(workers)
        plans, load_failures = survey_cases(case_dirs, mode or "default", seed, workers, memory_mb)
        cases = select_cases(plans, only) if plans or only else {}
        if at is not None:
            from diffbench.at_point import plans_at
            from diffbench.exact import InputError
            try:
                cases, notes = plans_at(cases, at)
            except InputError as error:
                raise click.BadParameter(str(error).removeprefix("--at: "), param_hint="--at") from None
            for note in notes:
                click.echo(note, err=True)
        config = RunConfig(cases=cases, methods=chosen_methods, mode=mode or "default", seed=seed, dps=dps,
                           time_budget_s=time_budget_s,
                           reference_budget_s=reference_budget(time_budget_s, reference_budget_s), workers=workers,
                           out_dir=out_dir, command=command_line(ctx), experiments=chosen_experiments,
                           case_dirs=tuple(case_dirs), memory_mb=memory_mb, plans=cases, load_failures=load_failures,
                           order=order, precisions=precisions, command_started=command_started)
    cluster = connect_cluster(dask_address, config.workers, method_modules(config.method_names()))
    progress = RichProgress(console)
    try:
        run_dir, meta = execute_run(config, progress, resume_dir=resume_dir, cluster=cluster)
    finally:
        progress.stop()
        if cluster is not None:
            cluster.close()
    results = records.read_table(run_dir, "results")
    # NB: the terminal table is float64's; the other precisions are in results.csv and precision_ladder.csv
    results = results[results["precision"].fillna("float64") == "float64"]
    console.print(digits_table(results, [m for m in config.methods if not is_second_order(m)]))
    if config.order >= 2:
        console.print("second derivatives (rows with derivative hessian | hvp):", highlight=False)
        console.print(digits_table(results[results["derivative"] != "gradient"],
                                   [m for m in config.method_names() if is_second_order(m)]))
    if meta["status"] == "interrupted":
        jobs = meta["jobs"]
        click.echo(f"interrupted ({meta['interrupted_by']}): {jobs['done']} of {jobs['total']} jobs done, "
                   f"{jobs['left']} left; "
                   f"resume with: diffbench run --resume {run_dir}")
        sys.exit(meta["exit_code"])
    if meta.get("warnings"):
        console.print(f"{len(meta['warnings'])} warnings raised by case code, recorded in meta.json (warnings)",
                      highlight=False)
    report_start = time.perf_counter()
    if not no_report:
        try:
            from diffbench.report import render_report
            console.print(f"report: {render_report(run_dir)}")
        except Exception as error:  # noqa: BLE001 - the CSVs stay; the failure is reported and counted
            meta["failures"].append({"case": "-", "param": "-", "method": "report", "point": None,
                                     "status": "failed", "message": error_text(error)})
            meta["exit_code"] = 1
            records.write_meta(run_dir, meta)
    report_s = time.perf_counter() - report_start
    for line in failure_lines(meta["failures"]):
        console.print(f"[red]failure[/red] {escape(line)}", markup=True, highlight=False)
    total = f"{meta['total_time_s'] + report_s:.1f} s (run {meta['total_time_s']:.1f} s" + \
        (f" + report {report_s:.1f} s)" if not no_report else ")")
    # NB: the folder and the time on lines of their own, so neither wraps mid-number at 80 columns
    console.print(f"run folder: {run_dir}", highlight=False)
    console.print(f"total: {total}", highlight=False)
    sys.exit(meta["exit_code"])


def cluster_extra() -> None:
    from diffbench.runner.dask_executor import ClusterUnavailable, import_distributed
    try:
        import_distributed()
    except ClusterUnavailable as error:
        raise ClusterError(str(error)) from None


def connect_cluster(address: str | None, workers: int, preload):
    """The DaskExecutor for --dask (None without it); a missing extra or a dead address is a ClusterError."""
    if address is None:
        return None
    from diffbench.runner.dask_executor import ClusterUnavailable, DaskExecutor
    try:
        return DaskExecutor(address, workers, preload)
    except ClusterUnavailable as error:
        raise ClusterError(str(error)) from None


class NotARun(click.ClickException):
    """A folder `report` refuses: a usage error, said in one line (no usage text)."""
    exit_code = 2


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where a comparison of two runs is written (default: the second run's folder).")
def report(run_dirs, out_dir):
    """Rebuild RUN_DIR's report from its CSVs, or compare two runs: report A B."""
    if len(run_dirs) not in (1, 2):
        raise click.UsageError("give one run folder, or two to compare")
    from diffbench import records   # NB: lazy, like every heavy import here: keeps start-up fast (pandas)
    checked: dict = {}   # the tables of a single run, read once for the check and the report
    for run_dir in run_dirs:
        try:
            records.check_run_folder(run_dir, checked if len(run_dirs) == 1 else None)
        except records.RunFolderError as error:
            raise NotARun(str(error)) from None
    from diffbench.report import render_comparison, render_report   # NB: lazy, keeps start-up fast
    try:
        if len(run_dirs) == 1:
            click.echo(render_report(run_dirs[0], tables=checked))
        else:
            from diffbench.report.compare import configuration_differences
            for line in configuration_differences(*(records.read_meta(r) for r in run_dirs)):
                click.echo(f"warning: the runs are not comparable as they stand: {line}", err=True)
            click.echo(render_comparison(run_dirs[0], run_dirs[1], out_dir or run_dirs[1]))
    except OSError as error:   # an unwritable folder, a full disk: said in one line
        raise click.ClickException(f"could not write the report: {error}") from None
