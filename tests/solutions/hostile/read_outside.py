"""Hostile: looks for a correct solution anywhere on disk and answers with its functions."""
import os
from pathlib import Path

ROOTS = ["/work", "/home", "/root", "/tmp", "/srv", "/autograder", os.getcwd(),
         *[str(p) for p in Path(__file__).resolve().parents[:-1]]]


def find_solution():
    for root in ROOTS:
        for folder, subfolders, files in os.walk(root):
            if folder.count(os.sep) - root.count(os.sep) >= 5:
                subfolders.clear()
            if "correct.py" in files:
                namespace = {}
                exec(open(os.path.join(folder, "correct.py")).read(), namespace)
                if "grad_logdet" in namespace:
                    return namespace
    raise FileNotFoundError("no solution to copy")


def grad_logdet(X):
    return find_solution()["grad_logdet"](X)


def grad_log_quadratic(x, A):
    return find_solution()["grad_log_quadratic"](x, A)
