"""Figures drawn once: keyed by their data and drawing code, reused from figures/, the rest drawn in a lazy pool."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import matplotlib
import pandas as pd

KEYS = ".figure-keys.json"   # in figures/: file name -> content key of the figure a report wrote there
DRAWING_MODULES = ("diffbench.report.figures", "diffbench.report.grids", "diffbench.fd_model",
                   "diffbench.report.ladder")


def content_key(fn, args) -> str:
    """A digest of what decides the figure: the drawing function, its modules' source and its arguments."""
    digest = hashlib.sha256(f"{fn.__module__}.{fn.__qualname__}|{matplotlib.__version__}".encode())
    for module in DRAWING_MODULES:
        source = getattr(sys.modules.get(module), "__file__", None)
        if source:
            digest.update(Path(source).read_bytes())
    _feed(digest, args)
    return digest.hexdigest()


def _feed(digest, value) -> None:
    if isinstance(value, pd.DataFrame):
        digest.update(repr((list(value.columns), [str(t) for t in value.dtypes], value.shape)).encode())
        digest.update(pd.util.hash_pandas_object(value, index=False).to_numpy().tobytes())
    elif isinstance(value, (list, tuple)):
        digest.update(f"[{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        digest.update(f"{{{len(value)}".encode())
        for key in sorted(value, key=str):
            _feed(digest, key)
            _feed(digest, value[key])
    else:
        digest.update(repr(value).encode())


def stored_keys(folder: Path, written: set[str]) -> dict[str, str]:
    """name -> key of the figures a report wrote into `folder` (only those it lists as its own)."""
    try:
        keys = json.loads((folder / KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {n: k for n, k in keys.items() if n in written and isinstance(k, str)} if isinstance(keys, dict) else {}


class FigureDrawer:
    """Executor-like: submit(fn, name, *args) -> Future of SVG text, from figures/ when its key matches.

    NB: the process pool starts only when some figure must be drawn, so an unchanged report starts none."""

    def __init__(self, folder: Path, stored: dict[str, str], workers: int):
        self.folder, self.stored, self.workers = Path(folder), stored, workers
        self.keys: dict[str, str] = {}   # file name -> key, of every figure of this report
        self.reused = self.drawn = 0
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, fn, name: str, *args) -> Future:
        key = content_key(fn, (name, *args))
        self.keys[f"{name}.svg"] = key
        if self.stored.get(f"{name}.svg") == key:
            try:
                done = Future()
                done.set_result((self.folder / f"{name}.svg").read_text(encoding="utf-8"))
                self.reused += 1
                return done
            except OSError:
                pass
        self.drawn += 1
        if self.workers <= 1:
            done = Future()
            done.set_result(fn(name, *args))
            return done
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.workers,
                                            mp_context=multiprocessing.get_context("forkserver"))
        return self.pool.submit(fn, name, *args)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=exc[0] is not None)
