"""Registry of methods: each way of getting a derivative, by name, its module imported on first use."""
from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import NamedTuple

from diffbench.methods.base import Method


class Entry(NamedTuple):
    module: str          # diffbench.methods.<module>
    attribute: str       # the Method object in that module
    kind: str            # what `diffbench list` shows without importing the module;
    description: str     # tests/test_imports.py holds both equal to the Method's own
    expected_timeout: bool = False   # as the Method's own (tests/test_run_parent.py): the run's parent plans by it
    derivative: str = "gradient"   # gradient | hessian | hvp (second-order methods run with `run --order 2`)


REGISTRY: dict[str, Entry] = {
    "sympy": Entry("symbolic", "SYMPY", "symbolic", "sympy.diff of the case's expression, lambdified with cse", True),
    "fd_forward": Entry("finite_diff", "FORWARD", "numeric", "forward difference, h = sqrt(eps) max(1, |x|)"),
    "fd_central": Entry("finite_diff", "CENTRAL", "numeric", "central difference, h = eps^(1/3) max(1, |x|)"),
    "fd_backward": Entry("finite_diff", "BACKWARD", "numeric", "backward difference, h = sqrt(eps) max(1, |x|)"),
    "fd_central4": Entry("finite_diff", "CENTRAL4", "numeric",
                         "4th-order 5-point central difference, h = eps^(1/5) max(1, |x|)"),
    "fd_random": Entry("random_direction", "RANDOM_DIRECTION", "numeric",
                       "two-point random-direction estimator, n directions uniform on the sphere (2n evaluations), "
                       "h = eps^(1/3) max(1, |x|)"),
    "complex_step": Entry("complex_step", "COMPLEX_STEP", "numeric",
                          "complex step Im f(x + ih)/h, h = 1e-20 max(1, |x|) (complex evaluations)"),
    "richardson": Entry("richardson", "RICHARDSON", "numeric",
                        "Richardson extrapolation of central differences, h = 2^-4 max(1, |x|) halved until the "
                        "error estimate stops improving"),
    "numdifftools": Entry("peers", "NUMDIFFTOOLS", "numeric",
                          "numdifftools.Gradient (Jacobian for vector outputs), default adaptive Richardson settings",
                          True),
    "scipy_differentiate": Entry("peers", "SCIPY", "numeric", "scipy.differentiate.jacobian, default settings "
                                 "(order 8, step halving, up to 10 iterations)", True),
    "tape_reverse": Entry("tape", "REVERSE", "ad", "in-house tape, reverse mode: one vjp per output"),
    "tape_forward": Entry("tape", "FORWARD", "ad", "in-house dual numbers, forward mode: one jvp per input"),
    "torch": Entry("torch_autograd", "TORCH64", "framework", "torch.autograd, float64"),
    "torch_f32": Entry("torch_autograd", "TORCH32", "framework", "torch.autograd, float32 (inputs rounded to float32)"),
    "torch_cuda": Entry("torch_autograd", "TORCH_CUDA", "framework",
                        "torch.autograd, float64 on the GPU (skipped without CUDA)"),
    "jax_grad": Entry("jax_peer", "JAX_REVERSE", "framework", "JAX reverse mode (jax.jacrev, jit), float64"),
    "jax_jacfwd": Entry("jax_peer", "JAX_FORWARD", "framework", "JAX forward mode (jax.jacfwd, jit), float64"),
    "analytic": Entry("analytic", "ANALYTIC", "analytic", "the case's hand-derived formula, written in plain numpy"),
    "sympy_hessian": Entry("hessian_methods", "SYMPY_HESSIAN", "symbolic",
                           "sympy.hessian of the case's expression, lambdified with cse", True,
                           derivative="hessian"),
    "fd_hessian": Entry("hessian_methods", "FD_HESSIAN", "numeric", "central differences of the tape's exact "
                        "gradient, h = eps^(1/3) max(1, |x|), with the step sweep", derivative="hessian"),
    "complex_step_hessian": Entry("hessian_methods", "COMPLEX_STEP_HESSIAN", "numeric", "complex step of the "
                                  "tape's exact gradient, Im ∇f(x + ih)/h, h = 1e-20 max(1, |x|)", derivative="hessian"),
    "tape_hessian": Entry("hessian_methods", "TAPE_HESSIAN", "ad", "in-house tape, forward-over-reverse: n HVPs",
                          derivative="hessian"),
    "tape_hessian_rr": Entry("hessian_methods", "TAPE_HESSIAN_RR", "ad",
                             "in-house tape, reverse-over-reverse (nested tapes): n HVPs", derivative="hessian"),
    "torch_hessian": Entry("torch_second_order", "TORCH_HESSIAN", "framework",
                           "torch.func.hessian (forward-over-reverse), float64", derivative="hessian"),
    "tape_hvp": Entry("hessian_methods", "TAPE_HVP", "ad", "in-house tape, forward-over-reverse HVP ∇⟨∇f, v⟩", derivative="hvp"),
    "tape_hvp_rr": Entry("hessian_methods", "TAPE_HVP_RR", "ad",
                         "in-house tape, reverse-over-reverse HVP ∇(∇fᵀv) (lecture 001)", derivative="hvp"),
    "torch_hvp": Entry("torch_second_order", "TORCH_HVP", "framework",
                       "torch.func HVP: jvp of grad (forward-over-reverse), float64", derivative="hvp"),
    "jax_hvp": Entry("jax_peer", "JAX_HVP", "framework", "JAX HVP: jax.jvp of jax.grad (jit), float64", derivative="hvp"),
}


class Methods(Mapping):
    """name -> Method. NB: lazy, keeps start-up fast: a method's module (and torch or sympy with it) is
    imported when the method is first looked up; names and membership need no import."""

    def __init__(self, registry: dict[str, Entry]):
        self.registry = registry

    def __getitem__(self, name: str) -> Method:
        entry = self.registry[name]
        return getattr(import_module(f"diffbench.methods.{entry.module}"), entry.attribute)

    def __contains__(self, name) -> bool:
        return name in self.registry

    def __iter__(self) -> Iterator[str]:
        return iter(self.registry)

    def __len__(self) -> int:
        return len(self.registry)


METHODS = Methods(REGISTRY)


def expects_timeout(name: str) -> bool:
    """Whether the method's timeout is its measured outcome (Method.expected_timeout), without importing it."""
    return REGISTRY[name].expected_timeout


def described(name: str) -> Method:
    """The method as the registry describes it (name, kind, expected_timeout; run=None), for code that records
    results without running the method, so the run's parent never imports torch or sympy."""
    entry = REGISTRY[name]
    return Method(name, entry.kind, entry.description, None, entry.expected_timeout)


def method_modules(names=None) -> list[str]:
    """The modules defining the methods `names` (default: all), for a worker pool to preload, so that no
    job's time budget pays for importing torch or sympy."""
    return list(dict.fromkeys(f"diffbench.methods.{REGISTRY[name].module}" for name in (names or REGISTRY)))

DEFAULT_METHODS = ("sympy", "fd_forward", "fd_central", "complex_step", "richardson", "tape_reverse",
                   "tape_forward", "torch", "analytic")

# What `run --order 2` adds for each case that opts in, unless --methods names second-order methods itself.
SECOND_ORDER_METHODS = tuple(name for name, entry in REGISTRY.items() if entry.derivative != "gradient")


def is_second_order(name: str) -> bool:
    return REGISTRY[name].derivative != "gradient"
