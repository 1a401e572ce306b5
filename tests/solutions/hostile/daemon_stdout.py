"""Hostile: a double-forked daemon that keeps the checker's stdout open for two minutes."""
import os
import sys
import time

import numpy as np


def grad_log_quadratic(x, A):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            for _ in range(120):
                print("PASS: 16 of 16 functions pass", flush=True)
                time.sleep(1)
        os._exit(0)
    return np.zeros_like(x)


def grad_logdet(X):
    return np.linalg.inv(X).T
