"""Click parameter types that validate run options before any work starts."""
from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import click

GIB_PER_WORKER = 1.5  # rough peak memory of one worker (torch + sympy + mpmath loaded)


def available_memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return None


def jobs_cap() -> tuple[int, str]:
    """The most worker processes this machine can hold, and why."""
    cpus = os.cpu_count() or 1
    cap, why = 4 * cpus, f"4 x {cpus} CPUs"
    memory = available_memory_gib()
    if memory is not None and int(memory / GIB_PER_WORKER) < cap:
        cap, why = max(1, int(memory / GIB_PER_WORKER)), f"{memory:.1f} GiB available / {GIB_PER_WORKER} GiB per worker"
    return cap, why


class ClusterError(click.ClickException):
    """--dask cannot be used (no [cluster] extra, no scheduler at the address) or the cluster failed: a usage
    error, said in one line without the usage text."""
    exit_code = 2


class Seconds(click.ParamType):
    """A positive, finite number of seconds."""
    name = "seconds"

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} must be a positive, finite number of seconds", param, ctx)
        return number


class PositiveInt(click.ParamType):
    """A whole number > 0 (a memory limit of 0 or below would mean no limit)."""
    name = "integer"

    def convert(self, value, param, ctx):
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if number <= 0:
            self.fail(f"{number} must be > 0", param, ctx)
        return number


class Jobs(click.ParamType):
    """A worker count between 1 and what the machine's CPUs and memory allow."""
    name = "integer"

    def convert(self, value, param, ctx):
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if number < 1:
            self.fail(f"{number} workers: need at least 1", param, ctx)
        cap, why = jobs_cap()
        if number > cap:
            self.fail(f"{number} workers is more than this machine can hold: at most {cap} ({why})", param, ctx)
        return number


class OutDir(click.ParamType):
    """A folder that exists or can be created, and that can be written to."""
    name = "directory"

    def convert(self, value, param, ctx):
        path = Path(value)
        try:
            path.mkdir(parents=True, exist_ok=True)
            if not path.is_dir():
                self.fail(f"{str(path)!r} is not a folder", param, ctx)
            with tempfile.TemporaryFile(dir=path):
                pass
        except OSError as error:
            self.fail(f"cannot write to {str(path)!r}: {error.strerror or error}", param, ctx)
        return path


class Precisions(click.ParamType):
    """Float types by name, commas between (diffbench.precision.PRECISIONS): a tuple of names."""
    name = "precisions"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        from diffbench.precision import parse_precisions   # NB: here, so the light commands skip numpy
        try:
            return parse_precisions(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


SECONDS = Seconds()
MEGABYTES = PositiveInt()
JOBS = Jobs()
OUT_DIR = OutDir()
SEED = click.IntRange(min=0)
PRECISIONS = Precisions()


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1, jobs_cap()[0]))


def reference_budget(budget_s: float, given: float | None) -> float:
    """--reference-budget, by default generous next to --budget: the mpmath reference is slow by design."""
    return given if given is not None else max(30.0, 6.0 * budget_s)
