"""Registry of backends: name -> factory of an ops namespace."""
from diffbench.backends.floatnp import FloatOps
from diffbench.backends.mp import MpOps
from diffbench.backends.symbolic import SymOps
from diffbench.backends.torchops import TorchOps

BACKENDS = {
    "float": FloatOps,
    "mpmath": MpOps,
    "sympy": SymOps,
    "torch": TorchOps,
}
