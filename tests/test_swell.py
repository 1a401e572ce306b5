"""Expression swell: counting, growth-law fits, the survey's Table 1, log det's n! terms, budgets that stop jobs."""
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sympy
from click.testing import CliRunner

from diffbench import records, survey
from diffbench.backends import SymOps
from diffbench.case import load_cases
from diffbench.cli import main
from diffbench.derivatives import ad_over_sympy, survey_simplified
from diffbench.growth import fit_growth
from diffbench.sizes import cse_size, tree_size
from diffbench.swell import REPRESENTATIONS, fit_rows, run_swell, trace

x = survey.X


@pytest.fixture(scope="module")
def cases():
    return load_cases()


def logistic_derivative(cases, n):
    case = cases["logistic"]
    params = case.params(n)
    sym = trace(case, params, case.inputs(0, params, 0))
    return sym, sympy.diff(sym.outputs[0], sym.wrt[0])


# --- counting -------------------------------------------------------------------------------------------------

def test_tree_and_dag_counts_by_hand():
    assert tree_size([4 * x * (1 - x)]) == (8, 4)   # Mul(4, x, Add(1, Mul(-1, x))): 8 nodes; 2 + 1 + 1 operations
    shared = sympy.sin(x) + sympy.sin(x) ** 2
    assert tree_size([shared]) == (7, 4)             # sin(x) written twice
    assert cse_size([shared]) == (5, 3, 1)           # sin(x) once: Add, sin, x, Pow, 2; one replacement


def test_tree_nodes_match_sympy_preorder_traversal(cases):
    _, derivative = logistic_derivative(cases, 6)
    assert tree_size([derivative])[0] == sum(1 for _ in sympy.preorder_traversal(derivative))


def test_logistic_tree_at_12_is_the_issue_s_390k_nodes_and_counting_stays_fast(cases):
    case = cases["logistic"]
    f = case.call(SymOps(), {"x": x}, case.params(12))
    assert tree_size([f])[0] == 10238                # 10 * 2^10 - 2: every step writes l_n twice
    assert cse_size([f])[0] == 47                    # the DAG grows by 3 nodes a step


# --- growth-law fits ------------------------------------------------------------------------------------------

def test_fit_recognises_an_exponential():
    n = np.arange(1, 13)
    fit = fit_growth(n, 3 * 2.0**n)
    assert fit.law == "exponential" and fit.rate == pytest.approx(2.0) and fit.rate_r2 == pytest.approx(1.0)


def test_fit_recognises_a_polynomial():
    n = np.arange(1, 13)
    fit = fit_growth(n, 5 * n**2.0)
    assert fit.law == "polynomial" and fit.degree == pytest.approx(2.0) and fit.degree_r2 == pytest.approx(1.0)


def test_fit_of_constant_and_of_too_few_points():
    assert fit_growth([1, 2, 3, 4], [4, 4, 4, 4]).law == "constant"
    assert fit_growth([1, 2, 3], [4, 8, 16]).law == "too few sizes"       # below 4 sizes no law is claimed
    assert fit_growth([1, 2, 3, 4], [0, 0, 5, 9]).law == "too few sizes"  # zero sizes cannot be fitted in log space


def test_logistic_laws_tree_exponential_trace_linear(cases):
    """On the real logistic map n = 1..8: the derivative tree swells exponentially, the AD trace is linear."""
    case = cases["logistic"]
    sizes = range(1, 9)
    trees, traces = [], []
    for n in sizes:
        params = case.params(n)
        inputs = case.inputs(0, params, 0)
        trees.append(tree_size([logistic_derivative(cases, n)[1]])[0])
        traces.append(REPRESENTATIONS["tape_trace"](case, params, inputs).nodes)
    assert traces == [3 * (n - 1) for n in sizes]    # 3 operations per step: 4 * l, 1 - l, product
    tree_fit, trace_fit = fit_growth(sizes, trees), fit_growth(sizes, traces)
    # The tree of l_n' grows like n 2^n (l_n written twice a step): over all sizes the rate is 2 ± its error.
    assert tree_fit.law == "exponential" and abs(tree_fit.rate - 2) < 0.3 and tree_fit.rate_se < 0.3
    assert trace_fit.law == "polynomial" and trace_fit.degree == pytest.approx(1.0, abs=0.3)


def test_fit_rows_skip_timeouts_and_name_the_range():
    rows = [{"case": "c", "family": "f", "param": f"n={n}", "sweep_value": float(n), "representation": "r",
             "nodes": 2**n, "ops": 2**n, "status": "ok"} for n in range(1, 9)]
    rows.append({"case": "c", "family": "f", "param": "n=9", "sweep_value": 9.0, "representation": "r",
                 "status": "timeout"})
    fits = fit_rows(rows)
    assert [f["measure"] for f in fits] == ["nodes", "ops"]
    assert fits[0]["rate"] == pytest.approx(2.0) and fits[0]["param"] == "n=2..8"   # every size of >= 4 nodes


# --- the survey's Table 1 ---------------------------------------------------------------------------------------

def test_published_table1_is_self_consistent():
    for n in survey.table1_sizes():
        f, d, s = (survey.published(n, c) for c in survey.COLUMNS)
        assert sympy.expand(sympy.diff(f, x) - d) == 0 and sympy.expand(d - s) == 0


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_table1_reproduced(cases, n):
    sym, derivative = logistic_derivative(cases, n)
    simplified = survey_simplified(derivative)
    assert survey.agrees(sympy.sstr(sym.outputs[0]), n, "function")
    assert survey.agrees(sympy.sstr(derivative), n, "derivative")
    assert survey.agrees(sympy.sstr(simplified), n, "simplified")
    assert not survey.agrees(sympy.sstr(derivative + x), n, "simplified")


def test_ad_over_sympy_gives_the_published_derivative(cases):
    """The tape over sympy at n = 4 equals the survey's polynomial, and l_4'(0.2) = 9.0660864 (case note)."""
    case = cases["logistic"]
    sym, _ = logistic_derivative(cases, 4)
    (gradient,) = ad_over_sympy(case, case.params(4), sym.symbols)
    assert sympy.expand(gradient - survey.published(4, "simplified")) == 0
    assert gradient.subs(sym.wrt[0], sympy.Rational(1, 5)) == sympy.Rational("9.0660864")


# --- log det ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_symbolic_determinant_has_n_factorial_terms(n):
    X = np.array([[sympy.Symbol(f"X_{i}_{j}") for j in range(n)] for i in range(n)], dtype=object)
    log_det = SymOps().logdet(X)
    assert len(sympy.Add.make_args(sympy.expand(log_det.args[0]))) == math.factorial(n)


# --- budgets and the command ----------------------------------------------------------------------------------------

def test_a_job_out_of_budget_stops_cleanly_and_the_run_goes_on(cases):
    chosen = {"logistic": cases["logistic"]}
    rows = run_swell(chosen, {"logistic": (2, 16, 17)}, ("function", "sympy_tree"), budget_s=2.0, workers=2)
    status = {(r["representation"], r["param"]): r["status"] for r in rows}
    assert status[("sympy_tree", "n=2")] == "ok"
    assert status[("sympy_tree", "n=16")] == "timeout"   # diff alone of the 16th iterate takes tens of seconds
    assert status[("sympy_tree", "n=17")] == "skipped"
    assert all(status[("function", p)] == "ok" for p in ("n=2", "n=16", "n=17"))
    timed_out = next(r for r in rows if r["status"] == "timeout")
    assert "2 s" in timed_out["message"]


def test_swell_command_writes_a_run_folder_with_table1(tmp_path):
    result = CliRunner().invoke(main, ["swell", "--case", "logistic", "--max-n", "5", "--budget", "20",
                                       "--representations", "function,sympy_tree,sympy_cse,sympy_simplified,"
                                       "ad_sympy,tape_trace", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (run_dir,) = tmp_path.iterdir()
    swell = records.read_table(run_dir, "swell")
    assert set(swell["status"]) == {"ok"} and len(swell) == 6 * 5
    at5 = swell[swell["sweep_value"] == 5].set_index("representation")
    assert at5.loc["sympy_tree", "nodes"] == 530 and at5.loc["tape_trace", "nodes"] == 12
    assert (at5[["derive_time_s", "lambdify_time_s", "eval_time_s"]].loc["sympy_cse"] > 0).all()
    fits = records.read_table(run_dir, "swell_fits")
    assert set(fits["representation"]) >= {"sympy_tree", "sympy_cse", "ad_sympy", "tape_trace"}
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "All rows agree." in page and "nodes grow" in page and "The survey's Table 1" in page
    assert pd.notna(swell["expression"]).any()


def session_processes(session: int) -> list[str]:
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive


def test_swell_interrupted_writes_what_finished_and_leaves_no_worker(tmp_path):
    process = subprocess.Popen([str(Path(sys.executable).with_name("diffbench")), "swell", "--case", "logistic",
                                "--max-n", "14", "--budget", "60", "--out", str(tmp_path), "--no-report"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ,
                               start_new_session=True)
    time.sleep(1)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(tmp_path.iterdir()):
        time.sleep(0.2)
    time.sleep(8)      # some sizes measured, sympy_simplify at n >= 8 still busy for a long while
    os.kill(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    (run_dir,) = list(tmp_path.iterdir())
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "interrupted" and meta["kind"] == "swell"
    rows = records.read_table(run_dir, "swell")
    assert len(rows) > 0 and set(rows["case"]) == {"logistic"}
    time.sleep(5)
    assert session_processes(process.pid) == []
