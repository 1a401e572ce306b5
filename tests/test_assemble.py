"""Job outputs become record rows exactly: every column of every table, from hand-made outputs and references."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from diffbench import records
from diffbench.assemble import base_row, method_rows, reference_columns, status_rows
from diffbench.methods.base import Method, PointResult
from diffbench.runner.worker import JobOutput

CASE = SimpleNamespace(name="toy", family="toys", sweep="n", nonfinite_reason=lambda params: None)
FLAT = SimpleNamespace(name="flat", family="toys", sweep=None, nonfinite_reason=lambda params: None)
FD = Method("fd_central", "numeric", "central", run=None)
TAPE = Method("tape_reverse", "ad", "tape", run=None)
HI = np.array([[3.0, 4.0]])


def ref(digits=45.0, route2="componentwise", hi=HI):
    return {"hi": hi, "lo": np.zeros_like(hi), "digits": digits, "route2": route2, "value": 1.0}


def tables():
    return {name: [] for name in records.TABLES}


def test_base_row_names_the_setting():
    assert base_row(CASE, {"n": 3, "d": 2}) == {"case": "toy", "family": "toys", "param": "n=3, d=2",
                                                "sweep_value": 3.0, "params": {"n": 3, "d": 2}}
    flat = base_row(FLAT, {})
    assert flat["param"] == "-" and math.isnan(flat["sweep_value"]) and flat["case"] == "flat" and flat["params"] == {}


def test_reference_columns():
    columns = reference_columns(ref(45.0))
    assert {k: columns[k] for k in ("ref_digits", "ref_route2", "ref_flagged", "kink")} == {
        "ref_digits": 45.0, "ref_route2": "componentwise", "ref_flagged": False, "kink": False}
    assert reference_columns(ref(12.0, "directional k=3"))["ref_flagged"] is True
    assert reference_columns(None) == {} and reference_columns({"error": "boom"}) == {}


def test_scored_point_with_sweep_and_timings():
    sweep = {"direction": "full", "h": [1e-2, 1e-4, 1e-6, 1e-8, 1e-10],
             "estimates": [HI * (1 + e) for e in (1e-4, 1e-8, 1e-10, 1e-8, 1e-6)], "directions": None}
    point = PointResult(HI * (1 + 1e-10), setup_time_s=0.5, eval_time_s=2e-3, timings={"eval": 2e-3},
                        extra={"step_h": 1e-5, "n_func_evals": 4, "sweep": sweep})
    out = tables()
    method_rows(CASE, {"n": 2}, FD, JobOutput(job=None, points=[point], func_times=[1e-3]), [ref()], out)
    (row,) = out["results"]
    assert row["case"] == "toy" and row["method"] == "fd_central" and row["point"] == 0 and row["status"] == "ok"
    assert row["setup_time_s"] == 0.5 and row["eval_time_s"] == 2e-3 and row["func_time_s"] == 1e-3
    assert row["cost_ratio"] == pytest.approx(2.0)
    assert (row["n_outputs"], row["n_inputs"]) == (1, 2)
    assert row["rel_error"] == pytest.approx(1e-10, rel=1e-5) and row["correct_digits"] == pytest.approx(10, abs=1e-4)
    assert row["step_h"] == 1e-5 and row["n_func_evals"] == 4 and "sweep" not in row
    assert row["best_h"] == 1e-6 and row["best_error"] == pytest.approx(1e-10, rel=1e-5)
    assert row["opt_h"] == 1e-6
    assert row["ref_digits"] == 45.0 and row["ref_flagged"] is False and row["message"] == ""
    assert [(r["h"], r["scheme"], r["direction"], r["point"]) for r in out["fd_sweep"]] == [
        (h, "central", "full", 0) for h in sweep["h"]]
    assert out["fd_sweep"][1]["rel_error"] == pytest.approx(1e-8, rel=1e-5)
    assert all(r["case"] == "toy" and r["sweep_value"] == 2.0 for r in out["fd_sweep"])
    assert out["timing"] == [
        {"case": "toy", "family": "toys", "param": "n=2", "sweep_value": 2.0, "params": {"n": 2},
         "method": "fd_central", "point": 0,
         "phase": "function", "time_s": 1e-3},
        {"case": "toy", "family": "toys", "param": "n=2", "sweep_value": 2.0, "params": {"n": 2},
         "method": "fd_central", "point": 0,
         "phase": "eval", "time_s": 2e-3}]
    assert set(row) - {records.PARAMS} <= set(records.RESULTS_COLUMNS)
    assert set(out["fd_sweep"][0]) - {records.PARAMS} <= set(records.FD_SWEEP_COLUMNS)


def test_evaluation_curve_rows():
    curve = {"estimator": "random_direction", "samples": [1, 2], "n_func_evals": [2, 4],
             "estimates": [HI * 1.5, HI * 1.01], "expected_rel_error": [1.0, 0.7]}
    point = PointResult(HI * 1.01, eval_time_s=1e-3, extra={"evals_curve": curve})
    out = tables()
    method_rows(CASE, {"n": 2}, FD, JobOutput(job=None, points=[point], func_times=[1e-3]), [ref()], out)
    assert [(r["estimator"], r["samples"], r["n_func_evals"], r["expected_rel_error"], r["point"])
            for r in out["fd_evals"]] == [("random_direction", 1, 2, 1.0, 0), ("random_direction", 2, 4, 0.7, 0)]
    assert [r["rel_error"] for r in out["fd_evals"]] == [pytest.approx(0.5), pytest.approx(0.01)]
    assert "evals_curve" not in out["results"][0]


def test_swell_and_trace_length_come_from_point_zero_only():
    entry = {"representation": "sympy_tree", "nodes": 7, "ops": 5}
    points = [PointResult(HI, extra={"trace_length": 9}, swell=[entry]),
              PointResult(HI, extra={"trace_length": 9}, swell=[entry])]
    out = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=points, func_times=[1e-3]), [ref(), ref()], out)
    assert out["swell"] == [
        {"case": "toy", "family": "toys", "param": "n=2", "sweep_value": 2.0, "params": {"n": 2}, **entry},
        {"case": "toy", "family": "toys", "param": "n=2", "sweep_value": 2.0, "params": {"n": 2},
         "representation": "tape_trace",
         "nodes": 9, "ops": 9}]
    assert [r["point"] for r in out["results"]] == [0, 1] and [r["trace_length"] for r in out["results"]] == [9, 9]
    assert math.isnan(out["results"][1]["func_time_s"]) and math.isnan(out["results"][1]["cost_ratio"])


def test_unscorable_points_say_why():
    points = [PointResult(HI), PointResult(HI), PointResult(np.ones((2, 2))), PointResult(HI * np.nan)]
    refs = [{"error": "reference failed: boom"}, None, ref(), ref()]
    out = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=points, func_times=[]), refs, out)
    first, second, shape, nan = out["results"]
    assert first["message"] == "not scored: reference failed: boom" and first["status"] == "ok"
    assert "ref_digits" not in first and "rel_error" not in first
    assert second["message"] == "not scored: no reference"
    assert shape["status"] == "failed" and shape["message"] == "wrong shape (2, 2), expected (1, 2)"
    assert nan["status"] == "failed" and nan["message"] == "returned NaN/inf in 2 of 2 entries"
    beyond = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=[PointResult(HI), PointResult(HI)]), [ref()], beyond)
    assert beyond["results"][1]["message"] == "not scored: no reference"


def test_expected_overflow_is_inaccurate_and_says_so():
    overflowing = SimpleNamespace(name="naive", family="toys", sweep="n", nonfinite_reason=lambda params: "overflow")
    out = tables()
    point = PointResult(np.array([[np.inf, 1.0]]))
    # NB: the worker asks the case why NaN/inf is expected and hands the reason over with the output
    method_rows(overflowing, {"n": 2}, TAPE, JobOutput(job=None, points=[point], nonfinite_reason="overflow"),
                [ref()], out)
    (row,) = out["results"]
    assert row["status"] == "inaccurate"
    assert row["message"] == "returned NaN/inf in 1 of 2 entries (expected: overflow)"


def test_disputed_reference_note_joins_the_method_message():
    point = PointResult(HI, message="slow")
    out = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=[point]), [ref(29.99)], out)
    assert out["results"][0]["message"] == (
        "slow; scored against a disputed reference: its routes agree to 30.0 digits (< 30)")
    exactly = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=[PointResult(HI)]), [ref(30.0)], exactly)
    assert exactly["results"][0]["message"] == "" and exactly["results"][0]["ref_flagged"] is False


def test_status_rows():
    out = tables()
    status_rows(CASE, {"n": 2}, "sympy", 2, "timeout", "timed out after 5 s", out, [ref(), ref(12.0)])
    assert [(r["point"], r["status"], r["message"], r["ref_flagged"]) for r in out["results"]] == [
        (0, "timeout", "timed out after 5 s", False), (1, "timeout", "timed out after 5 s", True)]
    rejected = tables()
    status_rows(CASE, {"n": 0}, "sympy", 0, "domain_error", "n must be >= 1", rejected)
    (row,) = rejected["results"]
    assert row["point"] is None and row["status"] == "domain_error" and row["method"] == "sympy"
    assert "ref_digits" not in row


def test_swell_rows_are_point_zeros_even_when_points_differ():
    tree = ([{"representation": "sympy_tree", "nodes": 7, "ops": 5}],
            [{"representation": "sympy_tree", "nodes": 8, "ops": 6}])
    points = [PointResult(HI, extra={"trace_length": 9}, swell=tree[0]),
              PointResult(HI, extra={"trace_length": 11}, swell=tree[1])]
    out = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=points, func_times=[1e-3, 1e-3]), [ref(), ref()], out)
    assert [(r["representation"], r["nodes"]) for r in out["swell"]] == [("sympy_tree", 7), ("tape_trace", 9)]


def test_no_cost_ratio_without_a_positive_function_time():
    points = [PointResult(HI, eval_time_s=1e-3), PointResult(HI, eval_time_s=1e-3), PointResult(HI)]
    out = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=points, func_times=[0.0, float("nan"), 1e-3]),
                [ref(), ref(), ref()], out)
    assert all(math.isnan(r["cost_ratio"]) and math.isnan(r["float_cost_ratio"]) for r in out["results"])


def test_a_result_that_is_not_ok_is_not_scored_even_with_a_jacobian():
    point = PointResult(HI * 2, status="not_applicable", message="complex step does not apply")
    out = tables()
    method_rows(CASE, {"n": 2}, TAPE, JobOutput(job=None, points=[point]), [ref()], out)
    (row,) = out["results"]
    assert row["status"] == "not_applicable" and "rel_error" not in row and "n_inputs" not in row


def test_status_rows_beyond_the_references_have_none():
    out = tables()
    status_rows(CASE, {"n": 2}, "sympy", 2, "timeout", "timed out", out, [ref()])
    assert out["results"][0]["ref_digits"] == 45.0 and "ref_digits" not in out["results"][1]
