"""Cases whose function misbehaves in every way a worker must survive."""
import os
import sys

import numpy as np

from diffbench.case import Case


def loops_forever(o, x):
    while True:
        pass


def calls_os_exit(o, x):
    os._exit(3)


def calls_sys_exit(o, x):
    sys.exit(0)


def raises_keyboard_interrupt(o, x):
    raise KeyboardInterrupt


def raises_without_a_message(o, x):
    raise RuntimeError


def allocates_30_gb(o, x):
    block = np.ones(30 * 2**30 // 8)      # 30 GiB, touched: only the worker's memory limit stops it cleanly
    return x * block[0]


def _case(name, fn):
    return Case(name=name, fn=fn, make_inputs=lambda rng: {"x": rng.uniform(1, 2)}, wrt=("x",))


CASES = tuple(_case(name, fn) for name, fn in (("infinite_loop", loops_forever), ("os_exit", calls_os_exit),
                                               ("sys_exit", calls_sys_exit),
                                               ("keyboard_interrupt", raises_keyboard_interrupt),
                                               ("no_message", raises_without_a_message),
                                               ("huge_allocation", allocates_30_gb)))
