"""The local executor: tasks in worker processes, each with a time budget, a memory limit and its own process group."""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import wait

from diffbench.runner.worker_process import worker_main

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PRELOAD = ["diffbench.runner.worker", "diffbench.cli"]   # imported once by the fork server, shared by all workers
WARM_UP = "diffbench.runner.warm_workers"   # imported after them: runs the preloaded methods' warm-ups
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


def preload_modules(extra=()) -> list[str]:
    """What the fork server imports once for all workers: the worker, the default methods' modules (torch,
    sympy), `extra` (the modules of the methods a run chose, jax among them when asked for) and, last, the
    module that runs their warm-ups (sympy's lazy imports), so that no job's timing pays them."""
    from diffbench.methods import DEFAULT_METHODS, method_modules
    return list(dict.fromkeys([*PRELOAD, *method_modules(DEFAULT_METHODS), *extra, WARM_UP]))


def start_fork_server(preload=()) -> None:
    """Start the workers' fork server now, so its imports overlap with the parent's own (a command's first step).
    NB: one fork server serves a process: the first executor or this call decides what it preloads."""
    single_thread_environment()
    multiprocessing.set_forkserver_preload(preload_modules(preload))
    forkserver.ensure_running()


def describe_exit(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"worker process killed by {name}" + (" (a crash in native code)" if name == "SIGSEGV" else "")
    return f"worker process exited with code {exitcode} without a result (the case called os._exit?)"


@dataclass
class _Worker:
    process: multiprocessing.Process
    connection: object        # duplex: (fn, args) go out, ("value" | "failure", payload, kept) come back
    reuse: object             # the kind of task it serves (None: one task, then it exits)
    memory_mb: int


@dataclass
class _Running:
    tag: object
    worker: _Worker
    deadline: float
    budget_s: float
    started: float


class LocalExecutor:
    """Up to `workers` tasks at a time, in processes forked from one fork server.

    A task submitted with a reuse key may run in a worker kept from an earlier task of the same key (and memory
    limit), which saves the ~20 ms a fork of the preloaded fork server and its exit cost each task; every other
    task gets a fresh process. A worker is kept only while nothing its last task started still runs and its
    address space grew by under a quarter of the memory limit (worker_process.fit_for_another); a timeout, a
    crash or an exit ends it, and with it that task alone. NB: tasks sharing a key share a process's module
    state: give one only to tasks whose code keeps none between calls (a run keys its jobs by case file)."""

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
        self._idle: list[_Worker] = []        # kept workers waiting for a task of their key
        self._unstarted: list[tuple] = []     # (tag, Failure, 0.0) of tasks whose worker could not start
        self._exiting: list = []              # killed workers not yet reaped (their exit takes the kernel a while)

    def free(self) -> int:
        return self.workers - len(self.running)

    def busy(self) -> bool:
        return bool(self.running or self._unstarted)

    def submit(self, tag, fn, args: tuple, limits: Limits, reuse=None) -> None:
        """Run fn(*args) under limits; reuse: a key of the task's kind (see the class), or None."""
        worker = self._kept_worker(reuse, limits.memory_mb, fn, args)
        if worker is None:
            while self._idle and len(self._idle) + len(self.running) >= self.workers:
                self._retire(self._idle.pop(0))    # NB: a slot holds one process, busy or kept
            worker = self._start(tag, fn, args, limits, reuse)
            if worker is None:
                return
        now = time.monotonic()
        self.running.append(_Running(tag, worker, now + limits.seconds, limits.seconds, now))

    def _kept_worker(self, reuse, memory_mb: int, fn, args) -> _Worker | None:
        """A kept worker of this key and limit, handed fn and args; None where there is none (or it died)."""
        if reuse is None:
            return None
        for worker in list(self._idle):
            if worker.reuse == reuse and worker.memory_mb == memory_mb:
                self._idle.remove(worker)
                try:
                    worker.connection.send((fn, args))
                    return worker
                except (OSError, EOFError):   # NB: it died while idle: a fresh worker takes the task
                    self._retire(worker)
                    return None
        return None

    def _start(self, tag, fn, args: tuple, limits: Limits, reuse) -> _Worker | None:
        ours, theirs = self.context.Pipe(duplex=True)
        process = self.context.Process(target=worker_main, daemon=True,
                                       args=(fn, args, limits.memory_mb, theirs, os.getpid(), reuse is not None))
        try:
            process.start()
        except (OSError, EOFError) as error:   # e.g. the fork server was killed along with the run's group
            ours.close()
            self._unstarted.append((tag, Failure("failed", f"could not start a worker process: {error}"), 0.0))
            return None
        finally:
            theirs.close()
        return _Worker(process, ours, reuse, limits.memory_mb)

    def collect(self, timeout: float) -> list[tuple]:
        """(tag, value or Failure, seconds) of every task that ended within `timeout` seconds."""
        if self._unstarted:
            unstarted, self._unstarted = self._unstarted, []
            return unstarted
        if not self.running:
            return []
        now = time.monotonic()
        wake = min(timeout, max(0.0, min(r.deadline for r in self.running) - now))
        ready = set(wait([r.worker.connection for r in self.running]
                         + [r.worker.process.sentinel for r in self.running], wake))
        finished, now = [], time.monotonic()
        for task in list(self.running):
            outcome, kept, worker = _NOTHING, False, task.worker
            if worker.connection in ready:
                try:
                    kind, value, kept = worker.connection.recv()
                    outcome = value if kind == "value" else Failure("failed", value)
                except (EOFError, OSError):
                    pass
            if outcome is _NOTHING and worker.process.sentinel in ready:
                worker.process.join(1)
                outcome = Failure("failed", describe_exit(worker.process.exitcode))
            if outcome is _NOTHING and now >= task.deadline:
                outcome = Failure("timeout", f"timed out after {task.budget_s:g} s")
            if outcome is not _NOTHING:
                self.running.remove(task)
                if kept and worker.reuse is not None:
                    self._idle.append(worker)
                else:
                    self._retire(worker)
                finished.append((task.tag, outcome, now - task.started))
        return finished

    def _retire(self, worker: _Worker) -> None:
        """Kill the worker's process group; reap it later, so the next task need not wait for its exit."""
        _kill_group(worker.process)
        worker.connection.close()
        self._exiting.append(worker.process)
        self._exiting = [process for process in self._exiting if not _reaped(process)]

    def stop(self) -> None:
        """Kill every worker's process group (the tasks' own children included) and reap every worker."""
        for task in list(self.running):
            self.running.remove(task)
            self._retire(task.worker)
        while self._idle:
            self._retire(self._idle.pop())
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
