"""diffbench: measure how good each way of getting a derivative is."""
__version__ = "0.1.0"

# name -> module: the Python API, imported on first use so that `import diffbench` (and the light commands
# that import it) stays fast
API = {"compare": "diffbench.api", "run": "diffbench.api", "load": "diffbench.api", "Case": "diffbench.case",
       "Result": "diffbench.result"}
__all__ = ["Case", "Result", "compare", "load", "run"]


def __getattr__(name: str):
    if name in API:
        from importlib import import_module
        return getattr(import_module(API[name]), name)
    raise AttributeError(f"module 'diffbench' has no attribute {name!r}")
