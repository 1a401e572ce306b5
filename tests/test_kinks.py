"""Kinks: found by one-sided derivatives in high precision, and every method judged there by a verdict."""
import textwrap

import numpy as np
import pytest

from diffbench import records
from diffbench.case import load_case_file, load_cases
from diffbench.kinks import kink_score
from diffbench.methods import METHODS
from diffbench.reference import reference

CASES = load_cases()

KINKED_FILE = '''
import numpy as np
from diffbench.case import Case

def max_gate(o, v):
    return o.amax(v)

def bad_convention(o, z):
    # slope 5 at 0, although the one-sided slopes are -1 and 1: a rule value outside them
    return o.sum(o.where(z > 0, z, o.where(z < 0, -z, 5 * z)))

def smooth_where(o, z):
    return o.sum(o.where(z > 0, z * z, -z * z))

CASES = (
    Case(name="max_gate", fn=max_gate, make_inputs=lambda rng: {"v": rng.standard_normal(2)},
         canonical=lambda: {"v": np.array([1.5, 1.5])}, wrt=("v",), complex_ok=False),
    Case(name="bad_convention", fn=bad_convention, make_inputs=lambda rng: {"z": rng.standard_normal(3)},
         canonical=lambda: {"z": np.array([-1.0, 0.0, 2.0])}, wrt=("z",), complex_ok=False),
    Case(name="smooth_where", fn=smooth_where, make_inputs=lambda rng: {"z": rng.standard_normal(3)},
         canonical=lambda: {"z": np.array([-1.0, 0.0, 2.0])}, wrt=("z",), complex_ok=False),
)
'''


@pytest.fixture(scope="module")
def kinked(tmp_path_factory):
    path = tmp_path_factory.mktemp("cases") / "kinked.py"
    path.write_text(textwrap.dedent(KINKED_FILE))
    return {case.name: case for case in load_case_file(path)}


def reference_at(case, point=0):
    params = case.params(case.sweep_values()[0])
    inputs = case.inputs(0, params, point)
    return params, inputs, reference(case, params, inputs, np.random.default_rng(0))


def test_relu_at_zero_is_a_kink_with_one_sided_slopes_0_and_1():
    params, inputs, ref = reference_at(CASES["relu"])
    assert ref["kink"]
    assert ref["kink_mask"].sum() == 1 and ref["kink_mask"][2, 2]
    assert (ref["kink_left"][2, 2], ref["kink_right"][2, 2]) == (0.0, 1.0)
    assert ref["digits"] >= 30          # the routes agree on every differentiable entry


def test_seeded_points_and_smooth_activations_are_not_kinks():
    assert not reference_at(CASES["relu"], point=1)[2]["kink"]
    assert not reference_at(CASES["elu"])[2]["kink"]        # alpha = 1: both sides have slope 1 at 0
    assert not reference_at(CASES["logistic"])[2]["kink"]   # no abs/where/amax: never looked for


def test_where_with_matching_slopes_is_no_kink(kinked):
    assert not reference_at(kinked["smooth_where"])[2]["kink"]   # z|z| is C^1 at 0


def test_max_at_a_tie_is_a_kink_and_the_equal_split_is_a_subgradient(kinked):
    case = kinked["max_gate"]
    params, inputs, ref = reference_at(case)
    assert ref["kink"] and ref["kink_mask"].all()
    np.testing.assert_array_equal(ref["kink_left"], [[0.0, 0.0]])
    np.testing.assert_array_equal(ref["kink_right"], [[1.0, 1.0]])
    tape = METHODS["tape_reverse"].run(case, params, [inputs], np.random.default_rng(0))[0].jacobian
    np.testing.assert_array_equal(tape, [[0.5, 0.5]])
    assert kink_score(tape, ref)["kink_verdict"] == "valid subgradient"
    # the lecture's gate: the whole gradient to one input, a one-sided derivative along that input
    assert kink_score(np.array([[0.0, 1.0]]), ref)["kink_verdict"] == "one-sided derivative"


@pytest.mark.parametrize("jacobian_at_kink,verdict,distance", [(0.0, "one-sided derivative", 0.0),
                                                               (1.0, "one-sided derivative", 0.0),
                                                               (0.5, "valid subgradient", 0.0),
                                                               (2.0, "outside", 1.0),
                                                               (-0.25, "outside", 0.25)])
def test_verdicts_at_the_relu_kink(jacobian_at_kink, verdict, distance):
    params, inputs, ref = reference_at(CASES["relu"])
    jacobian = np.diag([0.0, 0.0, jacobian_at_kink, 1.0, 1.0])
    scored = kink_score(jacobian, ref)
    assert scored["kink_verdict"] == verdict
    assert scored["kink_distance"] == pytest.approx(distance, abs=1e-15)
    assert scored["rel_error"] == 0.0 and scored["kink_entries"] == 1


def test_a_rule_value_outside_the_one_sided_limits_disputes_the_reference(kinked):
    params, inputs, ref = reference_at(kinked["bad_convention"])
    assert ref["kink"] and ref["digits"] == 0.0


def test_a_run_records_each_method_s_verdict_at_the_kink(tmp_path):
    from diffbench.runner import RunConfig, execute_run
    config = RunConfig(cases={"relu": CASES["relu"]}, methods=("fd_forward", "fd_central", "tape_reverse", "torch"),
                       out_dir=tmp_path, command=["diffbench", "run"], mode="quick")
    run_dir, _ = execute_run(config)
    results = records.read_table(run_dir, "results")
    at_kink = results[results["point"] == 0].set_index("method")
    assert at_kink["kink"].all()
    assert at_kink.loc["fd_central", "kink_verdict"] == "valid subgradient"      # (h - 0) / 2h = 1/2
    assert at_kink.loc["fd_forward", "kink_verdict"] == "one-sided derivative"  # the right slope, 1
    assert at_kink.loc["tape_reverse", "kink_verdict"] == "one-sided derivative"
    assert at_kink.loc["torch", "kink_verdict"] == "one-sided derivative"
    off = results[results["point"] != 0]
    assert not off["kink"].any() and off["kink_verdict"].isna().all()
    sweep = records.read_table(run_dir, "fd_sweep")
    assert not (sweep["point"] == 0).any()     # no error-vs-h curve where no derivative exists
