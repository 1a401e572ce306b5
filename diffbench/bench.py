"""The benchmark command: a tape gradient's cost against the plain function and torch.autograd, references' speed."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from diffbench import bench_report, bench_run
from diffbench.bench_run import render_breakdown, timed_run
from diffbench.case import load_cases
from diffbench.runner.config import default_memory_mb
from diffbench.runner.executor import Failure, Limits, LocalExecutor
from diffbench.runner.scheduler import Task, run_tasks
from diffbench.startup import BASELINE, measure_startup

# case -> values of its swept parameter, as issues 2 and 5 list them.
BENCH_SIZES = {"mds": (50, 200, 1000), "logdet": (10, 100), "log_quadratic": (100, 2000), "logistic": (8,)}
QUICK_SIZES = {"mds": (50,), "logdet": (10,), "log_quadratic": (100,), "logistic": (8,)}
# The rows where the cost-ratio targets apply (issue 5: the largest sizes).
LARGEST = {("mds", 1000), ("logdet", 100), ("log_quadratic", 2000)}
TARGETS = {"grad/f": 2.5, "tape/torch": 1.0, "hvp/grad": 4.0}
RUN_TARGETS_S = {**bench_run.RUN_TARGETS_S, "report": 5.0}   # report: rebuilding a run's report
ROW_BUDGET_S = 600.0     # one row of interleaved rounds (mds N=1000 takes the longest)
CONTESTANTS = ("f", "grad", "torch", "hvp", "torch_hvp")


def contestants(case, params: dict, seed: int = 0) -> dict:
    """name -> a no-argument callable: the float function, the tape's gradient and HVP, torch's."""
    import torch

    from diffbench.ad import api
    from diffbench.backends import FloatOps, TorchOps

    inputs = case.inputs(seed, params, 1)
    xs, data = case.split(inputs)
    ops, tops = FloatOps(), TorchOps()
    f = case.bind(data, params)
    rng = np.random.default_rng(seed)
    vectors = [rng.choice([-1.0, 1.0], size=np.shape(x)) for x in xs]
    vectors = [v if np.ndim(v) else np.float64(v) for v in vectors]
    leaves = [tops.asarray(x, requires_grad=True) for x in xs]
    torch_vectors = [tops.asarray(v) for v in vectors]
    f_torch = case.bind({k: tops.asarray(v) for k, v in data.items()}, params)

    def torch_grad():
        return torch.autograd.grad(f_torch(tops, *leaves), leaves)

    def torch_hvp():
        return torch.autograd.functional.hvp(lambda *z: f_torch(tops, *z), tuple(leaves), tuple(torch_vectors))

    return {"f": lambda: f(ops, *xs), "grad": lambda: api.grad(f, ops, xs),
            "torch": torch_grad, "hvp": lambda: api.hvp(f, ops, xs, vectors), "torch_hvp": torch_hvp}


def interleaved_times(fns: dict, rounds: int = 7, min_batch_s: float = 0.02, repeat: int = 3) -> dict:
    """name -> seconds per call in each round: the best of `repeat` batches, each callable in turn.

    NB: interleaving makes a slow spell of a shared machine hit all contestants of a round alike, and the
    best of a few batches (as timeit advises) drops the batches another process interrupted.
    """
    loops = {}
    for name, fn in fns.items():
        fn()
        start = time.perf_counter()
        fn()
        loops[name] = max(1, int(min_batch_s / max(time.perf_counter() - start, 1e-9)))
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            batches = []
            for _ in range(repeat):
                start = time.perf_counter()
                for _ in range(loops[name]):
                    fn()
                batches.append((time.perf_counter() - start) / loops[name])
            times[name].append(min(batches))
    return times


def bench_row(case_name: str, value, rounds: int, min_batch_s: float, seed: int = 0) -> dict:
    """One table row: median times and the median of per-round ratios for one case and size."""
    case = load_cases()[case_name]
    params = case.params(value)
    times = interleaved_times(contestants(case, params, seed), rounds, min_batch_s)
    t = {name: np.asarray(v) for name, v in times.items()}
    row = {"case": case_name, "param": f"{case.sweep}={value}", "largest": (case_name, value) in LARGEST}
    row.update({f"{name}_us": float(np.median(v)) * 1e6 for name, v in t.items()})
    row["grad/f"] = float(np.median(t["grad"] / t["f"]))
    row["tape/torch"] = float(np.median(t["grad"] / t["torch"]))
    row["hvp/grad"] = float(np.median(t["hvp"] / t["grad"]))
    row["torch hvp/grad"] = float(np.median(t["torch_hvp"] / t["torch"]))
    return row


def bench_table(sizes: dict, rounds: int = 7, min_batch_s: float = 0.02, seed: int = 0) -> pd.DataFrame:
    """Every row measured in a single-threaded worker, one row at a time (the runner's scheduler and limits)."""
    tasks = [Task(f"bench|{name}|{value}", bench_row, (name, value, rounds, min_batch_s, seed),
                  Limits(ROW_BUDGET_S, default_memory_mb(1)), f"{name} {value}")
             for name, values in sizes.items() for value in values]
    rows = {}
    run_tasks(tasks, LocalExecutor(1), lambda task, outcome, seconds: rows.__setitem__(task.key, outcome))
    failed = [f"{task.label}: {rows[task.key].message}" for task in tasks if isinstance(rows[task.key], Failure)]
    if failed:
        raise click.ClickException("bench rows failed: " + "; ".join(failed))
    return pd.DataFrame([rows[task.key] for task in tasks])


# The reference section (issue 15): seconds per point of route 1 alone and of the whole reference (both routes),
# with route 1 on arb (certified) against route 1 on mpmath, at the seed families' largest default sizes.
REFERENCE_SIZES = {"logistic": (8,), "log_quadratic": (100,), "logdet": (20, 100), "mds": (200,)}
QUICK_REFERENCE_SIZES = {"logistic": (8,), "log_quadratic": (10,), "logdet": (20,), "mds": (50,)}
REFERENCE_TARGETS_S = {("mds", 200): 1.0, ("logdet", 100): 0.5}   # seconds per point, arb reference
REFERENCE_SPEEDUP = 10.0                                             # mpmath reference / arb reference
# NB: the speed-up target applies where the mpmath reference takes at least this long a point; below it
# (logistic n = 8: ~2 ms either way) the reference's fixed bookkeeping is all there is to time.
SPEEDUP_APPLIES_S = 0.1


def reference_row(case_name: str, value, seed: int = 0, rounds: int = 3, budget_s: float = 10.0) -> dict:
    """Reference seconds at point 0, route 1 and the whole reference, arb against mpmath: the fewest seconds
    over interleaved rounds (at least one; more while they fit in budget_s) and the median per-round speed-up.
    NB: interleaving makes a slow spell of the shared machine hit both routes of a round alike."""
    from diffbench.backends import MpOps
    from diffbench.case import point_rng
    from diffbench.reference import exact_jacobian, reference

    case = load_cases()[case_name]
    params = case.params(value)
    inputs = case.inputs(seed, params, 0)
    calls = {}
    for route, choice in (("arb", "auto"), ("mpmath", "mpmath")):
        calls[f"{route}_route1_s"] = lambda choice=choice: exact_jacobian(case, params, inputs, MpOps(50), choice)
        calls[f"{route}_s"] = lambda choice=choice: reference(case, params, inputs, point_rng(
            seed, case.name + "|reference", params, 0), route1=choice)
    times, results, start = {name: [] for name in calls}, {}, time.perf_counter()
    while not times["arb_s"] or (len(times["arb_s"]) < rounds and time.perf_counter() - start < budget_s):
        for name, call in calls.items():
            began = time.perf_counter()
            results[name] = call()
            times[name].append(time.perf_counter() - began)
    row = {"case": case_name, "param": f"{case.sweep}={value}", "target_s": REFERENCE_TARGETS_S.get((case_name, value)),
           **{name: min(values) for name, values in times.items()},
           "speedup": float(np.median(np.asarray(times["mpmath_s"]) / np.asarray(times["arb_s"]))),
           "rounds": len(times["arb_s"])}
    for route in ("arb", "mpmath"):
        row[f"{route}_agreement"] = results[f"{route}_s"]["digits"]
    row["route1"], row["certified_digits"] = results["arb_s"]["route1"], results["arb_s"]["certified_digits"]
    return row


def reference_table(sizes: dict, seed: int = 0) -> pd.DataFrame:
    tasks = [Task(f"bench-reference|{name}|{value}", reference_row, (name, value, seed),
                  Limits(ROW_BUDGET_S, default_memory_mb(1)), f"reference {name} {value}")
             for name, values in sizes.items() for value in values]
    rows = {}
    run_tasks(tasks, LocalExecutor(1), lambda task, outcome, seconds: rows.__setitem__(task.key, outcome))
    failed = [f"{task.label}: {rows[task.key].message}" for task in tasks if isinstance(rows[task.key], Failure)]
    if failed:
        raise click.ClickException("bench reference rows failed: " + "; ".join(failed))
    return pd.DataFrame([rows[task.key] for task in tasks])


def render_references(table: pd.DataFrame) -> Table:
    out = Table(title="references: seconds per point (point 0, 50 digits; fewest over interleaved rounds), route 1 on "
                      "arb vs on mpmath; speed-up: median of per-round ratios",
                header_style="bold")
    for column in ("case", "size", "route 1 arb s", "route 1 mpmath s", "reference arb s", "target",
                   "reference mpmath s", "speed-up", "certified digits", "agreement arb / mpmath"):
        out.add_column(column, justify="left" if column in ("case", "size") else "right")
    for r in table.to_dict("records"):
        target = r["target_s"] if isinstance(r["target_s"], float) and np.isfinite(r["target_s"]) else None
        speedup = f"{r['speedup']:.1f}×"
        if r["mpmath_s"] >= SPEEDUP_APPLIES_S:
            speedup = f"[green]{speedup}[/green]" if r["speedup"] >= REFERENCE_SPEEDUP else f"[red]{speedup}[/red]"
        out.add_row(r["case"], r["param"], f"{r['arb_route1_s']:.3f}", f"{r['mpmath_route1_s']:.3f}",
                    _ratio_cell(r["arb_s"], target, digits=3), f"≤ {target:g}" if target else "",
                    f"{r['mpmath_s']:.3f}",
                    speedup,
                    f"{r['certified_digits']:.1f} ({r['route1']})",
                    f"{r['arb_agreement']:.1f} / {r['mpmath_agreement']:.1f}")
    return out


def missed_reference_targets(table: pd.DataFrame) -> list[str]:
    lines = []
    for r in table.to_dict("records"):
        target = r["target_s"]
        if isinstance(target, float) and np.isfinite(target) and r["arb_s"] > target:
            lines.append(f"reference {r['case']} {r['param']}: {r['arb_s']:.2f} s > {target:g} s per point "
                         f"(route 1 alone {r['arb_route1_s']:.2f} s)")
        if r["mpmath_s"] >= SPEEDUP_APPLIES_S and r["speedup"] < REFERENCE_SPEEDUP:
            lines.append(f"reference {r['case']} {r['param']}: {r['speedup']:.1f}× faster < {REFERENCE_SPEEDUP:g}×")
    return lines


def time_runs(quick_only: bool = False, on_run=None) -> list[dict]:
    """Wall seconds of `diffbench run` and `diffbench run --quick`, each into a fresh temporary folder;
    on_run(label, run folder), when given, is called while the folder still exists."""
    variants = (("run --quick", ["--quick"]),) if quick_only else (("run", []), ("run --quick", ["--quick"]))
    rows = []
    for label, extra in variants:
        with tempfile.TemporaryDirectory(prefix="diffbench-bench-") as out:
            row = timed_run(label, extra, Path(out))
            rows.append({**row, "note": _run_note(row.pop("done"))})
            run_dirs = [d for d in Path(out).iterdir() if (d / "report.html").exists()]
            if run_dirs:
                rows.append(time_report(run_dirs[0], f"diffbench report (of {label})"))
                if on_run is not None:
                    on_run(label, run_dirs[0])
    return rows


def time_report(run_dir: Path, label: str) -> dict:
    """Wall seconds of `diffbench report RUN_DIR` rebuilding an existing report, and the page's size."""
    command = [sys.executable, "-c", "from diffbench.cli import main; main()", "report", str(run_dir)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    page = Path(run_dir) / "report.html"
    note = f"report.html {page.stat().st_size / 1024:.0f} KB" if page.exists() else _run_note(done)
    return {"command": label, "seconds": seconds, "exit_code": done.returncode, "target_s": RUN_TARGETS_S["report"],
            "note": note}


def _run_note(done: subprocess.CompletedProcess) -> str:
    """How many failures a run printed, or the last line of its error output if it stopped."""
    failures = sum(1 for line in done.stdout.splitlines() if line.startswith("failure"))
    if failures:
        return f"{failures} failure line(s) printed"
    errors = done.stderr.strip().splitlines()
    return errors[-1] if done.returncode and errors else ""


def _ratio_cell(value: float, target: float | None, digits: int = 2) -> str:
    text = f"{value:.{digits}f}"
    if target is None:
        return text
    return f"[green]{text}[/green]" if value <= target else f"[red]{text}[/red]"


def render_table(table: pd.DataFrame) -> Table:
    out = Table(title="tape reverse mode: cost ratios (median of per-round ratios, one thread)", header_style="bold")
    for column in ("case", "size", "f µs", "grad µs", "grad/f", "torch µs", "tape/torch", "hvp/grad",
                   "torch hvp/grad"):
        out.add_column(column, justify="left" if column in ("case", "size") else "right")
    for r in table.to_dict("records"):
        out.add_row(r["case"], r["param"], f"{r['f_us']:.1f}", f"{r['grad_us']:.1f}",
                    _ratio_cell(r["grad/f"], TARGETS["grad/f"] if r["largest"] else None),
                    f"{r['torch_us']:.1f}", _ratio_cell(r["tape/torch"], TARGETS["tape/torch"]),
                    _ratio_cell(r["hvp/grad"], TARGETS["hvp/grad"] if r["largest"] else None),
                    f"{r['torch hvp/grad']:.2f}")
    return out


def render_runs(rows: list[dict]) -> Table:
    out = Table(title="whole runs (wall time, into a temporary folder)", header_style="bold")
    for column in ("command", "seconds", "target", "exit code", "note"):
        out.add_column(column, justify="left" if column in ("command", "note") else "right")
    for r in rows:
        out.add_row(r["command"], _ratio_cell(r["seconds"], r["target_s"], digits=1), f"≤ {r['target_s']:.0f}",
                    str(r["exit_code"]), r["note"])
    return out


def render_startup(rows: list[dict]) -> Table:
    out = Table(title=f"start-up: seconds to first output, ratio to `{BASELINE}` (median of rounds)",
                header_style="bold")
    for column in ("command", "seconds", "ratio"):
        out.add_column(column, justify="left" if column == "command" else "right")
    for r in rows:
        out.add_row(r["command"], f"{r['seconds']:.3f}", f"{r['ratio']:.1f}")
    return out


def missed_targets(table: pd.DataFrame) -> list[str]:
    """One line per ratio above its target."""
    lines = []
    for r in table.to_dict("records"):
        checks = [("tape/torch", True), ("grad/f", r["largest"]), ("hvp/grad", r["largest"])]
        for name, applies in checks:
            if applies and r[name] > TARGETS[name]:
                lines.append(f"{r['case']} {r['param']}: {name} = {r[name]:.2f} > {TARGETS[name]:g} "
                             f"({r[name] / TARGETS[name] - 1:.0%} over)")
    return lines


@click.command("bench")
@click.option("--quick", is_flag=True, help="Small sizes only, and time only `diffbench run --quick`.")
@click.option("--skip-runs", is_flag=True, help="Do not time the whole `diffbench run` commands.")
@click.option("--rounds", type=click.IntRange(min=1), default=7, show_default=True,
              help="Interleaved timing rounds per row (ratios are medians over rounds).")
@click.option("--min-batch", "min_batch_s", type=float, default=0.02, show_default=True,
              help="Seconds each timed batch lasts at least.")
@click.option("--sizes", "sizes_text", metavar="CASE=A,B;...",
              help="Override the rows, e.g. 'mds=50;logistic=4,8'.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the ratio table as CSV here.")
@click.option("--skip-startup", is_flag=True, help="Do not time the light commands' start-up.")
@click.option("--skip-references", is_flag=True, help="Do not time the references (arb vs mpmath).")
@click.option("--report-run", "report_run", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also time `diffbench report` on this run folder (a copy of it), from scratch and unchanged.")
def bench_command(quick, skip_runs, rounds, min_batch_s, sizes_text, csv_path, skip_startup, skip_references,
                  report_run):
    """Time tape gradients against the float function and torch.autograd; time whole runs."""
    console = Console(width=None if sys.stdout.isatty() else 120)
    sizes = parse_sizes(sizes_text) if sizes_text else (QUICK_SIZES if quick else BENCH_SIZES)
    table = bench_table(sizes, rounds=rounds, min_batch_s=min_batch_s)
    console.print(render_table(table))
    for line in missed_targets(table):
        console.print(f"[yellow]target missed[/yellow] {line}", highlight=False)
    if csv_path:
        table.to_csv(csv_path, index=False)
        console.print(f"ratios: {csv_path}")
    if not skip_references:
        references = reference_table(parse_sizes(sizes_text) if sizes_text else
                                     (QUICK_REFERENCE_SIZES if quick else REFERENCE_SIZES))
        console.print(render_references(references))
        for line in missed_reference_targets(references):
            console.print(f"[yellow]target missed[/yellow] {line}", highlight=False)
    if not skip_startup:
        console.print(render_startup(measure_startup()))
    reports = bench_report.ReportBench(report_run)
    if not skip_runs:
        runs = time_runs(quick_only=quick, on_run=reports)
        console.print(render_runs(runs))
        console.print(render_breakdown([r for r in runs if r.get("breakdown")]))
    if reports.rows:
        console.print(bench_report.render_report_bench(reports.rows))
        for line in bench_report.missed_report_targets(reports.rows):
            console.print(f"[yellow]target missed[/yellow] {line}", highlight=False)


def parse_sizes(text: str) -> dict:
    """'mds=50,200;logistic=8' -> {'mds': (50, 200), 'logistic': (8,)}, checked against the case library."""
    cases = load_cases()
    sizes = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, _, values = part.partition("=")
        name = name.strip()
        if name not in cases or cases[name].sweep is None:
            raise click.BadParameter(f"{name!r} is not a case with a swept parameter", param_hint="--sizes")
        try:
            sizes[name] = tuple(int(v) for v in values.split(",") if v.strip())
        except ValueError as error:
            raise click.BadParameter(f"sizes of {name!r} must be integers: {values!r}", param_hint="--sizes") from error
        if not sizes[name]:
            raise click.BadParameter(f"give at least one size for {name!r}", param_hint="--sizes")
    return sizes
