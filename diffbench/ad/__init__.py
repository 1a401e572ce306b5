"""The in-house AD: one rules table, forward mode (dual numbers) and reverse mode (a tape)."""
from diffbench.ad.api import grad, hessian, hutchinson, hvp, jacfwd, jacrev, jvp, vjp

__all__ = ["grad", "hessian", "hutchinson", "hvp", "jacfwd", "jacrev", "jvp", "vjp"]
