"""Registry of methods: each way of getting a derivative, by name."""
from diffbench.methods import finite_diff, symbolic, tape, torch_autograd
from diffbench.methods.base import Method

METHODS: dict[str, Method] = {
    "sympy": symbolic.SYMPY,
    "fd_forward": finite_diff.FORWARD,
    "fd_central": finite_diff.CENTRAL,
    "tape_reverse": tape.REVERSE,
    "tape_forward": tape.FORWARD,
    "torch": torch_autograd.TORCH64,
    "torch_f32": torch_autograd.TORCH32,
}

DEFAULT_METHODS = ("sympy", "fd_forward", "fd_central", "tape_reverse", "tape_forward", "torch")
