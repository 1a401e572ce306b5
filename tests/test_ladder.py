"""The precision ladder: methods computing in float32 and float64, and how their best error scales with u."""
import math
from pathlib import Path

import mpmath
import numpy as np
import pytest

from diffbench import ladder
from diffbench.case import builtin_case_dir, load_case_file
from diffbench.methods import finite_diff as fd
from diffbench.precision import PRECISIONS, parse_precisions, rounded_inputs
from diffbench.runner.config import Plan, RunConfig
from diffbench.runner.join import assemble
from diffbench.runner.worker import Job, execute

SOURCE = str(Path(builtin_case_dir()) / "logistic.py")
L4 = {"n": 4}                          # the survey's l_4 (Baydin et al. 2018, Table 1), point 0 is x = 0.2
METHODS = ("fd_forward", "fd_central", "fd_central4", "complex_step", "richardson", "tape_reverse",
           "tape_forward", "torch", "sympy")
BOTH = ("float32", "float64")


def logistic_case():
    return {c.name: c for c in load_case_file(SOURCE)}["logistic"]


def l4_jobs(precisions=BOTH, methods=METHODS):
    """(job, output) of the reference and every method at l_4, x = 0.2, in each precision: the worker's own code."""
    case = logistic_case()
    inputs = case.inputs(0, L4, 0)
    results = []
    for precision in precisions:
        common = dict(source=SOURCE, case="logistic", params=L4, points=(rounded_inputs(inputs, precision),),
                      seed=0, precision=precision)
        for job in [Job(kind="reference", **common)] + [Job(kind="method", method=m, **common) for m in methods]:
            results.append((job, execute(job, case)))
    return case, results


def l4_tables(precisions=BOTH):
    case, results = l4_jobs(precisions)
    config = RunConfig(cases={"logistic": case}, methods=METHODS, precisions=precisions, workers=1)
    tables, failures = assemble(Plan([job for job, _ in results], [], {"logistic": case}), results, config)
    return tables, failures, results


@pytest.fixture(scope="module")
def both():
    return l4_tables()


def test_registry_holds_each_type_and_keeps_float64_as_today():
    assert PRECISIONS["float32"].unit_roundoff == 2.0 ** -24 and PRECISIONS["float64"].unit_roundoff == 2.0 ** -53
    assert PRECISIONS["float32"].complex == np.complex64 and PRECISIONS["float64"].complex == np.complex128
    np.testing.assert_array_equal(PRECISIONS["float64"].sweep_steps, fd.STEPS)    # the float64 sweep unchanged
    steps32 = PRECISIONS["float32"].sweep_steps
    assert steps32[0] == pytest.approx(1e-16) and steps32[-1] == pytest.approx(1.0) and steps32.size == 65
    assert parse_precisions("float64, float32") == ("float32", "float64")
    for bad in ("float16", "garbage", "", ","):
        with pytest.raises(ValueError, match="unknown precision"):
            parse_precisions(bad)
    for stray in ("float32,,float64", "float64,", ",float32"):
        with pytest.raises(ValueError, match="empty name"):
            parse_precisions(stray)


def test_float32_forward_difference_is_the_float32_arithmetic_by_hand(both):
    """The method's float32 estimate equals the forward difference done by hand in numpy float32."""
    _, _, results = both
    output = next(out for job, out in results if job.method == "fd_forward" and job.precision == "float32")
    x = np.float32(0.2)
    h = np.float32(PRECISIONS["float32"].eps ** 0.5)
    h = (x + h) - x                                          # the step rounded so that x + h is a float32

    def l4(v):
        for _ in range(3):
            v = 4 * v * (1 - v)
        return v
    by_hand = (l4(x + h) - l4(x)) / h
    assert by_hand.dtype == np.float32
    assert output.points[0].jacobian[0, 0] == float(by_hand)


def test_reference_is_taken_at_the_rounded_input(both):
    """float32 rows are scored against l_4' at float32(0.2), by the closed form in mpmath, not at 0.2."""
    _, _, results = both
    reference = next(out for job, out in results if job.kind == "reference" and job.precision == "float32")
    with mpmath.workdps(40):
        x = mpmath.mpf(float(np.float32(0.2)))               # 0.200000002980232...
        l1, l2 = x, 4 * x * (1 - x)
        l3 = 4 * l2 * (1 - l2)
        dl2 = 4 - 8 * l1
        dl3 = (4 - 8 * l2) * dl2
        dl4 = float((4 - 8 * l3) * dl3)
    stored = float(np.asarray(reference.points[0]["hi"]).reshape(-1)[0])
    assert stored == pytest.approx(dl4, rel=1e-15)
    assert abs(stored - 9.0660864) / 9.0660864 > 1e-8      # l_4'(0.2) itself is further off than round-off


def test_slopes_on_l4_at_02_are_the_theory(both):
    """The must-show: on l_4 at x = 0.2 the slopes of forward, central, 5-point central and complex step are
    within 0.1 of 1/2, 2/3, 4/5 and 1 (the FD slopes from the sweeps' fitted optima)."""
    tables, failures, _ = both
    assert not failures
    rows = {r["method"]: r for r in tables["precision_ladder"] if r["case"] == "logistic" and r["param"] == "n=4"}
    theory = {"fd_forward": 1 / 2, "fd_central": 2 / 3, "fd_central4": 4 / 5, "complex_step": 1.0}
    for method, expected in theory.items():
        row = rows[method]
        assert row["theory_slope"] == pytest.approx(expected)
        assert abs(row["slope"] - expected) <= 0.1, (method, row["slope"])
        measured = math.log(row["err32"] / row["err64"]) / math.log(2.0 ** 29)    # u32 / u64 = 2^29
        assert row["slope"] == pytest.approx(measured)
    for method in ("fd_forward", "fd_central", "fd_central4"):
        assert rows[method]["error_measure"] == "fitted optimum"
    for method in ("tape_reverse", "tape_forward", "torch", "sympy"):   # a few u times the conditioning
        assert abs(rows[method]["slope"] - 1.0) <= 0.1, (method, rows[method]["slope"])


def test_every_method_computes_in_float32(both):
    """Each float32 error is at float32's level (some u32), far above float64's for the same method."""
    tables, _, _ = both
    by = {(r["method"], r["precision"]): r for r in tables["results"]}
    u32 = PRECISIONS["float32"].unit_roundoff
    for method in ("complex_step", "tape_reverse", "tape_forward", "torch", "sympy"):
        low, high = by[method, "float32"]["rel_error"], by[method, "float64"]["rel_error"]
        assert u32 / 4 < low < 100 * u32, (method, low)
        assert high < 1e-14, (method, high)


def test_one_precision_writes_no_ladder_and_the_float64_rows_are_unchanged(both):
    tables, _, _ = both
    single, _, _ = l4_tables(("float64",))
    assert not single.get("precision_ladder")    # no rows: the run lists it as not written, with why
    keep = ("method", "status", "rel_error", "opt_error", "best_h", "step_h")
    as_before = [{k: r.get(k) for k in keep} for r in single["results"]]
    in_ladder = [{k: r.get(k) for k in keep} for r in tables["results"] if r["precision"] == "float64"]
    assert in_ladder == as_before


def test_ladder_is_deterministic(both):
    tables, _, _ = both
    again, _, _ = l4_tables()
    assert again["precision_ladder"] == tables["precision_ladder"]


def test_slope_of_zero_or_missing_errors_is_nan():
    assert math.isnan(ladder.slope(0.0, 1e-16, 2.0 ** -24, 2.0 ** -53))
    assert math.isnan(ladder.slope(float("nan"), 1e-16, 2.0 ** -24, 2.0 ** -53))
    assert ladder.slope(2.0 ** -24, 2.0 ** -53, 2.0 ** -24, 2.0 ** -53) == pytest.approx(1.0)


@pytest.mark.parametrize("source, name", [("logistic.py", "logistic"), ("logdet.py", "logdet"),
                                          ("log_quadratic.py", "log_quadratic"), ("mds.py", "mds")])
def test_tape_stays_in_float32_on_the_seed_cases(source, name):
    """Forward and reverse passes over float32 arrays give float32 Jacobians (seeds and scatters keep the type)."""
    from diffbench.ad import api
    from diffbench.backends import FloatOps
    from diffbench.methods import METHODS
    case = {c.name: c for c in load_case_file(str(Path(builtin_case_dir()) / source))}[name]
    params = case.params(case.sweep_values("quick")[-1])
    inputs = rounded_inputs(case.inputs(0, params, 0), "float32")
    xs, data = case.split({k: np.asarray(v, dtype=np.float32) for k, v in inputs.items()})
    f = case.bind(data, params)
    ops = FloatOps(np.float32)
    assert api.jacrev(f, ops, xs)[0].dtype == np.float32
    assert np.asarray(api.jacfwd(f, ops, xs)).dtype == np.float32
    result = METHODS["tape_reverse"].run(case, params, [inputs], None, precision="float32")[0]
    assert result.status == "ok" and result.message == ""       # no "computed partly in float64"
