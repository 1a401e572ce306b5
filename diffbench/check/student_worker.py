"""Standalone worker, `python -I student_worker.py FD FILE`: loads one student file and answers in JSON on FD."""
# NB: this file must not import diffbench (the sandbox hides it); the checker runs it, never imports it.
# The request arrives as one JSON document on stdin; every event goes to the control pipe FD as one JSON
# line: start, loaded (the functions defined), call (one per argument set), done. Answers are plain
# numbers only: {"shape": [...], "data": [floats]} per array, {"parts": [...]} for a tuple or list.
import json
import os
import resource
import sys
import time
import traceback
import types

MAX_ELEMENTS = 1_000_000          # an answer larger than this is not a gradient of a course task
MAX_TEXT = 300                    # characters of a student's exception message passed on
NOBODY = 65534


def safe_text(value) -> str:
    try:
        text = str(value)
    except BaseException:  # noqa: B036 - a student's __str__ may raise anything, SystemExit included
        text = "<unprintable>"
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "..."


def type_name(value) -> str:
    try:
        return safe_text(type(value).__name__)[:60]
    except BaseException:  # noqa: B036
        return "object"


def describe_error(error: BaseException, path: str) -> str:
    try:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
    except BaseException:  # noqa: B036
        frames = []
    where = f" (line {frames[-1].lineno})" if frames else ""
    message = safe_text(error)
    return f"{type_name(error)}{': ' + message if message else ''}{where}"


def failure(error: BaseException, path: str) -> dict:
    """What a BaseException from student code becomes: exited (sys.exit) or raised (anything else)."""
    if isinstance(error, SystemExit):
        return {"status": "exited", "code": safe_text(error.code)}
    if isinstance(error, NotImplementedError):
        return {"status": "not implemented"}
    return {"status": "raised", "message": describe_error(error, path)}


def limit_resources(limits: dict) -> None:
    """rlimits for the student code: CPU seconds, address space, processes, file size, open files."""
    with open("/proc/self/statm") as statm:
        baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    uid = os.getuid()
    mine = sum(1 for entry in os.listdir("/proc") if entry.isdigit() and owned_by(entry, uid))
    settings = {
        resource.RLIMIT_CPU: (limits["cpu_s"], limits["cpu_s"] + 1),
        resource.RLIMIT_AS: (baseline + limits["memory_mb"] * 2 ** 20,) * 2,
        resource.RLIMIT_NPROC: (mine + limits["extra_processes"],) * 2,
        resource.RLIMIT_FSIZE: (limits["file_mb"] * 2 ** 20,) * 2,
        resource.RLIMIT_NOFILE: (max(limits["open_files"], len(os.listdir("/proc/self/fd")) + 8),) * 2,
        resource.RLIMIT_CORE: (0, 0),
    }
    for which, (soft, hard) in settings.items():
        _, current = resource.getrlimit(which)
        if current != resource.RLIM_INFINITY:     # NB: only root may raise a hard limit
            hard = min(hard, current)
        resource.setrlimit(which, (min(soft, hard), hard))


def owned_by(pid: str, uid: int) -> bool:
    try:
        return os.stat(f"/proc/{pid}").st_uid == uid
    except OSError:
        return False


def drop_root() -> None:
    """As root, become nobody: rlimits on processes do not bind root, and root could write anywhere."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def argument(encoded, numpy):
    if "int" in encoded:
        return int(encoded["int"])
    if "float" in encoded:
        return float(encoded["float"])
    return numpy.asarray(encoded["data"], dtype=numpy.float64).reshape(encoded["shape"])


def answer_numbers(answer, numpy) -> dict:
    """The answer as plain numbers; {"status": "not numbers"} when it is something else."""
    if isinstance(answer, (tuple, list)) and not isinstance(answer, str):
        parts = [array_numbers(part, numpy) for part in list(answer)[:64]]
        if len(answer) > 64 or any(part is None for part in parts):
            return {"status": "not numbers", "type": type_name(answer)}
        return {"status": "ok", "parts": parts}
    numbers = array_numbers(answer, numpy)
    return {"status": "ok", "array": numbers} if numbers else {"status": "not numbers", "type": type_name(answer)}


def array_numbers(value, numpy):
    if value is None or isinstance(value, (str, bytes, dict, set)):
        return None
    try:
        array = numpy.asarray(value, dtype=numpy.float64)
    except (TypeError, ValueError):
        return None
    if array.size > MAX_ELEMENTS or array.ndim > 8:
        return None
    return {"shape": list(array.shape), "data": [float(v) for v in array.reshape(-1)]}


def main() -> None:
    control = os.fdopen(int(sys.argv[1]), "w", encoding="utf-8")
    path = sys.argv[2]

    def send(event: dict) -> None:
        control.write(json.dumps(event) + "\n")
        control.flush()

    request = json.loads(sys.stdin.read())
    sys.stdin = open(os.devnull)
    import numpy
    source = open(path, "rb").read()
    drop_root()
    limit_resources(request["limits"])
    send({"event": "start"})
    module = types.ModuleType("solution")
    module.__file__ = path
    sys.modules["solution"] = module
    try:
        exec(compile(source, path, "exec"), module.__dict__)
    except BaseException as error:  # noqa: B036 - whatever the file does at import is its result
        send({"event": "loaded", **failure(error, path)})
        finish(control)
    defined = [name for name in request["names"] if callable(module.__dict__.get(name))]
    send({"event": "loaded", "status": "ok", "defined": defined})
    if request.get("function"):
        function = module.__dict__[request["function"]]
        for index, encoded in enumerate(request["calls"]):
            started = time.perf_counter()
            try:
                outcome = answer_numbers(function(*[argument(a, numpy) for a in encoded]), numpy)
            except BaseException as error:  # noqa: B036 - the student's exit or exception is the result
                outcome = failure(error, path)
            send({"event": "call", "index": index, "seconds": time.perf_counter() - started, **outcome})
    send({"event": "done"})
    finish(control)


def finish(control) -> None:
    """Leave without running anything the student registered (atexit, finalizers, threads)."""
    for stream in (control, sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: B036
            pass
    os._exit(0)


if __name__ == "__main__":
    main()
