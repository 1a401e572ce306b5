"""The journal: each finished task's outcome as one JSON line in the run folder, written as it arrives."""
from __future__ import annotations

import json
import os
import time
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np

from diffbench.methods.base import PointResult
from diffbench.runner.executor import Failure
from diffbench.runner.worker import JobOutput

JOURNAL = "journal.jsonl"
FSYNC_EVERY_S = 1.0          # NB: flushed per record (survives a killed process); fsync'd at most once a second
RECORD_TYPES = {"point": PointResult, "job_output": JobOutput, "failure": Failure}


class Journal:
    """Append-only; one line per finished task: {"key", "seconds", "outcome"}."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / JOURNAL
        self._file = open(self.path, "a", encoding="utf-8")
        self._synced = time.monotonic()

    def append(self, key: str, outcome, seconds: float):
        """Store one outcome; returns what was stored (a Failure where the outcome has no JSON form)."""
        try:
            payload = encode(outcome)
        except TypeError as error:
            outcome = Failure("failed", f"the job's output could not be journaled: {error}")
            payload = encode(outcome)
        line = json.dumps({"key": key, "seconds": round(seconds, 4), "outcome": payload})
        self._file.write(line + "\n")
        self._file.flush()
        if time.monotonic() - self._synced >= FSYNC_EVERY_S:
            os.fsync(self._file.fileno())
            self._synced = time.monotonic()
        return outcome

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def read_journal(run_dir: Path) -> dict:
    """key -> (outcome, seconds) of every complete line; a line cut short by a kill is ignored."""
    path = Path(run_dir) / JOURNAL
    entries: dict = {}
    if not path.exists():
        return entries
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.endswith("\n"):
                break           # NB: the last line of a killed run may be partial
            record = json.loads(line)
            entries[record["key"]] = (decode(record["outcome"]), record["seconds"])
    return entries


def encode(value):
    """A JSON-ready form of task outcomes: exact floats (repr round-trips), arrays with dtype and shape."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"__array__": [encode(v) for v in value.reshape(-1)], "dtype": "object", "shape": value.shape}
        if np.iscomplexobj(value):
            return {"__array__": [[z.real, z.imag] for z in value.reshape(-1).tolist()], "dtype": str(value.dtype),
                    "shape": value.shape}
        return {"__array__": value.reshape(-1).tolist(), "dtype": str(value.dtype), "shape": value.shape}
    if isinstance(value, (bool, str, type(None))):
        return value
    if isinstance(value, np.generic):
        return encode(value.item())
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, complex):
        return {"__complex__": [value.real, value.imag]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return {"__items__": [[encode(k), encode(v)] for k, v in value.items()]}
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    for name, cls in RECORD_TYPES.items():
        if type(value) is cls:
            return {f"__{name}__": {f.name: encode(getattr(value, f.name)) for f in fields(cls) if f.name != "job"}}
    if is_dataclass(value):
        raise TypeError(f"the journal has no encoding for {type(value).__name__}")
    raise TypeError(f"the journal cannot store a {type(value).__name__}")


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        dtype, shape = value["dtype"], tuple(value["shape"])
        if dtype == "object":
            return np.array([decode(v) for v in value["__array__"]] + [None], dtype=object)[:-1].reshape(shape)
        if dtype.startswith("complex"):
            return np.array([complex(*z) for z in value["__array__"]], dtype=dtype).reshape(shape)
        return np.array(value["__array__"], dtype=dtype).reshape(shape)
    if "__complex__" in value:
        return complex(*value["__complex__"])
    if "__tuple__" in value:
        return tuple(decode(v) for v in value["__tuple__"])
    if "__items__" in value:
        return {decode(k): decode(v) for k, v in value["__items__"]}
    if "__dict__" in value:
        return {k: decode(v) for k, v in value["__dict__"].items()}
    for name, cls in RECORD_TYPES.items():
        if f"__{name}__" in value:
            return cls(**{k: decode(v) for k, v in value[f"__{name}__"].items()})
    raise ValueError(f"unknown journal entry {sorted(value)}")
