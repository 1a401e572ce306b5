"""tools/mutation.py: the rules table it rewrites for mutmut behaves as the original; its equivalent-mutant list."""
import importlib.util
import inspect
from pathlib import Path

import numpy as np
import pytest

from diffbench.ad import rules
from diffbench.backends import FloatOps

ROOT = Path(__file__).resolve().parent.parent


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    return load("mutation_tool", ROOT / "tools" / "mutation.py")


def test_named_rules_table_gives_the_same_values_jvps_and_vjps(tool, tmp_path):
    path = tmp_path / "named_rules.py"
    path.write_text(tool.named_rules(inspect.getsource(rules)), encoding="utf-8")
    named = load("named_rules", path)
    assert set(named.RULES) == set(rules.RULES)
    assert "lambda" not in path.read_text().split("RULES = ")[1]
    o, rng = FloatOps(), np.random.default_rng(0)
    a, b, t = rng.uniform(0.5, 2.0, 3), rng.uniform(0.5, 2.0, 3), rng.standard_normal(3)
    for name in ("add", "sub", "mul", "div", "pow", "exp", "log", "sin", "cos", "tanh", "sqrt", "abs"):
        original, rewritten = rules.RULES[name], named.RULES[name]
        args = (a, b)[:len(original.jvps)]
        out = original.impl(o, *args)
        assert np.array_equal(rewritten.impl(o, *args), out)
        for f, g in zip(original.jvps + original.vjps, rewritten.jvps + rewritten.vjps):
            assert np.array_equal(g(o, t, out, *args), f(o, t, out, *args)), name
        assert rewritten.symmetric == original.symmetric


def test_equivalent_mutants_each_have_a_reason(tool):
    listed = tool.equivalent_mutants()
    assert listed and all(name.startswith("diffbench.") and "__mutmut_" in name for name in listed)
    assert all(len(reason.split()) >= 4 for reason in listed.values())


def test_a_listed_mutant_without_a_reason_is_refused(tool, tmp_path):
    bad = tmp_path / "equivalent.txt"
    bad.write_text("# comment\ndiffbench.scoring.x_score__mutmut_1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="has no reason"):
        tool.equivalent_mutants(bad)
