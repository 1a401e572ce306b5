"""A run's parent process plans, schedules and assembles without importing torch or sympy (its workers do)."""

import pandas as pd

from diffbench.methods import METHODS, REGISTRY, described, expects_timeout
from test_imports import _imports_of   # NB: the same probe of what a command imports


def test_registry_says_which_methods_time_out_as_their_modules_do():
    for name in REGISTRY:
        method = METHODS[name]
        assert expects_timeout(name) is method.expected_timeout, name
        summary = described(name)
        assert (summary.name, summary.kind, summary.expected_timeout) == (name, method.kind, method.expected_timeout)
    assert expects_timeout("sympy") and not expects_timeout("tape_reverse")


def test_a_run_with_sympy_and_torch_leaves_them_to_its_workers(tmp_path):
    seen = _imports_of("run", "--quick", "--only", "logistic", "--methods", "sympy,torch,tape_reverse", "--no-report",
                       "--out", tmp_path)
    assert seen["exit"] == 0, seen["stdout"][-2000:]
    assert seen["heavy"] == []
    (run_dir,) = [d for d in tmp_path.iterdir() if d.is_dir()]
    results = pd.read_csv(run_dir / "results.csv")
    ok = results[results.status == "ok"]
    assert set(ok.method) == {"sympy", "torch", "tape_reverse"}
    assert (ok.correct_digits > 12).all()   # the logistic map's derivative, well within float64's floor
