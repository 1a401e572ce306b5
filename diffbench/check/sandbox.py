"""Where student code runs: a bubblewrap sandbox (read-only system, no network, own PID namespace) or limits only."""
from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import diffbench

WORKER_SCRIPT = Path(__file__).with_name("student_worker.py")
SANDBOX_CHOICES = ("auto", "bwrap", "none")
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64")
WORKER_INSIDE = "/checker/student_worker.py"
PROBE_TIMEOUT_S = 30.0
TMP_BYTES = 64 * 2 ** 20      # the sandbox's private /tmp (a tmpfs, so memory) where bwrap can size it


class SandboxUnavailable(RuntimeError):
    """--sandbox bwrap was asked for and bubblewrap cannot run here."""


@dataclass(frozen=True)
class Sandbox:
    kind: str                     # "bwrap" | "none"
    reason: str = ""              # for "none": why there is no sandbox
    sized_tmp: bool = False       # this bwrap can cap the size of /tmp (--size, bubblewrap >= 0.5)

    @property
    def warning(self) -> str:
        if self.kind != "none":
            return ""
        return (f"WARNING: no sandbox ({self.reason}): the student's code runs with time, memory and process "
                "limits only and is NOT safe against a hostile student (install bubblewrap to sandbox it)")

    def command(self, python: str, source: Path, control_fd: int) -> list[str]:
        """The command line that runs the worker on `source`, answering on `control_fd`."""
        if self.kind == "none":
            return [python, "-I", str(WORKER_SCRIPT), str(control_fd), str(source)]
        inside = f"/submission/{safe_name(source.name)}"
        return bwrap_arguments(source, inside, self.sized_tmp) + [python, "-I", WORKER_INSIDE, str(control_fd),
                                                                  inside]


def safe_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", name) else "solution.py"


def visible_trees() -> list[str]:
    """What student code needs to see: the system, the interpreter and its packages; nothing else."""
    trees = [d for d in SYSTEM_DIRS if os.path.exists(d)]
    for path in (sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable)),
                 *site.getsitepackages()):
        real = os.path.realpath(path)
        if os.path.isdir(real):
            trees.append(real)
        if os.path.realpath(path) != os.path.abspath(path) and os.path.isdir(path):
            trees.append(os.path.abspath(path))    # NB: the interpreter is called by its unresolved path
    covered = []
    for tree in sorted(set(trees), key=len):
        if not any(inside_tree(tree, outer) for outer in covered):
            covered.append(tree)
    return covered


def hidden_trees() -> list[str]:
    """The diffbench package, its cases and (for a source checkout) the project folder with the course files."""
    package = Path(diffbench.__file__).resolve().parent
    hidden = [str(package), str(package.parent / "cases")]
    if (package.parent / "pyproject.toml").exists():
        hidden.append(str(package.parent))
    try:
        import diffbench_cases
    except ImportError:      # NB: diffbench run from a source tree without installing it
        return sorted(set(hidden))
    hidden.append(str(Path(diffbench_cases.__file__).resolve().parent))
    return sorted(set(hidden))


def inside_tree(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree.rstrip("/") + "/")


def bwrap_arguments(source: Path, inside: str, sized_tmp: bool) -> list[str]:
    arguments = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if os.geteuid() != 0:   # NB: as root the worker itself drops to nobody, which needs the init namespace
        arguments += ["--unshare-user", "--cap-drop", "ALL"]
    # NB: /tmp first, so an interpreter or venv that lives under /tmp is bound on top of it, not hidden
    arguments += ["--proc", "/proc", "--dev", "/dev"] + (["--size", str(TMP_BYTES)] if sized_tmp else [])
    arguments += ["--perms", "1777", "--tmpfs", "/tmp"]
    made = {"/", "/tmp"}
    trees = visible_trees()
    for tree in trees:
        if os.path.islink(tree) and tree in SYSTEM_DIRS:
            arguments += ["--symlink", os.readlink(tree), tree]
            continue
        arguments += parent_dirs(tree, made, trees) + ["--ro-bind", tree, tree]
    for tree in hidden_trees():
        if any(inside_tree(tree, visible) for visible in trees):
            # NB: an installed (not editable) package becomes an empty folder: `import diffbench` then
            # finds a namespace package with no modules in it
            arguments += ["--tmpfs", tree]
    arguments += ["--perms", "0755", "--dir", "/checker", "--ro-bind", str(WORKER_SCRIPT), WORKER_INSIDE,
                  "--perms", "0755", "--dir", "/submission", "--ro-bind", str(source), inside,
                  "--chdir", "/tmp", "--setenv", "HOME", "/tmp"]
    return arguments


def parent_dirs(tree: str, made: set, trees: list) -> list[str]:
    """--dir for each missing ancestor, world-readable (bwrap would make them 0700)."""
    arguments = []
    parts = Path(tree).parts
    for depth in range(2, len(parts)):
        ancestor = str(Path(*parts[:depth]))
        if ancestor in made or any(inside_tree(ancestor, t) for t in trees if t != tree and len(t) < len(tree)):
            continue
        made.add(ancestor)
        arguments += ["--perms", "0755", "--dir", ancestor]
    return arguments


def choose_sandbox(requested: str = "auto") -> Sandbox:
    """The sandbox to use; `auto` falls back to none (with a reason) where bubblewrap is missing or fails."""
    if requested == "none":
        return Sandbox("none", "--sandbox none")
    sized_tmp = bwrap_sizes_tmpfs()
    problem = bwrap_problem(sized_tmp)
    if problem is None:
        return Sandbox("bwrap", sized_tmp=sized_tmp)
    if requested == "bwrap":
        raise SandboxUnavailable(f"--sandbox bwrap: {problem}")
    return Sandbox("none", problem)


def bwrap_sizes_tmpfs() -> bool:
    try:
        shown = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=PROBE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--size" in shown.stdout + shown.stderr


def bwrap_problem(sized_tmp: bool) -> str | None:
    """Why bubblewrap cannot run the worker here, or None when it can."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    command = bwrap_arguments(WORKER_SCRIPT, "/submission/probe.py", sized_tmp) + [
        sys.executable, "-I", "-c", "import numpy"]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=PROBE_TIMEOUT_S,
                              env=worker_environment())
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap did not start ({error})"
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        return f"bwrap failed here ({last[:200]})"
    return None


def worker_environment() -> dict:
    """A minimal environment: nothing of the grader's (tokens, paths) reaches student code."""
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
