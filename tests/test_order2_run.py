"""A real `diffbench run --quick --order 2`: hessian and hvp rows with the derivative column, every method ok."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diffbench.methods import REGISTRY, SECOND_ORDER_METHODS

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))
LISTED = ("bowl", "quadratic", "log_quadratic", "logdet", "tanh_scalar", "mds")
HAS_JAX = importlib.util.find_spec("jax") is not None


def diffbench(*args, timeout=600):
    return subprocess.run([DIFFBENCH, *map(str, args)], capture_output=True, text=True, env=dict(os.environ),
                          timeout=timeout)


@pytest.fixture(scope="module")
def order2_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("order2")
    done = diffbench("run", "--quick", "--order", "2", "--only", "bowl,tanh_scalar,quadratic,log_quadratic,logdet,mds",
                     "--methods", "tape_reverse,fd_central", "--jobs", "2", "--budget", "30", "--out", out, "--no-report")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    run_dir = next(out.iterdir())
    return run_dir, done.stdout


def test_rows_carry_the_derivative_column_and_every_method_is_ok(order2_run):
    run_dir, _ = order2_run
    results = pd.read_csv(run_dir / "results.csv")
    assert set(results["derivative"]) == {"gradient", "hessian", "hvp"}
    assert (results.loc[results["method"].isin(["tape_reverse", "fd_central"]), "derivative"] == "gradient").all()
    second = results[results["derivative"] != "gradient"]
    assert set(second["case"]) == set(LISTED)      # and no case that did not opt in
    for name in LISTED:
        for method in SECOND_ORDER_METHODS:
            rows = second[(second["case"] == name) & (second["method"] == method)]
            assert len(rows) and (rows["derivative"] == REGISTRY[method].derivative).all(), (name, method)
            expected = "ok" if HAS_JAX or method != "jax_hvp" else "skipped"
            assert (rows["status"] == expected).all(), rows[["param", "status", "message"]].to_string()
    scored = second[second["status"] == "ok"]
    hessian = scored[scored["derivative"] == "hessian"]
    assert (hessian["n_outputs"] == hessian["n_inputs"]).all()
    assert (scored.loc[scored["derivative"] == "hvp", "n_outputs"] == 1).all()
    exact = scored[~scored["method"].isin(["fd_hessian"])]
    assert exact["correct_digits"].min() >= 13.0
    assert scored.loc[scored["method"] == "fd_hessian", "correct_digits"].min() >= 8.0
    assert (second["ref_digits"] >= 25).all() and not second["ref_flagged"].any()
    sweep = pd.read_csv(run_dir / "fd_sweep.csv")
    assert set(sweep.loc[sweep["scheme"] == "hessian", "derivative"]) == {"hessian"}
    assert set(sweep.loc[sweep["scheme"] == "central", "derivative"]) == {"gradient"}


def test_hvp_rows_are_the_stored_inputs_a_plus_a_transpose_times_the_stored_direction(order2_run):
    """An independent route through the evidence: (A + Aᵀ) v from the point's inputs and recorded direction."""
    run_dir, _ = order2_run
    lines = [json.loads(line) for line in (run_dir / "evidence.jsonl").read_text().splitlines()]
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["order"] == 2 and "crc32(case|hvp|params)" in meta["hvp_direction_scheme"]
    for param in ("n=2", "n=10"):
        point = next(line for line in lines if line["kind"] == "point" and line["case"] == "quadratic"
                     and line["param"] == param)
        A = np.array([float(v) for v in point["inputs"]["A"]["values"]]).reshape(point["inputs"]["A"]["shape"])
        direction = next(line for line in lines if line["kind"] == "hessian_point" and line["case"] == "quadratic"
                         and line["param"] == param)["hvp_direction"]
        expected = (A + A.T) @ np.array(direction)
        for method in ("tape_hvp", "tape_hvp_rr", "torch_hvp"):
            output = next(line for line in lines if line["kind"] == "method" and line["case"] == "quadratic"
                          and line["param"] == param and line["method"] == method)["output"]
            found = np.array([float(v) for v in output])
            np.testing.assert_allclose(found, expected, rtol=1e-13, atol=1e-13 * np.abs(expected).max())


def test_the_terminal_summary_shows_the_second_order_methods(order2_run):
    _, stdout = order2_run
    assert "second derivatives" in stdout
    for case in LISTED:
        assert case in stdout


@pytest.mark.parametrize("args", [("--order", "3"), ("--order", "0"), ("--methods", "tape_hvp")])
def test_order_3_and_second_order_methods_without_order_2_are_one_line_usage_errors(args, tmp_path):
    done = diffbench("run", "--quick", "--only", "bowl", "--out", tmp_path, "--no-report", *args, timeout=180)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and ("--order" in errors[0] or "--methods" in errors[0]), done.stderr
    assert not any(tmp_path.iterdir())     # nothing written


def test_the_report_has_one_second_order_table_and_keeps_first_order_sections_first_order(order2_run):
    from diffbench.report import render_report
    run_dir, _ = order2_run
    page = render_report(run_dir).read_text()
    start = page.index('<section id="second_order">')
    section = page[start:page.index("</section>", start)]
    for method in SECOND_ORDER_METHODS:
        assert method.replace("_", "_<wbr>") in section, method
    assert section.count("<tr>") == 1 + len(LISTED)      # header + one row per case
    others = page[:start] + page[page.index("</section>", start):]
    accuracy = others[others.index('<section id="accuracy">'):]
    accuracy = accuracy[:accuracy.index("</section>")]
    assert "tape_<wbr>hessian" not in accuracy and "tape_hessian" not in accuracy
    assert "tape_<wbr>reverse" in accuracy or "tape_reverse" in accuracy
