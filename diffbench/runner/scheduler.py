"""One scheduler for every command: tasks to an executor under their limits; a lane stops at its first stopping outcome."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from diffbench.runner.executor import Failure, Limits, LocalExecutor
from diffbench.runner.interrupts import Interrupted, StopRequest

POLL_S = 0.2    # how often the scheduler looks at a pending interrupt while tasks run


@dataclass(frozen=True)
class Task:
    key: str                  # unique within a run; what the journal knows a finished task by
    fn: Callable              # module-level function run in the worker: fn(*args) -> a picklable value
    args: tuple
    limits: Limits
    label: str                # for people: progress, messages
    lane: tuple | None = None  # tasks of one lane run one after another, in the order given
    reuse: object = None      # tasks of one key may share a worker process (LocalExecutor's class docstring)


def timeout_stops_lane(task: Task, outcome) -> str | None:
    """The run's policy: a symbolic method that timed out at one size would only time out at larger ones."""
    if isinstance(outcome, Failure) and outcome.status == "timeout":
        return f"not run: {task.label} already timed out after {task.limits.seconds:g} s"
    return None


def run_tasks(tasks: list[Task], executor: LocalExecutor, on_done: Callable, stop: StopRequest | None = None,
              done: dict | None = None, stops_lane: Callable = timeout_stops_lane) -> None:
    """Run every task not in `done` (key -> outcome); on_done(task, outcome, seconds) as each ends.

    An outcome is the task's value or a Failure. stops_lane(task, outcome) -> a message for the lane's later
    tasks, which are then not run (each reported as Failure("skipped", message)), or None to go on."""
    done = done or {}
    lanes: dict = {}
    for task in tasks:
        if task.lane is not None:
            lanes.setdefault(task.lane, []).append(task)
    for lane in lanes.values():
        _past_done(lane, done, stops_lane, on_done)
    heads = {id(lane[0]): lane for lane in lanes.values() if lane}
    queue = [t for t in tasks if id(t) in heads or (t.lane is None and t.key not in done)]
    while queue or executor.busy():
        if stop is not None and stop.signum:
            executor.stop()
            raise Interrupted(stop.signum)
        while queue and executor.free() > 0:
            task = queue.pop(0)
            executor.submit(task, task.fn, task.args, task.limits, reuse=task.reuse)
        for task, outcome, seconds in executor.collect(POLL_S):
            if stop is not None and stop.signum and isinstance(outcome, Failure):
                continue    # NB: a worker killed by the same interrupt is no outcome of its task
            on_done(task, outcome, seconds)
            lane = lanes.get(task.lane) if task.lane is not None else None
            if not lane or lane[0] is not task:
                continue
            lane.pop(0)
            reason = stops_lane(task, outcome)
            if reason:
                _skip(lane, reason, on_done, done)
            elif _past_done(lane, done, stops_lane, on_done):
                queue.insert(0, lane[0])


def _past_done(lane: list, done: dict, stops_lane: Callable, on_done: Callable) -> bool:
    """Drop the lane's finished head tasks (stopping it where one of them stops it); True if a task is left."""
    while lane and lane[0].key in done:
        finished = lane.pop(0)
        reason = stops_lane(finished, done[finished.key])
        if reason:
            _skip(lane, reason, on_done, done)
    return bool(lane)


def _skip(lane: list, reason: str, on_done: Callable, done: dict) -> None:
    for later in lane:
        if later.key not in done:
            on_done(later, Failure("skipped", reason), 0.0)
    lane.clear()
