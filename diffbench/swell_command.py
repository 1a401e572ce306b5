"""The `diffbench swell` command: run the swell experiment into a new run folder and report its growth laws."""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from diffbench import records
from diffbench.options import JOBS, SECONDS, SEED, default_jobs
from diffbench.growth import GrowthFit, describe_fit
from diffbench.runner.config import default_memory_mb
from diffbench.runner.interrupts import Interrupted, StopRequest
from diffbench.runner.meta import common_meta, new_run_dir
from diffbench.runner.resume import survey_cases
from diffbench.swell import DEFAULT_SIZES, REPRESENTATIONS, fit_rows, run_swell

EXPECTED = ("ok", "timeout", "skipped")  # a timeout, and what it leaves unrun, is the measured outcome


def sizes_for(cases: dict, max_n: int | None) -> dict:
    """The swept values per case: 1..max_n when given, else the experiment's default, else the case's full sweep."""
    sizes = {}
    for name, case in cases.items():
        if case.sweep is None:
            raise click.BadParameter(f"case {name!r} has no swept parameter, so it has no growth to measure",
                                     param_hint="--case")
        if max_n is not None:
            sizes[name] = tuple(range(1, max_n + 1))
        else:
            sizes[name] = DEFAULT_SIZES.get(name) or tuple(case.sweep_values["full"])
    return sizes


def swell_meta(run_dir: Path, cases: dict, sizes: dict, representations, budget_s: float, workers: int, seed: int,
               started: dt.datetime, seconds: float, failures: list) -> dict:
    return {**common_meta("swell", run_dir, seed, workers, started, seconds), "time_budget_s": budget_s,
            "cases": list(cases), "methods": [], "representations": list(representations),
            "sizes": {k: list(v) for k, v in sizes.items()}, "case_sources": sorted({c.source for c in cases.values()}),
            "failures": failures, "exit_code": 1 if failures else 0}


def fits_table(fits: list[dict]) -> Table:
    table = Table(title="growth of each representation (nodes)", header_style="bold")
    for column in ("case", "representation", "n fitted", "law"):
        table.add_column(column)
    for f in fits:
        if f["measure"] != "nodes":
            continue
        fit = GrowthFit(f["law"], f["rate"], f["rate_r2"], f["degree"], f["degree_r2"], f["n_points"],
                        f["size_from"], f["size_to"])
        table.add_row(f["case"], f["representation"], f"{f['size_from']:g}..{f['size_to']:g}", describe_fit(fit))
    return table


@click.command(name="swell")
@click.option("--case", "case_names", multiple=True, metavar="NAME",
              help=f"Case to measure (repeatable; default: {', '.join(DEFAULT_SIZES)}).")
@click.option("--max-n", "max_n", type=click.IntRange(min=1), default=None,
              help="Sweep the case parameter over 1..K (default: 1..12 logistic, 1..8 log det).")
@click.option("--representations", "representations", metavar="A,B",
              help=f"Representations to measure (default: all: {','.join(REPRESENTATIONS)}).")
@click.option("--budget", "budget_s", type=SECONDS, default=10.0, show_default=True,
              help="Seconds one representation may spend on one parameter before it is stopped.")
@click.option("--jobs", "workers", type=JOBS, default=default_jobs(), show_default=True,
              help="Worker processes (at most what the CPUs and memory allow).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the evaluation point's inputs.")
@click.option("--cases", "case_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Load cases from this folder instead of the built-in library (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Folder that receives the new run folder.")
@click.option("--no-report", is_flag=True, help="Write the CSVs and meta.json only.")
def swell_command(case_names, max_n, representations, budget_s, workers, seed, case_dirs, out_dir, no_report):
    """Measure expression swell: each representation's size and time per case parameter, with growth-law fits."""
    console = Console()
    available, load_failures = survey_cases(case_dirs, None, seed, workers, default_memory_mb(workers))
    names = case_names or tuple(n for n in DEFAULT_SIZES if n in available)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise click.BadParameter(f"unknown case(s) {', '.join(unknown)}; cases: {', '.join(available)}",
                                 param_hint="--case")
    chosen = tuple(r.strip() for r in (representations or "").split(",") if r.strip()) or tuple(REPRESENTATIONS)
    bad = [r for r in chosen if r not in REPRESENTATIONS]
    if bad:
        raise click.BadParameter(f"unknown representation(s) {', '.join(bad)}; choose from {', '.join(REPRESENTATIONS)}",
                                 param_hint="--representations")
    cases = {n: available[n] for n in names}
    sizes = sizes_for(cases, max_n)
    started, clock = dt.datetime.now(), time.perf_counter()
    run_dir = new_run_dir(out_dir)
    measured, interrupted = [], None

    def done(row, status):
        measured.append(row)
        status.update(f"{row['case']} {row['param']} {row['representation']}: {row['status']}")

    with console.status("measuring") as status, StopRequest() as stop:
        try:
            rows = run_swell(cases, sizes, chosen, budget_s, max(1, workers), seed,
                             on_done=lambda row: done(row, status), stop=stop)
        except Interrupted as signal_received:   # what finished is written; the rest is not run
            rows, interrupted = measured, signal_received
    fits = fit_rows(rows)
    not_written = records.write_tables(run_dir, {"swell": rows, "swell_fits": fits},
                                       {t: "diffbench swell measures expression swell only" for t in records.TABLES})
    failures = load_failures + [{"case": r["case"], "param": r["param"], "method": r["representation"], "point": 0,
                                 "status": r["status"], "message": r.get("message", "")}
                                for r in rows if r["status"] not in EXPECTED]
    meta = swell_meta(run_dir, cases, sizes, chosen, budget_s, workers, seed, started, time.perf_counter() - clock,
                      failures)
    meta["status"] = "interrupted" if interrupted else "complete"
    meta["tables_not_written"] = not_written
    if interrupted:
        meta["exit_code"] = interrupted.exit_code
        records.write_meta(run_dir, meta)
        click.echo(f"interrupted ({interrupted}): {len(rows)} measurements written to {run_dir}")
        sys.exit(meta["exit_code"])
    records.write_meta(run_dir, meta)
    console.print(fits_table(fits))
    stopped = [r for r in rows if r["status"] not in ("ok", "skipped")]
    for r in stopped:
        console.print(f"{r['case']} {r['representation']} stopped at {r['param']}: {r['status']} {r.get('message', '')}",
                      highlight=False)
    if not no_report:
        from diffbench.report import render_report
        console.print(f"report: {render_report(run_dir)}")
    console.print(f"run folder: {run_dir}  ({meta['total_time_s']:.1f} s)")
    sys.exit(meta["exit_code"])
