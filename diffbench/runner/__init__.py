"""The execution layer: plan jobs, schedule them on worker processes, journal, assemble records, run metadata."""
import importlib

# NB: resolved on first use (PEP 562), so that `diffbench.runner.executor` can start the fork server before the
# heavy imports (torch, sympy) of the rest; the names and where they live are listed here, nothing is discovered.
EXPORTS = {"RunConfig": "diffbench.runner.config", "plan": "diffbench.runner.config",
           "assemble": "diffbench.runner.join", "is_failure": "diffbench.runner.join",
           "execute_run": "diffbench.runner.run"}

__all__ = sorted(EXPORTS)


def __getattr__(name: str):
    if name not in EXPORTS:
        raise AttributeError(f"module 'diffbench.runner' has no attribute {name!r}")
    return getattr(importlib.import_module(EXPORTS[name]), name)
