"""The dask executor: each task goes to a dask worker and runs there under the local executor's isolation."""
from __future__ import annotations

import multiprocessing
import queue
import sys
import time

from diffbench.runner.executor import Failure, Limits, LocalExecutor, start_fork_server
from diffbench.runner.interrupts import Interrupted

CONNECT_TIMEOUT_S = 5          # a scheduler that does not answer within this is a bad address
UNREACHABLE_S = 15.0           # the scheduler out of reach this long: the run stops
NO_WORKERS_S = 60.0            # the scheduler without a worker this long, after it had some: the run stops
WATCH_EVERY_S = 1.0            # how often the client asks the scheduler for its workers
WORKER_POLL_S = 0.5            # how often the task on a worker looks at its forked child
IN_FLIGHT_PER_THREAD = 2       # tasks handed to the scheduler per worker thread: the next waits there, not here
INSTALL_HINT = "pip install 'diffbench[cluster]'"
CLUSTER_LOST_EXIT_CODE = 3


class ClusterUnavailable(Exception):
    """--dask cannot be used: the extra is not installed, or no scheduler answers at the address."""


class ClusterLost(Interrupted):
    """The cluster went away mid-run: the run stops as interrupted; what finished is in the journal."""

    def __init__(self, message: str):
        Exception.__init__(self, message)
        self.signum = 0

    @property
    def exit_code(self) -> int:
        return CLUSTER_LOST_EXIT_CODE


def run_isolated(fn, args: tuple, limits: Limits, preload: tuple = ()) -> tuple:
    """On a dask worker: the task in a forked child with its budget and memory limit, as a local run does it.

    Returns (value or Failure, seconds in the child)."""
    executor = LocalExecutor(1, prepare_worker(preload))
    try:
        executor.submit(None, fn, args, limits)
        while True:
            for _, outcome, seconds in executor.collect(WORKER_POLL_S):
                return outcome, seconds
    finally:
        executor.stop()


def prepare_worker(preload: tuple = ()) -> tuple:
    """On a dask worker: allow it children and start its fork server; returns what the fork server preloads.

    Idempotent: run on every worker when the run connects (so the fork server's imports of torch and sympy
    overlap with the run's start) and again by each task, for workers that joined later."""
    process = multiprocessing.current_process()
    if process.daemon:
        # NB: dask's nanny starts its worker as a daemonic process, which multiprocessing forbids to have
        # children. Ours cannot outlive it: they are forked by this worker's fork server, which exits with the
        # worker, and PR_SET_PDEATHSIG kills them with the fork server.
        process.daemon = False
    modules = (*preload, *worker_main_module())
    start_fork_server(modules)
    return modules


def worker_main_module() -> tuple:
    """The worker's main module (distributed.cli.dask_worker), for its fork server to import once.

    NB: multiprocessing re-runs the parent's main module in every forked child; without it preloaded, each
    child would import dask.distributed again (about a second of every task's budget)."""
    name = getattr(getattr(sys.modules.get("__main__"), "__spec__", None), "name", None)
    return (name,) if name and not name.endswith("__main__") else ()


def import_distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterUnavailable(f"--dask needs dask.distributed, which is not installed: {INSTALL_HINT}") from None
    return distributed


def connect(address: str, workers: int) -> tuple:
    """(Client, LocalCluster or None) for --dask ADDRESS|local; ClusterUnavailable when that cannot be had."""
    distributed = import_distributed()
    cluster = None
    try:
        if address == "local":
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               dashboard_address=None)
            return distributed.Client(cluster, timeout=CONNECT_TIMEOUT_S, set_as_default=False), cluster
        # NB: the scheme first: a Client that fails on an unknown scheme leaves a half-made object whose __del__
        # prints a traceback seconds after the one-line error
        from distributed.comm import parse_address
        from distributed.comm.registry import get_backend
        get_backend(parse_address(address)[0])
        return distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False), None
    except Exception as error:  # noqa: BLE001 - a bad address fails in many ways (OSError, ValueError, timeout)
        if cluster is not None:
            cluster.close()
        raise ClusterUnavailable(f"--dask {address}: no dask scheduler answers there ({one_line(error)})") from None


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class DaskExecutor:
    """The executor interface of LocalExecutor (submit, collect, free, busy, stop) over a dask cluster.

    address: tcp://host:port of a running scheduler, or "local" for a LocalCluster of `workers` processes here.
    At most IN_FLIGHT_PER_THREAD tasks per worker thread are in flight (dask runs them in the order given; a
    lane's next task is only submitted when its last one ended, as locally); a task on a worker that dies is
    rescheduled by the scheduler on another worker."""

    def __init__(self, address: str, workers: int, preload=()):
        self.preload = tuple(preload)
        self.client, self.cluster = connect(address, workers)
        self.address = self.client.scheduler.address
        try:
            self.client.run(prepare_worker, self.preload)
        except Exception as error:  # noqa: BLE001 - whatever a worker says, the run cannot use it
            self.close()
            raise ClusterUnavailable(f"--dask {address}: its workers cannot run diffbench (the same diffbench "
                                     f"must be installed there): {one_line(error)}") from None
        self.running: dict = {}        # future -> tag
        self._ended: queue.Queue = queue.Queue()   # futures whose task ended, put there by dask's callback
        self._trouble_since: float | None = None   # since when the scheduler is out of reach or without workers
        self._lost = ""               # why the cluster is gone, once it is
        self._watched = time.monotonic()
        self._threads = self._count_threads()
        self._had_workers = bool(self._threads)

    def describe(self) -> dict:
        """What meta.json records of the executor."""
        threads = self._count_threads()
        return {"kind": "dask", "address": "local" if self.cluster else self.address,
                "scheduler": self.address, "workers": len(threads), "threads": sum(threads.values())}

    def _count_threads(self) -> dict:
        try:
            return dict(self.client.nthreads())
        except Exception:  # noqa: BLE001 - the scheduler out of reach: collect() decides what that means
            return {}

    def free(self) -> int:
        return IN_FLIGHT_PER_THREAD * max(1, sum(self._threads.values())) - len(self.running)

    def busy(self) -> bool:
        return bool(self.running)

    def submit(self, tag, fn, args: tuple, limits: Limits, reuse=None) -> None:
        """reuse is not used: on a cluster each task runs in its own child of its dask worker."""
        future = self.client.submit(run_isolated, fn, args, limits, self.preload, pure=False)
        self.running[future] = tag
        future.add_done_callback(self._ended.put)

    def collect(self, timeout: float) -> list[tuple]:
        """(tag, value or Failure, seconds) of every task that ended within `timeout` seconds."""
        if self._lost:     # NB: raised after the results that came with the loss were handed over
            raise ClusterLost(self._lost)
        if not self.running:
            return []
        ended = []
        try:
            ended.append(self._ended.get(timeout=timeout))
            while True:
                ended.append(self._ended.get_nowait())
        except queue.Empty:
            pass
        finished = []
        for future in ended:
            if future not in self.running:
                continue    # NB: cancelled by stop()
            if future.status == "cancelled":    # NB: only the scheduler's loss cancels our futures
                self._lost = "the dask scheduler lost this run's tasks"
                continue
            tag = self.running.pop(future)
            try:
                outcome, seconds = future.result()
            except Exception as error:  # noqa: BLE001 - e.g. KilledWorker: the task took down several workers
                message = f"on the dask cluster: {type(error).__name__}: {one_line(error)}"
                outcome, seconds = Failure("failed", message), 0.0
            finished.append((tag, outcome, seconds))
        self._watch_cluster()
        return finished

    def _watch_cluster(self) -> None:
        """The cluster counts as lost once its scheduler has been out of reach for UNREACHABLE_S, or without
        workers for NO_WORKERS_S after it had some. NB: a scheduler whose workers have not come yet (a batch
        queue) is waited for: the progress bar stands still and Ctrl-C stops the run as usual."""
        if time.monotonic() - self._watched < WATCH_EVERY_S:
            return
        self._watched = time.monotonic()
        reachable = self.client.status == "running"
        self._threads = self._count_threads() if reachable else {}
        self._had_workers = self._had_workers or bool(self._threads)
        if self._threads or (reachable and not self._had_workers):
            self._trouble_since = None
            return
        now = time.monotonic()
        self._trouble_since = self._trouble_since or now
        patience, what = (NO_WORKERS_S, "has had no workers") if reachable else (UNREACHABLE_S, "has been out of reach")
        if now - self._trouble_since >= patience:
            self._lost = f"the dask scheduler at {self.address} {what} for {patience:g} s"

    def stop(self) -> None:
        """Cancel every task in flight (a task already running on a worker ends at its budget at the latest)."""
        if self.running and self.client.status == "running":
            try:
                self.client.cancel(list(self.running))
            except Exception:  # noqa: BLE001 - a cluster that is gone has nothing left to cancel
                pass
        self.running.clear()

    def close(self) -> None:
        close_cluster(self.client, self.cluster)

    def __enter__(self):

        return self

    def __exit__(self, *exc):
        self.stop()
        self.close()
        return False


def close_cluster(client, cluster) -> None:
    for closable in (client, cluster):
        if closable is not None:
            try:
                closable.close()
            except Exception:  # noqa: BLE001 - closing a connection to a dead cluster may fail; nothing to keep
                pass
