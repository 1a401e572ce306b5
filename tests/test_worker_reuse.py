"""Kept workers: tasks of one key share a process only while it is clean; exits, timeouts and leftovers end it."""
import os
import subprocess
import time

from diffbench.runner.executor import Failure, LocalExecutor, Limits
from diffbench.runner.scheduler import Task, run_tasks
from test_runner import sleeping   # NB: the same /proc scan as the timeout test's

HELD = []     # what hold_memory keeps alive in its worker


def pid_of_worker():
    return os.getpid()


def exits_hard():
    os._exit(7)


def sleeps(seconds):
    time.sleep(seconds)
    return os.getpid()


def leaves_a_child(marker):
    subprocess.Popen(["sleep", marker])
    return os.getpid()


def hold_memory(megabytes):
    HELD.append(bytearray(megabytes * 2 ** 20))
    return os.getpid()


def run_in_order(tasks, workers=1):
    seen = {}
    run_tasks(tasks, LocalExecutor(workers), lambda task, outcome, seconds: seen.__setitem__(task.key, outcome))
    return seen


def test_tasks_of_one_key_share_a_process_and_others_get_their_own():
    limits = Limits(30, 512)
    tasks = [Task(f"a{i}", pid_of_worker, (), limits, "a", reuse="a") for i in range(4)]
    tasks += [Task(f"n{i}", pid_of_worker, (), limits, "n") for i in range(3)]
    seen = run_in_order(tasks)
    assert len({seen[f"a{i}"] for i in range(4)}) == 1
    assert len({seen[f"n{i}"] for i in range(3)} | {seen["a0"]}) == 4
    assert os.getpid() not in seen.values()


def test_a_different_key_or_memory_limit_gets_a_fresh_process():
    tasks = [Task("a", pid_of_worker, (), Limits(30, 512), "a", reuse="a"),
             Task("b", pid_of_worker, (), Limits(30, 512), "b", reuse="b"),
             Task("b-more-memory", pid_of_worker, (), Limits(30, 1024), "b", reuse="b"),
             Task("b-again", pid_of_worker, (), Limits(30, 1024), "b", reuse="b")]
    seen = run_in_order(tasks)
    assert len({seen["a"], seen["b"], seen["b-more-memory"]}) == 3
    assert seen["b-again"] == seen["b-more-memory"]


def test_an_exit_or_a_timeout_ends_only_its_own_task_in_a_kept_worker():
    limits = Limits(30, 512)
    tasks = [Task("first", pid_of_worker, (), limits, "first", reuse="k"),
             Task("exits", exits_hard, (), limits, "exits", reuse="k"),
             Task("after-exit", pid_of_worker, (), limits, "after", reuse="k"),
             Task("hangs", sleeps, (60,), Limits(1.0, 512), "hangs", reuse="k"),
             Task("after-timeout", pid_of_worker, (), limits, "after", reuse="k")]
    seen = run_in_order(tasks)
    assert seen["exits"] == Failure("failed", "worker process exited with code 7 without a result "
                                              "(the case called os._exit?)")
    assert seen["hangs"] == Failure("timeout", "timed out after 1 s")
    assert len({seen["first"], seen["after-exit"], seen["after-timeout"]}) == 3


def test_a_task_that_leaves_a_child_running_is_not_followed_in_its_process_and_the_child_is_killed():
    marker = "27.1828"     # a sleep only this test starts
    limits = Limits(30, 512)
    seen = run_in_order([Task("spawns", leaves_a_child, (marker,), limits, "spawns", reuse="k"),
                         Task("next", pid_of_worker, (), limits, "next", reuse="k")])
    assert seen["spawns"] != seen["next"]
    time.sleep(0.5)
    assert sleeping(marker) == []


def test_a_worker_whose_memory_grew_past_a_quarter_of_its_limit_retires():
    limits = Limits(30, 400)
    seen = run_in_order([Task("small", hold_memory, (20,), limits, "small", reuse="k"),
                         Task("still-kept", hold_memory, (20,), limits, "kept", reuse="k"),
                         Task("big", hold_memory, (120,), limits, "big", reuse="k"),
                         Task("fresh", pid_of_worker, (), limits, "fresh", reuse="k")])
    assert seen["small"] == seen["still-kept"] == seen["big"]
    assert seen["fresh"] != seen["big"]


def test_two_workers_keep_at_most_two_processes():
    tasks = [Task(f"{key}{i}", sleeps, (0.05,), Limits(30, 512), key, reuse=key) for i in range(6) for key in "abc"]
    executor = LocalExecutor(2)
    seen = {}
    run_tasks(tasks, executor, lambda task, outcome, seconds: seen.__setitem__(task.key, outcome))
    assert len(seen) == 18 and all(isinstance(pid, int) for pid in seen.values())
    assert len(executor._idle) + len(executor.running) <= 2
    executor.stop()
    assert executor._idle == []
