"""Registry of methods: each way of getting a derivative, by name."""
from diffbench.methods import analytic, finite_diff, symbolic, tape, torch_autograd
from diffbench.methods import complex_step, jax_peer, peers, random_direction, richardson
from diffbench.methods.base import Method

METHODS: dict[str, Method] = {
    "sympy": symbolic.SYMPY,
    "fd_forward": finite_diff.FORWARD,
    "fd_central": finite_diff.CENTRAL,
    "fd_backward": finite_diff.BACKWARD,
    "fd_central4": finite_diff.CENTRAL4,
    "fd_random": random_direction.RANDOM_DIRECTION,
    "complex_step": complex_step.COMPLEX_STEP,
    "richardson": richardson.RICHARDSON,
    "numdifftools": peers.NUMDIFFTOOLS,
    "scipy_differentiate": peers.SCIPY,
    "tape_reverse": tape.REVERSE,
    "tape_forward": tape.FORWARD,
    "torch": torch_autograd.TORCH64,
    "torch_f32": torch_autograd.TORCH32,
    "torch_cuda": torch_autograd.TORCH_CUDA,
    "jax_grad": jax_peer.JAX_REVERSE,
    "jax_jacfwd": jax_peer.JAX_FORWARD,
    "analytic": analytic.ANALYTIC,
}

DEFAULT_METHODS = ("sympy", "fd_forward", "fd_central", "complex_step", "richardson", "tape_reverse",
                   "tape_forward", "torch", "analytic")
