"""Run a student's functions in worker processes with a time and a memory limit, one function per call."""
from __future__ import annotations

import functools
import importlib.util
import multiprocessing
import os
import traceback
import zlib
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import numpy as np
from pebble import ProcessExpired, ProcessPool

DEFAULT_MEMORY_MB = 2048


# ---- inside the worker process -------------------------------------------------------------------

def limit_memory(megabytes: int) -> None:
    """Pool initializer: the student's code may grow the address space by at most `megabytes`."""
    import resource
    try:
        with open("/proc/self/statm") as statm:
            baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # NB: no /proc (macOS): RLIMIT_AS is not enforced there anyway
        return
    limit = baseline + megabytes * 2 ** 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int):
    name = f"diffbench_student_{zlib.crc32(path.encode()):08x}_{mtime_ns}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_student(path: str):
    return _load(path, Path(path).stat().st_mtime_ns)


def defined_functions(path: str, names: tuple) -> list[str]:
    """Which of `names` the student's file defines as functions (importing it runs its top level)."""
    module = load_student(path)
    return [name for name in names if callable(getattr(module, name, None))]


def call_function(path: str, name: str, argument_sets: list) -> list[tuple[str, object]]:
    """Call the student's function at every argument set: ("ok", answer) | ("not implemented" | "raised", text)."""
    function = getattr(load_student(path), name)
    outcomes = []
    for arguments in argument_sets:
        try:
            outcomes.append(("ok", plain_numbers(function(*arguments))))
        except NotImplementedError:
            outcomes.append(("not implemented", "not implemented"))
        except Exception as error:  # noqa: BLE001 - the student's error is the result
            outcomes.append(("raised", f"raised {describe_error(error, path)}"))
    return outcomes


def plain_numbers(answer):
    """The answer as float arrays (a tuple/list stays one, part by part), so it pickles without student types."""
    if isinstance(answer, (tuple, list)):
        return type(answer)(plain_numbers(part) for part in answer)
    try:
        return np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"returned a {type(answer).__name__}, not numbers") from None


def describe_error(error: BaseException, path: str) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    where = f" (line {frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


# ---- in the checker's process --------------------------------------------------------------------

def student_pool(workers: int = 2, memory_mb: int = DEFAULT_MEMORY_MB) -> ProcessPool:
    """Worker processes for student code; a worker that times out or crashes is replaced by pebble."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    # NB: fork, not the runner's forkserver: a forkserver or spawn worker re-runs the main script (the CLI
    # imports torch, seconds per worker and again after every timeout); the students' code needs only numpy.
    context = multiprocessing.get_context("fork")
    return ProcessPool(max_workers=workers, context=context, initializer=limit_memory, initargs=(memory_mb,))


def submit(pool: ProcessPool, function, arguments: tuple, timeout_s: float):
    return pool.schedule(function, args=arguments, timeout=timeout_s)


def outcome(future, timeout_s: float) -> tuple[str, object]:
    """("ok", result) or (status, message) for a call that timed out, crashed or raised."""
    try:
        return "ok", future.result()
    except FutureTimeout:
        return "timed out", f"timed out after {timeout_s:g} s"
    except ProcessExpired as error:
        return "crashed", f"crashed (exit code {error.exitcode})"
    except MemoryError:
        return "crashed", "ran out of memory"
    except Exception as error:  # noqa: BLE001 - an import error, a SyntaxError...: the student's failure
        return "raised", f"raised {type(error).__name__}: {error}"
