"""The numbers-only channel to the student worker: arguments out as JSON, answers back validated as float arrays."""
from __future__ import annotations

import math
import signal

import numpy as np

from diffbench.check.isolate import WorkerRun

MAX_ELEMENTS = 1_000_000
MAX_PARTS = 64
MAX_TEXT = 300


def encode_argument(value) -> dict:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("a task argument cannot be a bool")
    if isinstance(value, (int, np.integer)):
        return {"int": int(value)}
    if isinstance(value, (float, np.floating)) and np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return {"float": float(value)}
    array = np.asarray(value, dtype=np.float64)
    return {"shape": list(array.shape), "data": array.reshape(-1).tolist()}


def encode_calls(argument_sets: list) -> list:
    return [[encode_argument(value) for value in arguments] for arguments in argument_sets]


def decode_array(encoded) -> np.ndarray | None:
    """A float64 array from {"shape", "data"}, or None when the worker sent anything else."""
    if not isinstance(encoded, dict) or set(encoded) != {"shape", "data"}:
        return None
    shape, data = encoded["shape"], encoded["data"]
    if not (isinstance(shape, list) and len(shape) <= 8 and all(type(n) is int and n >= 0 for n in shape)):
        return None
    if not isinstance(data, list) or len(data) != math.prod(shape) or len(data) > MAX_ELEMENTS:
        return None
    if not all(type(v) in (float, int) for v in data):
        return None
    return np.asarray(data, dtype=np.float64).reshape(shape)


def decode_answer(event: dict) -> tuple[str, object]:
    """("ok", array or tuple of arrays) or ("crashed", why the reply is not one)."""
    if "array" in event:
        array = decode_array(event["array"])
        return ("ok", array) if array is not None else ("crashed", "sent an answer that is not an array of numbers")
    parts = event.get("parts")
    if not isinstance(parts, list) or len(parts) > MAX_PARTS:
        return "crashed", "sent an answer that is not numbers"
    arrays = [decode_array(part) for part in parts]
    if any(array is None for array in arrays):
        return "crashed", "sent an answer that is not numbers"
    return "ok", tuple(arrays)


def text(value) -> str:
    value = value if isinstance(value, str) else repr(value)
    value = "".join(c if c.isprintable() else "?" for c in value)
    return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "..."


def call_outcome(event: dict) -> tuple[str, object]:
    """(status, answer or message) for one call event; statuses as TaskResult has them."""
    status = event.get("status")
    if status == "ok":
        return decode_answer(event)
    if status == "not implemented":
        return "not implemented", "not implemented"
    if status == "exited":
        return "exited", f"your function called sys.exit({text(event.get('code'))})"
    if status == "raised":
        return "raised", f"raised {text(event.get('message'))}"
    if status == "not numbers":
        return "returned", text(event.get("type"))
    return "crashed", "sent a reply the checker does not know"


def ending(run: WorkerRun, time_s: float, where: str) -> tuple[str, str]:
    """Why the worker stopped before answering: out of time, a signal, or an exit of its own."""
    if run.timed_out:
        return "timed out", f"timed out after {time_s:g} s"
    if run.protocol_error:
        return "crashed", f"broke the checker's protocol ({run.protocol_error}) {where}"
    code = run.returncode
    number = -code if code is not None and code < 0 else None
    if number is None and code is not None and code > 128 and signal_name(code - 128):
        number = code - 128          # NB: bwrap reports a child killed by signal s as exit code 128 + s
    if number == signal.SIGXCPU:
        return "timed out", f"used more than its {time_s:g} s of CPU time"
    if number == signal.SIGKILL:
        return "crashed", f"was killed (SIGKILL, e.g. out of memory) {where}"
    if number is not None:
        return "crashed", f"crashed ({signal_name(number)}) {where}"
    return "crashed", f"crashed: the process ended with exit code {code} {where}"


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return ""


def call_outcomes(run: WorkerRun, count: int, time_s: float) -> list[tuple[str, object]]:
    """One outcome per call, in order; a worker that stopped early ends the list with why it stopped."""
    loaded = run.event("loaded")
    if loaded is None:
        return [ending(run, time_s, "at import")]
    if loaded.get("status") != "ok":
        return [load_failure(loaded)]
    calls = {e.get("index"): e for e in run.events if e.get("event") == "call"}
    outcomes = []
    for index in range(count):
        if index not in calls:
            outcomes.append(ending(run, time_s, "during the call"))
            break
        outcomes.append(call_outcome(calls[index]))
    return outcomes


def load_failure(loaded: dict) -> tuple[str, str]:
    if loaded.get("status") == "exited":
        return "exited", f"your file called sys.exit({text(loaded.get('code'))}) at import"
    if loaded.get("status") == "not implemented":
        return "raised", "raised NotImplementedError at import"
    return "raised", f"raised {text(loaded.get('message'))} at import"


def defined_functions(run: WorkerRun, names: tuple, time_s: float) -> tuple[list, str]:
    """(the template functions the file defines, "") or ([], why the file could not be loaded)."""
    loaded = run.event("loaded")
    if loaded is None:
        return [], ending(run, time_s, "at import")[1]
    if loaded.get("status") != "ok":
        return [], load_failure(loaded)[1]
    defined = loaded.get("defined")
    if not isinstance(defined, list):
        return [], "broke the checker's protocol"
    return [name for name in names if name in defined], ""
