"""The tape and sympy methods against hand-derived Jacobians, trace lengths and expression sizes."""
import numpy as np
import pytest
import sympy

from diffbench.case import Case
from diffbench.methods import symbolic
from diffbench.methods import tape
from diffbench.sizes import cse


def sin_times_x():
    def f(o, x):
        return o.sin(x) * x          # two recorded operations: sin, mul
    return Case("mut_sinx", f, lambda rng: {"x": np.array([0.3, -1.2, 2.0])}, ("x",))


def sin_times_x_jacobian(x):
    return np.diag(np.cos(x) * x + np.sin(x))


@pytest.mark.parametrize("method, extra", [(tape.REVERSE, {"trace_length": 2}), (tape.FORWARD, {})])
def test_tape_methods_give_the_exact_jacobian(method, extra):
    points = [{"x": np.array([0.3, -1.2, 2.0])}, {"x": np.array([1.0, 0.5, -0.25])}]
    results = method.run(sin_times_x(), {}, points, np.random.default_rng(0))
    assert len(results) == 2
    for result, point in zip(results, points):
        assert result.status == "ok" and result.jacobian.dtype == np.float64
        assert np.allclose(result.jacobian, sin_times_x_jacobian(point["x"]), rtol=1e-15, atol=1e-16)
        assert result.extra == extra and result.setup_time_s == 0.0
        assert result.eval_time_s >= 0 and result.timings == {"eval": result.eval_time_s}


def test_symbols_like_names_each_entry_by_its_index():
    assert symbolic.symbols_like("a", 2.0) == sympy.Symbol("a", real=True)
    array = np.asarray(symbolic.symbols_like("w", np.zeros((2, 3))), dtype=object)
    assert array.shape == (2, 3)
    assert str(array[1, 2]) == "w_1_2" and str(array[0, 0]) == "w_0_0" and array[1, 2].is_real


def scaled_case():
    def f(o, x, a):
        return a * x[0] * x[1] + o.sin(x[0])
    return Case("mut_scaled", f, lambda rng: {"x": np.array([0.5, 2.0]), "a": np.float64(3.0)}, ("x",))


def test_derive_differentiates_only_the_wrt_inputs():
    symbols, outputs, wrt = symbolic.derive(scaled_case(), {}, {"x": np.zeros(2), "a": np.float64(3.0)})
    x0, x1, a = sympy.symbols("x_0 x_1 a", real=True)
    assert wrt == [x0, x1] and len(outputs) == 1
    assert sympy.simplify(outputs[0] - (a * x0 * x1 + sympy.sin(x0))) == 0


def test_sympy_method_jacobian_sizes_and_shared_setup():
    points = [{"x": np.array([0.5, 2.0]), "a": np.float64(3.0)}, {"x": np.array([-1.0, 0.25]), "a": np.float64(-2.0)}]
    results = symbolic.SYMPY.run(scaled_case(), {}, points, np.random.default_rng(0))
    for result, point in zip(results, points):
        (x0, x1), a = point["x"], point["a"]
        assert result.jacobian.shape == (1, 2) and result.jacobian.dtype == np.float64
        assert np.allclose(result.jacobian, [[a * x1 + np.cos(x0), a * x0]], rtol=1e-15)
        assert result.eval_time_s > 0
        # a x_1 + cos(x_0): Add(Mul(a, x_1), cos(x_0)) is 6 nodes, 3 ops; a x_0 is 3 nodes, 1 op
        assert result.extra["expr_nodes"] == 9 and result.extra["expr_ops"] == 4
        assert result.extra["expr_cse_ops"] == 4 and result.extra["own_func_time_s"] > 0
        assert result.setup_time_s == results[0].setup_time_s > 0
        assert set(result.timings) == {"derive", "lambdify", "eval"} and result.timings["eval"] == result.eval_time_s
        assert result.timings["derive"] + result.timings["lambdify"] == pytest.approx(result.setup_time_s,
                                                                                     rel=1e-9, abs=1e-12)
    # f = a x_0 x_1 + sin(x_0): Add(Mul(a, x_0, x_1), sin(x_0)) is 7 nodes, 4 ops, and 6 distinct nodes;
    # its derivative a x_1 + cos(x_0); a x_0 has 9 nodes, 4 ops, 7 distinct nodes (a, x_0, x_1 shared)
    derivative = "a*x_1 + cos(x_0); a*x_0"
    assert results[0].swell == [
        {"representation": "function", "nodes": 7, "ops": 4, "expression": "a*x_0*x_1 + sin(x_0)"},
        {"representation": "function_dag", "nodes": 6, "ops": 4},
        {"representation": "sympy_tree", "nodes": 9, "ops": 4, "expression": derivative},
        {"representation": "sympy_cse", "nodes": 7, "ops": 4},
        {"representation": "sympy_simplified", "nodes": 9, "ops": 4, "expression": derivative},
        {"representation": "ad_sympy", "nodes": 7, "ops": 4},
    ]
    assert results[1].swell == results[0].swell


def test_side_forms_are_built_only_for_small_derivatives():
    symbols, outputs, wrt = symbolic.derive(scaled_case(), {}, {"x": np.zeros(2), "a": np.float64(3.0)})
    flat = [sympy.diff(outputs[0], s) for s in wrt]

    def kinds(tree_nodes):
        entries = symbolic.swell_entries(scaled_case(), {}, symbols, outputs, flat, (tree_nodes, 0), (0, 0),
                                         cse(outputs))
        return [e["representation"] for e in entries]
    base = ["function", "function_dag", "sympy_tree", "sympy_cse"]
    assert kinds(1000) == base + ["sympy_simplified", "ad_sympy"]
    assert kinds(1001) == base + ["ad_sympy"]
    assert kinds(12000) == base + ["ad_sympy"]
    assert kinds(12001) == base


def test_a_failing_side_form_is_recorded_not_raised():
    def build():
        raise ValueError("no rule for a comparison")
    assert symbolic._side_entry("ad_sympy", build) == {"representation": "ad_sympy", "status": "failed",
                                                       "message": "ValueError: no rule for a comparison"}
    assert symbolic._side_entry("x", lambda: {"nodes": 3}) == {"representation": "x", "nodes": 3}


def test_sympy_method_evaluates_through_its_common_subexpressions_at_a_single_point():
    """d/dx of x0 e^(x0 x1): e^(x0 x1) (1 + x0 x1) and x0^2 e^(x0 x1) share e^(x0 x1), which cse names."""
    def f(o, x):
        return x[0] * o.exp(x[0] * x[1])
    case = Case("mut_shared", f, lambda rng: {"x": np.array([0.5, -1.5])}, ("x",))
    [result] = symbolic.SYMPY.run(case, {}, [{"x": np.array([0.5, -1.5])}], np.random.default_rng(0))
    shared = np.exp(-0.75)
    assert np.allclose(result.jacobian, [[shared * (1 - 0.75), 0.25 * shared]], rtol=1e-15, atol=0)
    assert result.extra["expr_cse_ops"] < result.extra["expr_ops"]


def test_sympy_method_on_a_vector_function():
    def f(o, x):
        return x * x * x
    case = Case("mut_cube", f, lambda rng: {"x": np.array([0.5, -2.0, 3.0])}, ("x",))
    [result] = symbolic.SYMPY.run(case, {}, [{"x": np.array([0.5, -2.0, 3.0])}], np.random.default_rng(0))
    assert result.jacobian.shape == (3, 3)
    assert np.array_equal(result.jacobian, np.diag([0.75, 12.0, 27.0]))


def test_sympy_tree_text_is_left_out_above_400_nodes():
    """f = x_0 (x_1 + ... + x_200): its gradient is one sum of 200 terms (201 nodes, 199 ops) and 200 times x_0."""
    def f(o, x):
        return x[0] * o.sum(x[1:])
    x = np.linspace(1.0, 2.0, 201)
    case = Case("mut_long", f, lambda rng: {"x": x}, ("x",))
    [result] = symbolic.SYMPY.run(case, {}, [{"x": x}], np.random.default_rng(0))
    tree = next(e for e in result.swell if e["representation"] == "sympy_tree")
    assert (tree["nodes"], tree["ops"], tree["expression"]) == (401, 199, "")
    assert result.jacobian[0, 0] == pytest.approx(x[1:].sum(), rel=1e-15, abs=0)


def test_sympy_jacobian_of_integer_derivatives_is_float64():
    def f(o, x):
        return x[0] + 2 * x[1]          # lambdify returns the Python ints 1 and 2
    case = Case("mut_linear", f, lambda rng: {"x": np.array([0.5, 1.0])}, ("x",))
    [result] = symbolic.SYMPY.run(case, {}, [{"x": np.array([0.5, 1.0])}], np.random.default_rng(0))
    assert result.jacobian.dtype == np.float64 and np.array_equal(result.jacobian, [[1.0, 2.0]])
