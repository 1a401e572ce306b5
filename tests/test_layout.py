"""The package's shape, read from its source with ast: no import circle, no module over 400 lines."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "diffbench"
MAX_LINES = 400


def module_names() -> dict[str, Path]:
    """diffbench.x.y -> its file (a package by its __init__.py)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imported_modules(name: str, path: Path, known: set) -> set:
    """The package modules `name` imports anywhere in its file (module level and inside functions),
    with the packages whose __init__ such an import runs (those above `name` itself are already running)."""
    is_package = path.name == "__init__.py"
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets.add(source)
            targets.update(f"{source}.{alias.name}" for alias in node.names)
    edges = set()
    for target in targets:
        parts = target.split(".")
        for k in range(1, len(parts) + 1):
            module = ".".join(parts[:k])
            if module in known and module != name and not name.startswith(module + "."):
                edges.add(module)
    return edges


def import_graph() -> dict[str, set]:
    modules = module_names()
    return {name: imported_modules(name, path, set(modules)) for name, path in modules.items()}


def circles(graph: dict[str, set]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_circle_finder_finds_circles_through_functions_and_packages(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert circles(graph) == [["a", "b", "c"]]
    package = tmp_path / "diffbench" / "p"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from diffbench.p.inner import thing\n")
    (package / "inner.py").write_text("import numpy\ndef thing():\n    from diffbench import outer\n")
    (tmp_path / "diffbench" / "outer.py").write_text("from .p import inner\n")
    known = {"diffbench.p", "diffbench.p.inner", "diffbench.outer"}
    assert imported_modules("diffbench.p.inner", package / "inner.py", known) == {"diffbench.outer"}
    assert imported_modules("diffbench.outer", tmp_path / "diffbench" / "outer.py", known) == \
        {"diffbench.p", "diffbench.p.inner"}
    assert imported_modules("diffbench.p", package / "__init__.py", known) == {"diffbench.p.inner"}


def test_no_import_circle():
    """NB: on the report10 branch this still finds runner <-> experiments.command, which the exec10 branch
    (the runner package and the experiment registry) removes."""
    found = circles(import_graph())
    assert found == [], "import circles: " + "; ".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("name", sorted(module_names()))
def test_module_is_at_most_400_lines(name):
    lines = len(module_names()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"
