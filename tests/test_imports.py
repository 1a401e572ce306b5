"""Light commands leave torch and sympy unimported; lazy registries say what their modules say."""
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from diffbench import records
from diffbench.methods import METHODS, REGISTRY, method_modules

HEAVY = ("torch", "sympy")
NOT_FOR_THE_REPORT = ("torch", "sympy", "scipy", "matplotlib")   # `diffbench report` reads tables: none of these

# Runs the CLI with the given arguments in this interpreter, then prints which heavy modules it imported.
# NB: the __main__ guard keeps the wrapper safe should a command start worker processes that re-import __main__.
WRAPPER = """
import json, sys
if __name__ == "__main__":
    from diffbench.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
    print(json.dumps({"exit": code, "heavy": [m for m in %r if m in sys.modules],
                      "loaded": [m for m in %r if m in sys.modules]}), file=sys.stderr)
""" % (HEAVY, NOT_FOR_THE_REPORT)


def _imports_of(*args) -> dict:
    done = subprocess.run([sys.executable, "-c", WRAPPER, *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=os.environ.copy())
    assert done.stderr.strip(), done.stdout
    return {**json.loads(done.stderr.strip().splitlines()[-1]), "stdout": done.stdout}


@pytest.mark.parametrize("args", [["--help"], ["list"], ["check", "--template"]], ids=" ".join)
def test_light_commands_import_neither_torch_nor_sympy(args):
    seen = _imports_of(*args)
    assert seen["exit"] in (0, None) and seen["stdout"].strip()
    assert seen["heavy"] == []


def test_list_still_names_every_method():
    listing = _imports_of("list")["stdout"]
    assert all(name in listing for name in REGISTRY)


def _small_run(run_dir: Path) -> Path:
    """A run folder with every table, written through records as the runner writes them."""
    run_dir.mkdir()
    key = {"case": "logistic", "family": "logistic", "param": "n=2", "sweep_value": 2.0, "params": {"n": 2}, "point": 0}
    results = [{**key, "method": method, "status": "ok", "n_inputs": 1, "n_outputs": 1, "rel_error": error,
                "correct_digits": digits, "eval_time_s": 2e-6 * (k + 1), "func_time_s": 1e-6,
                "cost_ratio": 2.0 * (k + 1), "ref_digits": 50.0}
               for k, (method, error, digits) in enumerate([("tape_reverse", 1e-16, 16.0),
                                                            ("fd_central", 1e-10, 10.0)])]
    swell = [{**key, "representation": rep, "nodes": n, "ops": n // 2}
             for rep, n in (("function", 9), ("tape_trace", 12))]
    timing = [{**key, "method": r["method"], "phase": "eval", "time_s": r["eval_time_s"]} for r in results]
    for name in records.TABLES:
        records.write_table(run_dir, name, {"results": results, "swell": swell, "timing": timing}.get(name, []))
    records.write_meta(run_dir, {"run_id": run_dir.name, "command": "diffbench run", "seed": 0, "cases": ["logistic"],
                                 "methods": ["tape_reverse", "fd_central"], "failures": [], "exit_code": 0})
    return run_dir


def test_report_of_a_run_imports_neither_torch_nor_sympy(tmp_path):
    run_dir = _small_run(tmp_path / "run")
    seen = _imports_of("report", run_dir)
    assert seen["exit"] in (0, None) and (run_dir / "report.html").stat().st_size > 1000
    assert "tape_reverse" in (run_dir / "report.html").read_text(encoding="utf-8")
    assert seen["heavy"] == []


def test_report_with_table1_and_traces_imports_no_sympy_scipy_torch_or_matplotlib(tmp_path):
    """The report checks the survey's Table 1 and inlines stored traces without sympy, scipy, torch or matplotlib."""
    from diffbench import survey
    from diffbench.case import load_cases
    from diffbench.trace import write_traces
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    base = {"case": "logistic", "family": "logistic", "status": "ok"}
    results = [{**base, "param": f"n={n}", "sweep_value": float(n), "params": {"n": n}, "point": 0,
                "method": "tape_reverse", "n_inputs": 1, "n_outputs": 1, "rel_error": 1e-16, "correct_digits": 16.0,
                "eval_time_s": 2e-6, "func_time_s": 1e-6, "cost_ratio": 2.0, "ref_digits": 50.0} for n in (1, 2)]
    # the survey's printed text is what sympy writes for l_n (up to form), so every row must read "yes"
    swell = [{**base, "param": f"n={n}", "sweep_value": float(n), "params": {"n": n}, "representation": rep,
              "nodes": 3, "ops": 2, "expression": survey.published_text(n, column)}
             for n in (1, 2) for rep, column in (("function", "function"), ("sympy_tree", "derivative"),
                                                 ("sympy_simplified", "simplified"))]
    for name in records.TABLES:
        records.write_table(run_dir, name, {"results": results, "swell": swell}.get(name, []))
    records.write_meta(run_dir, {"run_id": "run", "command": "diffbench run", "seed": 0, "cases": ["logistic"],
                                 "methods": ["tape_reverse"], "failures": [], "exit_code": 0})
    assert write_traces(run_dir, {"trace_example": load_cases()["trace_example"]}) == []
    seen = _imports_of("report", run_dir)
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert seen["exit"] in (0, None) and "The survey's Table 1" in page and "All rows agree." in page
    assert "trace_example" in page
    assert seen["loaded"] == []


def test_report_parses_each_table_of_the_run_once(tmp_path, monkeypatch):
    """`diffbench report RUN` checks the folder and renders from one parse of each CSV."""
    from click.testing import CliRunner
    from diffbench.cli import main
    run_dir = _small_run(tmp_path / "run")
    parsed, parse = [], records._parse_csv
    monkeypatch.setattr(records, "_parse_csv", lambda path, data: parsed.append(Path(path).name) or parse(path, data))
    done = CliRunner().invoke(main, ["report", str(run_dir)])
    assert done.exit_code == 0, done.output
    assert "tape_reverse" in (run_dir / "report.html").read_text(encoding="utf-8")
    assert sorted(parsed) == sorted(p.name for p in run_dir.glob("*.csv")) and len(parsed) >= 2


def test_survey_check_without_sympy_matches_sympy_expand():
    """survey.agrees expands polynomials itself; on every entry, a changed one and a non-polynomial it says
    what sympy's expand(a - b) == 0 says."""
    import sympy
    from diffbench import survey
    x = survey.X
    for n in survey.table1_sizes():
        for column in survey.COLUMNS:
            published = survey.published(n, column)
            assert survey.polynomial(survey.published_text(n, column)) is not None
            for text in (sympy.sstr(sympy.expand(published)), sympy.sstr(sympy.factor(published)),
                         sympy.sstr(published + x ** 2 / 3), sympy.sstr(published - 1), "sin(x)", "x**-1"):
                assert survey.agrees(text, n, column) == (sympy.expand(survey.parse(text) - published) == 0), text
    assert survey.polynomial("(1 - x)**2/2") == {0: 0.5, 1: -1, 2: 0.5}
    assert survey.polynomial("x/0") is None and survey.polynomial("sin(x)") is None and survey.polynomial("x +") is None


def test_method_registry_says_what_each_method_module_says():
    for name, entry in REGISTRY.items():
        method = METHODS[name]
        assert (method.name, method.kind, method.description) == (name, entry.kind, entry.description)
    assert list(METHODS) == list(REGISTRY) and len(METHODS) == len(REGISTRY) and "nope" not in METHODS


def test_report_orders_representations_as_the_swell_experiment_does():
    from diffbench.report.swell_tables import REPRESENTATION_ORDER
    from diffbench.swell import REPRESENTATIONS
    assert REPRESENTATION_ORDER == tuple(REPRESENTATIONS)


def test_backends_resolve_lazily_to_their_classes():
    from diffbench import backends
    from diffbench.backends.symbolic import SymOps
    from diffbench.backends.torchops import TorchOps
    assert backends.SymOps is SymOps and backends.backend("torch") is TorchOps
    assert set(backends.BACKENDS) == {"float", "mpmath", "arb", "sympy", "torch"}
    with pytest.raises(AttributeError):
        backends.NoSuchOps  # noqa: B018 - the attribute access is the test


def test_workers_preload_every_method_module():
    """The run's worker pool imports these up front (runner.run_jobs), so no job's budget pays for torch's import."""
    modules = method_modules()
    assert len(modules) == len(set(modules)) == len({entry.module for entry in REGISTRY.values()})
    for name, entry in REGISTRY.items():
        module = f"diffbench.methods.{entry.module}"
        assert module in modules and getattr(importlib.import_module(module), entry.attribute) is METHODS[name]
    assert method_modules(["torch", "torch_f32"]) == ["diffbench.methods.torch_autograd"]
