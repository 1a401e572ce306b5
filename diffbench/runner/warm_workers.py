"""Imported last by the workers' fork server: the preloaded methods' warm-ups, run once before any worker forks.

NB: multiprocessing's fork server only imports modules (set_forkserver_preload), so the warm-ups run on import.
A method whose module the fork server did not preload is not warmed here; its run() warms itself, untimed.
"""
import sys

from diffbench.methods import REGISTRY


def warm_preloaded_methods() -> None:
    """Each imported method's warm_up, once; one that fails is left to warm itself in its run()."""
    for entry in REGISTRY.values():
        method = getattr(sys.modules.get(f"diffbench.methods.{entry.module}"), entry.attribute, None)
        if method is not None and method.warm_up is not None:
            try:
                method.warm_up()
            except Exception:  # noqa: BLE001 - a fork server that died here would fail every job
                pass


warm_preloaded_methods()
