"""The local executor: each task in its own worker process, with a time budget, a memory limit and its own process group."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import wait

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PRELOAD = ["diffbench.runner.worker", "diffbench.cli"]   # imported once by the fork server, shared by all workers
PR_SET_PDEATHSIG = 1
_NOTHING = object()    # no outcome yet (a task's value may well be None)


@dataclass(frozen=True)
class Limits:
    seconds: float          # wall-clock budget, from submission
    memory_mb: int          # how far the worker's address space may grow beyond what it starts with


@dataclass(frozen=True)
class Failure:
    """A task that gave no value: timeout, or a worker that died or raised a BaseException."""
    status: str             # timeout | failed | skipped
    message: str


def single_thread_environment() -> None:
    """One BLAS/OpenMP thread per worker: set before the fork server starts, so every worker inherits it."""
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


def single_thread_torch() -> None:
    """Inside a worker: one torch intra-op thread, as its BLAS has, where the fork server preloaded torch.

    NB: torch is not imported here (that alone takes seconds of a job's budget); a job that imports it later
    inherits OMP_NUM_THREADS=1 from single_thread_environment.
    """
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def preload_modules(extra=()) -> list[str]:
    """What the fork server imports once for all workers: the worker, the default methods' modules (torch,
    sympy) and `extra` (the modules of the methods a run chose, jax among them when asked for)."""
    from diffbench.methods import DEFAULT_METHODS, method_modules
    return list(dict.fromkeys([*PRELOAD, *method_modules(DEFAULT_METHODS), *extra]))


def start_fork_server(preload=()) -> None:
    """Start the workers' fork server now, so its imports overlap with the parent's own (a command's first step).
    NB: one fork server serves a process: the first executor or this call decides what it preloads."""
    single_thread_environment()
    multiprocessing.set_forkserver_preload(preload_modules(preload))
    forkserver.ensure_running()


def describe_base_exception(error: BaseException) -> str:
    """What a BaseException that escaped the task means, in the user's words."""
    if isinstance(error, SystemExit):
        return f"the case called sys.exit({error.code!r})"
    if isinstance(error, KeyboardInterrupt):
        return "the case raised KeyboardInterrupt"
    return f"{type(error).__name__}: {error}"


def describe_exit(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"worker process killed by {name}" + (" (a crash in native code)" if name == "SIGSEGV" else "")
    return f"worker process exited with code {exitcode} without a result (the case called os._exit?)"


def _limit_memory(megabytes: int) -> None:
    try:
        with open("/proc/self/statm") as statm:
            baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # NB: no /proc (macOS): RLIMIT_AS is not enforced there anyway
        return
    limit = baseline + megabytes * 2 ** 20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _worker_main(fn, args, memory_mb: int, connection, run_pid: int) -> None:
    """Inside the worker: own process group, die with the fork server, ignore the terminal's Ctrl-C, run, send."""
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
    _limit_memory(memory_mb)
    try:
        message = ("value", fn(*args))
    except BaseException as error:  # noqa: BLE001 - whatever a case does, it becomes this task's record
        message = ("failure", describe_base_exception(error))
    try:
        connection.send(message)
    except BaseException as error:  # noqa: BLE001 - an unpicklable value is the task's failure, not a hang
        connection.send(("failure", f"result could not be sent back: {type(error).__name__}: {error}"))
    connection.close()
    os._exit(0)   # NB: no atexit handlers or buffered output of the case's making


@dataclass
class _Running:
    tag: object
    process: multiprocessing.Process
    connection: object
    deadline: float
    budget_s: float
    started: float


class LocalExecutor:
    """Up to `workers` tasks at a time, each in a fresh process forked from one fork server."""

    def __init__(self, workers: int, preload=(), start_method: str = "forkserver"):
        """preload: more modules for the fork server to import once (the methods a run uses), so that no
        job's time budget pays for importing torch, sympy or jax.
        start_method "fork": each worker forks this process instead, for light tasks (loading case files) that
        need none of the fork server's modules and need not wait while it imports them (Linux only)."""
        single_thread_environment()
        self.workers = workers
        if start_method == "fork" and sys.platform != "linux":
            start_method = "forkserver"   # NB: forking a process that may hold system frameworks is unsafe there
        self.context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self.context.set_forkserver_preload(preload_modules(preload))
        self.running: list[_Running] = []
        self._unstarted: list[tuple] = []     # (tag, Failure, 0.0) of tasks whose worker could not start
        self._exiting: list = []              # killed workers not yet reaped (their exit takes the kernel a while)

    def free(self) -> int:
        return self.workers - len(self.running)

    def busy(self) -> bool:
        return bool(self.running or self._unstarted)

    def submit(self, tag, fn, args: tuple, limits: Limits) -> None:
        receive, send = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_worker_main, daemon=True,
                                       args=(fn, args, limits.memory_mb, send, os.getpid()))
        try:
            process.start()
        except (OSError, EOFError) as error:   # e.g. the fork server was killed along with the run's group
            receive.close()
            self._unstarted.append((tag, Failure("failed", f"could not start a worker process: {error}"), 0.0))
            return
        finally:
            send.close()
        now = time.monotonic()
        self.running.append(_Running(tag, process, receive, now + limits.seconds, limits.seconds, now))

    def collect(self, timeout: float) -> list[tuple]:
        """(tag, value or Failure, seconds) of every task that ended within `timeout` seconds."""
        if self._unstarted:
            unstarted, self._unstarted = self._unstarted, []
            return unstarted
        if not self.running:
            return []
        now = time.monotonic()
        wake = min(timeout, max(0.0, min(r.deadline for r in self.running) - now))
        ready = set(wait([r.connection for r in self.running] + [r.process.sentinel for r in self.running], wake))
        finished, now = [], time.monotonic()
        for task in list(self.running):
            outcome = _NOTHING
            if task.connection in ready:
                try:
                    kind, value = task.connection.recv()
                    outcome = value if kind == "value" else Failure("failed", value)
                except (EOFError, OSError):
                    pass
            if outcome is _NOTHING and task.process.sentinel in ready:
                task.process.join(1)
                outcome = Failure("failed", describe_exit(task.process.exitcode))
            if outcome is _NOTHING and now >= task.deadline:
                outcome = Failure("timeout", f"timed out after {task.budget_s:g} s")
            if outcome is not _NOTHING:
                self._end(task)
                finished.append((task.tag, outcome, now - task.started))
        return finished

    def _end(self, task: _Running) -> None:
        """Kill the task's process group; reap the worker later, so the next task need not wait for its exit."""
        self.running.remove(task)
        _kill_group(task.process)
        task.connection.close()
        self._exiting.append(task.process)
        self._exiting = [process for process in self._exiting if not _reaped(process)]

    def stop(self) -> None:
        """Kill every running task's process group (the task's own children included) and reap every worker."""
        for task in list(self.running):
            self._end(task)
        for process in self._exiting:
            process.join(5)
        self._exiting.clear()
        self._unstarted.clear()


def _reaped(process) -> bool:
    process.join(0)
    return process.exitcode is not None


def _kill_group(process) -> None:
    if process.pid is None:
        return
    for kill in (lambda: os.killpg(process.pid, signal.SIGKILL), lambda: os.kill(process.pid, signal.SIGKILL)):
        try:
            kill()
            return
        except (ProcessLookupError, PermissionError):
            continue

