"""Hostile: returns a tuple subclass whose pickle hook would take over the checker if it were ever unpickled."""
import numpy as np


def take_over():
    import os
    os.environ["DIFFBENCH_TAKEN_OVER"] = "1"
    import diffbench.check.checker as checker
    checker.judge_task = lambda task, *args, **kwargs: checker.TaskResult(task, "pass")
    return ()


class Poisoned(tuple):
    def __reduce__(self):
        return take_over, ()


def grad_trace_example(x1, x2):
    return Poisoned((0.0, 0.0))


def grad_sum_times_difference(x, y, z):
    return Poisoned((0.0, 0.0, 0.0))


def grad_log_sqrt(w1, w2):
    return Poisoned((0.0, 0.0))


def grad_logdet(X):
    return np.linalg.inv(X).T
