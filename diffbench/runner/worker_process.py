"""Inside a worker process: its own process group and limits, one task or a series of tasks of one kind, the answers."""
from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
import threading
from pathlib import Path

from diffbench.error_text import error_text

PR_SET_PDEATHSIG = 1
# A worker kept for further tasks retires once its address space has grown by this share of its memory limit
# since it started, so that every task it serves keeps most of the headroom a fresh worker would give it.
GROWTH_SHARE = 0.25


def single_thread_torch() -> None:
    """Inside a worker: one torch intra-op thread, as its BLAS has, where the fork server preloaded torch.

    NB: torch is not imported here (that alone takes seconds of a job's budget); a job that imports it later
    inherits OMP_NUM_THREADS=1 from the executor's single_thread_environment.
    """
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def describe_base_exception(error: BaseException) -> str:
    """What a BaseException that escaped the task means, in the user's words."""
    if isinstance(error, SystemExit):
        return f"the case called sys.exit({error.code!r})"
    if isinstance(error, KeyboardInterrupt):
        return "the case raised KeyboardInterrupt"
    return error_text(error)


def address_space() -> int | None:
    """Bytes of this process's address space (what RLIMIT_AS limits); None without /proc."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return None


def limit_memory(megabytes: int) -> int | None:
    """RLIMIT_AS at the current address space + megabytes; returns that baseline (None: not enforced here)."""
    baseline = address_space()
    if baseline is None:  # NB: no /proc (macOS): RLIMIT_AS is not enforced there anyway
        return None
    limit = baseline + megabytes * 2 ** 20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    return baseline


def left_children() -> bool:
    """Whether a task left a child process or a Python thread running (True where /proc cannot tell)."""
    if threading.active_count() > 1:
        return True
    try:
        listed = [path.read_text() for path in Path("/proc/self/task").glob("*/children")]
    except OSError:
        return True
    return not listed or any(text.strip() for text in listed)   # NB: no such files (a kernel without them)


def fit_for_another(baseline: int | None, megabytes: int) -> bool:
    """A worker may serve another task: nothing of the last one still runs, and most headroom is left."""
    if baseline is None or left_children():
        return False
    now = address_space()
    return now is not None and now - baseline <= GROWTH_SHARE * megabytes * 2 ** 20


def worker_main(fn, args, memory_mb: int, connection, run_pid: int, reusable: bool) -> None:
    """Own process group, die with the fork server, ignore the terminal's Ctrl-C; run the task and send its
    answer, ("value" | "failure", payload, kept). kept: this worker waits on `connection` for another
    (fn, args) of the same kind (only when reusable and fit_for_another); otherwise it exits."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # NB: the parent decides what an interrupt means
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # NB: not Linux: orphans are stopped by the parent's handlers only
        pass
    try:
        os.kill(run_pid, 0)          # NB: the run died before prctl took effect: nothing would stop this worker
    except ProcessLookupError:
        os._exit(1)
    single_thread_torch()
    baseline = limit_memory(memory_mb)
    while True:
        try:
            kind, payload = "value", fn(*args)
        except BaseException as error:  # noqa: BLE001 - whatever a case does, it becomes this task's record
            kind, payload = "failure", describe_base_exception(error)
        kept = reusable and fit_for_another(baseline, memory_mb)
        try:
            connection.send((kind, payload, kept))
        except BaseException as error:  # noqa: BLE001 - an unpicklable value is the task's failure, not a hang
            kept = False
            connection.send(("failure", f"result could not be sent back: {error_text(error)}", False))
        if not kept:
            break
        try:
            fn, args = connection.recv()
        except (EOFError, OSError):
            break
    connection.close()
    os._exit(0)   # NB: no atexit handlers or buffered output of the case's making
