"""The execution layer's shape: modules under 400 lines, and no import circle through it, lazy imports included."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "diffbench"
EXECUTION = ("diffbench.runner", "diffbench.experiments", "diffbench.swell", "diffbench.swell_command",
             "diffbench.swell_fits", "diffbench.bench")


def module_files() -> dict:
    files = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        files[name.removesuffix(".__init__")] = path
    return files


def imports(path: Path, known: dict) -> set:
    """Every diffbench module the file imports, at top level or inside functions, with the packages that run."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                      for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    with_parents = set()
    for name in found:   # importing a.b.c runs a/b/__init__.py first
        parts = name.split(".")
        with_parents |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
    return {name for name in with_parents if name in known}


def cycle_through(start: str, graph: dict) -> list | None:
    """A path start -> ... -> start, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def ours(name: str) -> bool:
    return any(name == e or name.startswith(e + ".") for e in EXECUTION)


def test_no_import_circle_runs_through_the_execution_layer():
    known = module_files()
    graph = {name: {d for d in imports(path, known) if d != name and not name.startswith(d + ".")}
             for name, path in known.items()}
    circles = [c for c in (cycle_through(name, graph) for name in known if ours(name)) if c]
    assert circles == []


@pytest.mark.parametrize("name", sorted(n for n in module_files() if ours(n)))
def test_execution_modules_stay_small(name):
    lines = module_files()[name].read_text().count("\n")
    assert lines <= 400, f"{name}: {lines} lines"


def test_the_experiment_registry_does_not_need_click():
    known = module_files()
    assert "click" not in {a.name for node in ast.walk(ast.parse(known["diffbench.experiments.registry"].read_text()))
                           if isinstance(node, ast.Import) for a in node.names}
    assert not any(isinstance(node, ast.ImportFrom) and node.module == "click"
                   for node in ast.walk(ast.parse(known["diffbench.experiments.registry"].read_text())))
