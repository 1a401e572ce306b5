"""Hostile: forks 60 children that would outlive the checker, then answers with zeros."""
import os
import time

import numpy as np


def grad_log_quadratic(x, A):
    for _ in range(60):
        try:
            if os.fork() == 0:
                time.sleep(120)
                os._exit(0)
        except OSError:
            break
    return np.zeros_like(x)


def grad_logdet(X):
    return np.linalg.inv(X).T
