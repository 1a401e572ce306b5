"""Imported last by the workers' fork server: the preloaded methods' warm-ups, run once before any worker forks.

NB: multiprocessing's fork server only imports modules (set_forkserver_preload), so the warm-ups run on import.
A method whose module the fork server did not preload is not warmed here; its run() warms itself, untimed.
"""
import sys

from diffbench.methods import REGISTRY

for _entry in REGISTRY.values():
    _module = sys.modules.get(f"diffbench.methods.{_entry.module}")
    _method = getattr(_module, _entry.attribute, None)
    if _method is not None and _method.warm_up is not None:
        try:
            _method.warm_up()
        except Exception:  # noqa: BLE001 - a fork server that died here would fail every job; run() warms again
            pass
