"""The reference routes are independent: a wrong rule is flagged, route 2 needs no rule, the flag follows 30 digits."""
import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from diffbench import records
from diffbench.ad import rules
from diffbench.ad.rules import RULES, Rule
from diffbench.assemble import reference_columns
from diffbench.case import load_cases
from diffbench.reference import reference
from diffbench.runner import RunConfig, assemble, plan
from diffbench.runner.meta import run_meta
from diffbench.runner.worker import execute, plan_file
from diffbench.thresholds import REFERENCE_AGREEMENT_DIGITS

CASES = load_cases()


def scaled_sin(error):
    """sin's row with both derivative rules off by the relative `error` (exact in mpmath; the value stays right)."""
    row = RULES["sin"]

    def factor(o):
        return o.const(1) + o.const(error) if o.name in ("mpmath", "arb") else 1 + float(error)
    return Rule(row.impl, (lambda o, t, out, x: factor(o) * t * o.cos(x),),
                (lambda o, g, out, x: factor(o) * g * o.cos(x),))


@contextlib.contextmanager
def wrong_rule(monkeypatch, error):
    monkeypatch.setitem(RULES, "sin", scaled_sin(error))
    yield


@contextlib.contextmanager
def no_rules():
    saved = dict(RULES)
    RULES.clear()
    try:
        yield
    finally:
        RULES.update(saved)


def trace_point():
    case = CASES["trace_example"]        # f = ln x1 + x1 x2 - sin x2: sin enters the gradient
    params = case.params(None)
    return case, params, case.inputs(0, params, 0)


@pytest.mark.parametrize("relative_error,flagged", [("1e-3", True), ("1e-20", True), ("3e-28", True), ("1e-30", False),
                                                    ("1e-45", False)])
def test_flag_follows_the_agreement_threshold(monkeypatch, relative_error, flagged):
    case, params, inputs = trace_point()
    with wrong_rule(monkeypatch, relative_error):
        ref = reference(case, params, inputs, np.random.default_rng(0))
    # only d/dx2 = x1 - cos x2 holds the wrong term; the agreement digits track the planted error
    expected_digits = -np.log10(float(relative_error) * abs(np.cos(5.0)) / np.hypot(5.5, 2 - np.cos(5.0)))
    if flagged:
        assert ref["digits"] == pytest.approx(expected_digits, abs=0.3)
    else:
        assert ref["digits"] >= REFERENCE_AGREEMENT_DIGITS
    assert reference_columns(ref)["ref_flagged"] is flagged


@pytest.mark.parametrize("digits", [REFERENCE_AGREEMENT_DIGITS - 0.01, REFERENCE_AGREEMENT_DIGITS,
                                    REFERENCE_AGREEMENT_DIGITS + 5])
def test_flag_is_exactly_digits_below_threshold(digits):
    columns = reference_columns({"digits": digits, "route2": "componentwise"})
    assert columns["ref_flagged"] is (digits < REFERENCE_AGREEMENT_DIGITS)


@pytest.mark.parametrize("name,value", [("trace_example", None), ("logdet_general", 5), ("mds_weighted", 50)])
def test_route_two_needs_no_rule(monkeypatch, name, value):
    """Route 1's Jacobian is computed beforehand (scaled by a factor); route 2 then runs with the rules table empty."""
    from diffbench import reference as reference_module
    case = CASES[name]
    params = case.params(value)
    inputs = case.inputs(0, params, 1)
    true_ref = reference(case, params, inputs, np.random.default_rng(4))
    for factor, agree in (("1", True), ("1.0000000001", False)):
        route_one = route_one_jacobian(case, params, inputs, factor)
        monkeypatch.setattr(reference_module.api, "jacrev", lambda f, mp, xs, answer=route_one: answer)
        with no_rules():
            assert not rules.RULES
            ref = reference(case, params, inputs, np.random.default_rng(4))
        assert ref["route2"] == true_ref["route2"]
        if agree:
            assert ref["digits"] >= REFERENCE_AGREEMENT_DIGITS
            np.testing.assert_array_equal(ref["hi"], true_ref["hi"])
        else:   # route 2 sees the planted 1e-10 by itself
            assert ref["digits"] == pytest.approx(10, abs=0.5)


def route_one_jacobian(case, params, inputs, factor):
    """What api.jacrev returns to reference(): route 1's Jacobian times factor, and an empty tape."""
    from diffbench.ad import api
    from diffbench.backends import MpOps
    mp = MpOps(50)
    xs, data = case.split(inputs)
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    jacobian, _ = api.jacrev(f, mp, [mp.asarray(x) for x in xs])
    return jacobian * mp.ctx.mpf(factor), type("EmptyTape", (), {"nodes": []})()


def in_process_run(case_names, methods, tmp_path):
    """plan -> every job through the worker's execute, here in this process (so a monkeypatched rule holds)."""
    config = RunConfig(cases={n: CASES[n] for n in case_names}, methods=methods, mode="quick", out_dir=tmp_path,
                       command=["test"])
    sources = dict.fromkeys(CASES[n].source for n in case_names)
    plans = {p.name: p for source in sources for p in plan_file(source, config.mode, config.seed)}
    plan_ = plan(config, plans)
    results = [(job, execute(job)) for job in plan_.jobs]
    tables, failures = assemble(plan_, results, config)
    return tables, failures, run_meta(config, tmp_path, "now", 0.0, "complete", {}, failures, [])


def test_wrong_rule_flags_the_reference_disputes_its_rows_and_fails_the_run(monkeypatch, tmp_path):
    with wrong_rule(monkeypatch, "1e-6"):
        tables, failures, meta = in_process_run(("trace_example", "logistic"), ("tape_reverse", "fd_central"),
                                                tmp_path)
    rows = {(r["case"], r["method"]): r for r in tables["results"]}
    for method in ("tape_reverse", "fd_central"):
        bad = rows[("trace_example", method)]
        assert bad["ref_flagged"] and bad["ref_digits"] < REFERENCE_AGREEMENT_DIGITS
        assert "disputed reference" in bad["message"]
        clean = rows[("logistic", method)]        # no sin in the logistic map: its reference stands
        assert not clean["ref_flagged"] and "disputed" not in clean["message"]
    # the tape uses the same wrong rule, so it agrees with route 1 to round-off; fd does not (1e-6 off)
    assert rows[("trace_example", "tape_reverse")]["rel_error"] < 1e-14
    assert rows[("trace_example", "fd_central")]["rel_error"] > 1e-8
    disputed = [f for f in failures if f["method"] == "reference"]
    assert [(f["case"], f["status"]) for f in disputed] == [("trace_example", "disputed")]
    assert meta["exit_code"] == 1


def test_clean_rules_give_an_undisputed_run(tmp_path):
    tables, failures, meta = in_process_run(("trace_example",), ("tape_reverse",), tmp_path)
    assert not any(r["ref_flagged"] for r in tables["results"])
    assert failures == [] and meta["exit_code"] == 0


WRONG_RULE_CASE = textwrap.dedent('''
    """trace_example with sin's reverse rule scaled by 1 + 1e-6 in the rules table only (every process loading it)."""
    from diffbench.ad.rules import RULES, Rule
    from diffbench_cases.trace_example import CASES as ORIGINAL

    _row = RULES["sin"]
    RULES["sin"] = Rule(_row.impl, _row.jvps, (lambda o, g, out, x: g * o.cos(x) * (1 + o.const(1e-6)),))
    CASES = ORIGINAL
''')


def test_cli_exits_1_when_a_rule_is_wrong(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "wrong_sin.py").write_text(WRONG_RULE_CASE)
    diffbench = Path(sys.executable).with_name("diffbench")
    done = subprocess.run([str(diffbench), "run", "--quick", "--cases", str(folder), "--methods", "tape_reverse",
                           "--out", str(tmp_path / "runs"), "--no-report", "--jobs", "1"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    run_dir = next((tmp_path / "runs").iterdir())
    results = records.read_table(run_dir, "results")
    assert results["ref_flagged"].all()
    assert results["message"].str.contains("disputed reference").all()
    assert "disputed" in done.stdout
