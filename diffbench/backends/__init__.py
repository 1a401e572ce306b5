"""Registry of backends: name -> (module, class) of an ops namespace, imported on first use."""
from importlib import import_module

BACKENDS = {
    "float": ("floatnp", "FloatOps"),
    "mpmath": ("mp", "MpOps"),
    "arb": ("arb", "ArbOps"),
    "sympy": ("symbolic", "SymOps"),
    "torch": ("torchops", "TorchOps"),
}
MODULE_OF = {cls: module for module, cls in BACKENDS.values()}


def backend(name: str) -> type:
    """The ops class of the backend called `name`."""
    module, cls = BACKENDS[name]
    return getattr(import_module(f"diffbench.backends.{module}"), cls)


def __getattr__(attribute: str):
    """`from diffbench.backends import SymOps` (PEP 562). NB: lazy, keeps start-up fast: sympy and torch
    are imported only by the code that asks for their backend."""
    if attribute in MODULE_OF:
        return getattr(import_module(f"diffbench.backends.{MODULE_OF[attribute]}"), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
