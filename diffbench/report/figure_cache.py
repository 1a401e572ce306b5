"""Figures drawn once: keyed by their data and drawing code, reused from figures/ while the key matches."""
from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import Future
from pathlib import Path

import pandas as pd

KEYS = ".figure-keys.json"   # in figures/: file name -> content key of the figure a report wrote there
DRAWING_MODULES = ("diffbench.report.figures", "diffbench.report.grids", "diffbench.report.svgplot",
                   "diffbench.fd_model", "diffbench.report.ladder")


def content_key(fn, args) -> str:
    """A digest of what decides the figure: the drawing function, its modules' source and its arguments."""
    digest = hashlib.sha256(f"{fn.__module__}.{fn.__qualname__}".encode())
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

    NB: drawn in this process: a figure takes milliseconds (SVG written directly), less than starting a worker."""

    def __init__(self, folder: Path, stored: dict[str, str]):
        self.folder, self.stored = Path(folder), stored
        self.keys: dict[str, str] = {}   # file name -> key, of every figure of this report
        self.reused = self.drawn = 0

    def submit(self, fn, name: str, *args) -> Future:
        key = content_key(fn, (name, *args))
        self.keys[f"{name}.svg"] = key
        done = Future()
        if self.stored.get(f"{name}.svg") == key:
            try:
                done.set_result((self.folder / f"{name}.svg").read_text(encoding="utf-8"))
                self.reused += 1
                return done
            except OSError:
                pass
        self.drawn += 1
        done.set_result(fn(name, *args))
        return done
