"""Run the student worker in its own process group: feed the request, collect events and output, kill what is left."""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from diffbench.check.sandbox import Sandbox, worker_environment

DEFAULT_MEMORY_MB = 2048
STARTUP_S = 30.0                 # the worker's own start (interpreter, numpy) before the student's time runs
OUTPUT_HEAD = OUTPUT_TAIL = 4096  # bytes of student output kept from the start and from the end
CONTROL_LIMIT = 64 * 2 ** 20     # bytes of events a worker may send
DRAIN_S = 0.5                    # how long output is read after the worker is gone
PR_SET_CHILD_SUBREAPER = 36
GONE_S = 5.0                     # how long killed student processes may take to disappear


@dataclass(frozen=True)
class Limits:
    time_s: float = 10.0
    memory_mb: int = DEFAULT_MEMORY_MB
    extra_processes: int = 16
    file_mb: int = 16
    open_files: int = 64

    def for_worker(self) -> dict:
        return {"cpu_s": int(self.time_s) + 2, "memory_mb": self.memory_mb, "extra_processes": self.extra_processes,
                "file_mb": self.file_mb, "open_files": self.open_files}


class CappedOutput:
    """The student's stdout and stderr as they came: the first and last few KB, and how much was left out."""

    def __init__(self):
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = OUTPUT_HEAD - len(self.head)
        self.head += data[:max(room, 0)]
        self.tail = (self.tail + data[max(room, 0):])[-OUTPUT_TAIL:]

    @property
    def left_out(self) -> int:
        return self.total - len(self.head) - len(self.tail)

    def text(self) -> str:
        head, tail = clean(bytes(self.head)), clean(bytes(self.tail))
        if not self.left_out:
            return head + tail
        return f"{head}\n[... {self.left_out} more bytes of output not shown ...]\n{tail}"


def clean(data: bytes) -> str:
    """Decoded, without terminal control characters (a student cannot move the cursor over the verdict)."""
    text = data.decode("utf-8", errors="replace")
    return "".join(c if c in "\n\t" or (c.isprintable()) else "?" for c in text)


@dataclass
class WorkerRun:
    events: list = field(default_factory=list)   # the worker's JSON events, in order
    returncode: int | None = None
    timed_out: bool = False
    protocol_error: str = ""                      # the events could not be read
    output: CappedOutput = field(default_factory=CappedOutput)
    seconds: float = float("nan")                 # from the worker's start event to its end

    def event(self, name: str) -> dict | None:
        return next((e for e in self.events if e.get("event") == name), None)


class ProcessKeeper:
    """Tracks the worker processes of one check; without a PID namespace, also adopts and kills their orphans."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.lock = threading.Lock()
        self.workers = set()
        self.adopting = sandbox.kind == "none" and set_child_subreaper()
        self.before = set(children_of(os.getpid())) if self.adopting else set()

    def start(self, command: list, control_fd: int, cwd: str) -> subprocess.Popen:
        with self.lock:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, pass_fds=(control_fd,), start_new_session=True,
                                       env=worker_environment(), cwd=cwd)
            self.workers.add(process.pid)
        return process

    def finish(self, process: subprocess.Popen) -> None:
        """Kill every process the worker started, its process group (and, without a sandbox, every orphan
        it left), then reap it and wait until the killed are gone."""
        tree = descendants(process.pid)
        for pid in tree:
            kill_group(pid)
            kill(pid)
        kill_group(process.pid)
        kill(process.pid)
        process.wait()
        gone_by = time.monotonic() + GONE_S
        while any(alive(pid) for pid in tree) and time.monotonic() < gone_by:
            time.sleep(0.01)
        with self.lock:
            self.workers.discard(process.pid)
            if self.adopting:
                self.kill_orphans()

    def kill_orphans(self) -> None:
        for _ in range(50):
            orphans = [pid for pid in children_of(os.getpid()) if pid not in self.workers and pid not in self.before]
            if not orphans:
                return
            for pid in orphans:
                kill_group(pid)
                kill(pid)
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass


def set_child_subreaper() -> bool:
    """Orphans of student processes (double-forked daemons) become our children instead of init's."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children_of(pid: int) -> list[int]:
    """The children of every thread of `pid` (a child belongs to the thread that forked it)."""
    found = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/children") as listing:
                found += [int(child) for child in listing.read().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (in a sandbox: the worker and all it forked, daemons included)."""
    found, frontier = [], [pid]
    while frontier and len(found) < 10_000:
        children = [child for parent in frontier for child in children_of(parent)]
        found += children
        frontier = children
    return found


def alive(pid: int) -> bool:
    """Running (a zombie is dead: only its parent's wait is missing)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def run_worker(keeper: ProcessKeeper, source: Path, request: dict, limits: Limits,
               python: str = sys.executable) -> WorkerRun:
    """Run the worker on `source` with `request`; the student's time starts at its start event."""
    run = WorkerRun()
    read_control, write_control = os.pipe()
    with tempfile.TemporaryDirectory(prefix="diffbench-check-") as scratch:
        try:
            process = keeper.start(keeper.sandbox.command(python, source, write_control), write_control, scratch)
        finally:
            os.close(write_control)
        try:
            exchange(process, read_control, json.dumps({**request, "limits": limits.for_worker()}).encode(),
                     limits.time_s, run)
        finally:
            keeper.finish(process)
            os.close(read_control)
        run.returncode = process.returncode
    return run


def exchange(process: subprocess.Popen, control: int, request: bytes, time_s: float, run: WorkerRun) -> None:
    """Write the request, read events and output until the worker ends or its time is up."""
    selector = selectors.DefaultSelector()
    os.set_blocking(process.stdin.fileno(), False)
    selector.register(process.stdin, selectors.EVENT_WRITE)
    for stream in (process.stdout, process.stderr):
        selector.register(stream, selectors.EVENT_READ)
    selector.register(control, selectors.EVENT_READ)
    buffer, pending = bytearray(), memoryview(request)
    deadline, started, ended, answered = time.monotonic() + STARTUP_S + time_s, None, None, None
    try:
        while selector.get_map() or ended is None:
            now = time.monotonic()
            if now >= deadline:
                run.timed_out = ended is None
                break
            if selector.get_map():
                ready = selector.select(timeout=min(deadline - now, 0.2))
            else:
                ready = []
                time.sleep(min(deadline - now, 0.05))    # NB: it closed every pipe and may still be running
            for key, _ in ready:
                if key.fileobj is process.stdin:
                    pending = pending[write_some(process.stdin, pending, selector):]
                    continue
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                elif key.fileobj is control:
                    buffer += data
                    if len(buffer) > CONTROL_LIMIT:
                        run.protocol_error = "the worker sent more than 64 MiB of events"
                        return
                    if started is None and b'"start"' in buffer:
                        started = time.monotonic()
                        deadline = started + time_s
                    if answered is None and b'"done"' in buffer:
                        answered = time.monotonic()
                else:
                    run.output.add(data)
            if ended is None and process.poll() is not None:
                ended = time.monotonic()        # NB: output a daemon still writes is read for DRAIN_S only
                deadline = min(deadline, ended + DRAIN_S)
    finally:
        selector.close()
        run.seconds = (answered or ended or time.monotonic()) - started if started else float("nan")
        run.events, problem = parse_events(bytes(buffer))
        run.protocol_error = run.protocol_error or problem


def write_some(stdin, pending: memoryview, selector) -> int:
    try:
        written = os.write(stdin.fileno(), pending[:65536]) if len(pending) else 0
    except (BrokenPipeError, OSError):
        written = len(pending)
    if written == len(pending):
        selector.unregister(stdin)
        stdin.close()
    return written


def parse_events(data: bytes) -> tuple[list, str]:
    events = []
    for line in data.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            return events, "the worker's reply was not JSON"
        if not isinstance(event, dict) or not isinstance(event.get("event"), str):
            return events, "the worker's reply was not a list of events"
        events.append(event)
    return events, ""
