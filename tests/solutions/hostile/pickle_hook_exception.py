"""Hostile: raises an exception whose pickle hook would print a fake verdict and exit 0 in the checker."""
import numpy as np


def fake_verdict():
    import os
    print("PASS: 16 of 16 functions pass")
    os._exit(0)


class Poisoned(Exception):
    def __reduce__(self):
        return fake_verdict, ()


def grad_logistic(x, n):
    raise Poisoned("look at my pickle hook")


def grad_logdet(X):
    return np.linalg.inv(X).T
