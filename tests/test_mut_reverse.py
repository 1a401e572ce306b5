"""Reverse mode's tape pinned by exact numbers: closed-form adjoints, accumulation, keep=, release, nested tapes."""
import mpmath
import numpy as np
import pytest

from diffbench.ad.api import grad, hvp_reverse
from diffbench.ad.reverse import Tape, Var
from diffbench.backends.floatnp import FloatOps
from diffbench.trace.build import trace_function

TINY = 2.0 ** -53   # half an ulp of 1: 1 + TINY rounds back to 1, 1 + 2 TINY is exact


def test_every_operator_of_a_scalar_program_matches_the_hand_gradient():
    tape = Tape(FloatOps())
    x, y = tape.var(1.5), tape.var(0.25)
    out = x / y + 2.0 / x + (3.0 + x) * y - (-x) + x ** 3
    assert out.primal == pytest.approx(1.5 / 0.25 + 2.0 / 1.5 + 4.5 * 0.25 + 1.5 + 1.5 ** 3, rel=1e-15)
    adjoints = tape.backward(out, 1.0)
    # d/dx = 1/y - 2/x^2 + y + 1 + 3x^2,  d/dy = -x/y^2 + 3 + x
    assert adjoints[x.index] == pytest.approx(1 / 0.25 - 2 / 1.5 ** 2 + 0.25 + 1 + 3 * 1.5 ** 2, rel=1e-15)
    assert adjoints[y.index] == pytest.approx(-1.5 / 0.25 ** 2 + 3 + 1.5, rel=1e-15)
    assert tape.trace_length == 10   # div div add, add mul add, neg sub, pow add


def test_indexing_and_powers_of_an_array_input_against_mpmath():
    point = np.array([0.7, -1.3, 2.1])
    tape = Tape(FloatOps())
    x = tape.var(point)
    out = tape.exp(x[1]) * x[2] ** 2
    adjoints = tape.backward(out, 1.0)
    e = mpmath.exp(mpmath.mpf(-1.3))
    expected = [0.0, float(e * mpmath.mpf(2.1) ** 2), float(2 * e * mpmath.mpf(2.1))]
    np.testing.assert_allclose(adjoints[x.index], expected, rtol=1e-15, atol=0)


def test_an_unreached_node_between_output_and_input_does_not_stop_the_sweep():
    tape = Tape(FloatOps())
    x, y = tape.var(1.0), tape.var(5.0)
    u = x * 2.0
    y * 3.0                       # recorded, never reaches the output
    out = u + 1.0
    assert tape.backward(out, 1.0) == [2.0, None, 1.0, None, 1.0]
    assert tape.trace_length == 3


def test_an_input_recorded_after_operations_does_not_stop_the_sweep():
    tape = Tape(FloatOps())
    x = tape.var(2.0)
    square = x * x
    y = tape.var(5.0)
    out = square * y
    adjoints = tape.backward(out, 1.0)
    assert (adjoints[x.index], adjoints[y.index]) == (20.0, 4.0)   # 2xy, x^2


@pytest.mark.parametrize("number", [lambda v: v, lambda v: np.array([v])], ids=["float kernel", "array rule"])
def test_a_square_pulls_back_twice_its_first_term_in_one_addition(number):
    # f = x^2 + x at x = 2^-53: f' = 1 + 2^-52 exactly; adding the square's two terms one at a time to the
    # 1 already held would round twice, back to 1
    tape = Tape(FloatOps())
    x = tape.var(number(TINY))
    out = x * x + x
    adjoints = tape.backward(out, number(1.0))
    assert np.all(adjoints[x.index] == 1.0 + 2 * TINY)
    tape = Tape(FloatOps())
    x = tape.var(number(TINY))
    out = x + x + 1.0 * x          # the sum rule's f(x, x): 2 + 1 = 3
    assert np.all(tape.backward(out, number(1.0))[x.index] == 3.0)


def test_keep_drops_the_adjoints_not_asked_for():
    def record():
        tape = Tape(FloatOps())
        x = tape.var(3.0)
        u = x * 4.0
        v = u * u
        return tape, x, u, v + x       # 16 x^2 + x
    tape, x, u, out = record()
    assert tape.backward(out, 1.0, keep={x.index}) == [97.0, None, None, None]
    tape, x, u, out = record()
    assert tape.backward(out, 1.0, keep={x.index, u.index}) == [97.0, 24.0, None, None]
    tape, x, u, out = record()
    assert tape.backward(out, 1.0) == [97.0, 24.0, 1.0, 1.0]


def test_a_released_tape_refuses_a_second_sweep_but_a_kept_one_repeats_it():
    tape = Tape(FloatOps())
    x = tape.var(np.array([1.0, 2.0]))
    out = tape.sum(x * x)
    first = tape.backward(out, 1.0)
    np.testing.assert_array_equal(tape.backward(out, 1.0)[x.index], first[x.index])
    np.testing.assert_array_equal(tape.backward(out, 1.0, release=True)[x.index], [2.0, 4.0])
    assert tape.stored_bytes() == 16   # only the input's value is left
    with pytest.raises(RuntimeError, match=r"^this tape.s stored values were released by an earlier one-shot sweep$"):
        tape.backward(out, 1.0)


def test_logdet_gradient_by_the_saved_cholesky_factor_is_the_exactly_symmetric_inverse():
    m = np.array([[4.0, 1.0, 0.5, 0.2], [1.0, 3.0, 0.3, 0.1], [0.5, 0.3, 2.0, 0.7], [0.2, 0.1, 0.7, 5.0]])
    (gradient,) = grad(lambda o, x: o.logdet(x), FloatOps(), [m])
    inverse = mpmath.inverse(mpmath.matrix(m.tolist()))
    np.testing.assert_allclose(gradient, np.array(inverse.tolist(), dtype=float), rtol=1e-14, atol=1e-16)
    np.testing.assert_array_equal(gradient, gradient.T)   # X^-1 of a symmetric X; np.linalg.inv(X).T is not


def test_a_float32_seed_keeps_the_sweep_float32_end_to_end():
    point = np.array([0.5, -1.25, 3.0], dtype=np.float32)
    tape = Tape(FloatOps())
    x = tape.var(point)
    out = x * x * x / 2.0
    adjoints = tape.backward(out, np.ones(3, dtype=np.float32))
    assert adjoints[x.index].dtype == np.float32
    np.testing.assert_array_equal(adjoints[x.index], np.array([0.375, 2.34375, 13.5], dtype=np.float32))


def test_reverse_over_reverse_hessian_vector_product_of_a_quadratic_form():
    a = np.array([[1.0, 2.0, 0.0], [-1.0, 3.0, 4.0], [0.5, 0.0, 2.0]])
    v = np.array([1.0, -2.0, 0.5])
    (product,) = hvp_reverse(lambda o, x: o.dot(x, o.matvec(a, x)), FloatOps(), [np.array([0.3, 0.1, -0.7])], [v])
    np.testing.assert_allclose(product, (a + a.T) @ v, rtol=1e-15, atol=1e-15)


def test_an_inner_tape_treats_an_outer_tapes_variable_and_plain_numbers_as_constants():
    outer = Tape(FloatOps())
    x = outer.var(3.0)
    inner = Tape(outer)
    assert inner.apply("mul", 2.0, 3.5) == 7.0
    scaled = inner.apply("mul", 2.0, x)
    assert type(scaled) is Var and scaled.tape is outer and scaled.primal == 6.0
    assert inner.apply("neg", x).tape is outer
    assert (len(inner.nodes), outer.trace_length) == (0, 2)
    y = inner.var(x)
    out = y * x                    # d/dy on the inner tape: x, recorded on the outer tape
    adjoint = inner.backward(out, 1.0)[y.index]
    assert type(adjoint) is Var and adjoint.tape is outer and adjoint.primal == 3.0
    assert outer.backward(adjoint, 1.0)[x.index] == 1.0


def test_inputs_keep_their_names_and_values_on_the_tape():
    tape = Tape(FloatOps())
    tape.var(np.zeros(10))
    tape.var(1.0, "s")
    assert [node.name for node in tape.nodes] == ["x", "s"]
    assert tape.stored_bytes() == 80 + 8
    assert tape.trace_length == 0


def test_the_reverse_trace_of_the_surveys_example_reads_the_tapes_inputs():
    # Baydin et al. 2018, Table 3: y = ln x1 + x1 x2 - sin x2 at (2, 5); x̄1 = 1/x1 + x2, x̄2 = x1 - cos x2
    trace = trace_function(lambda o, x1, x2: o.log(x1) + x1 * x2 - o.sin(x2), [2.0, 5.0], mode="reverse")
    assert [(row.number, row.name, row.op) for row in trace.inputs] == [(-1, "x1", None), (0, "x2", None)]
    assert [float(row.value) for row in trace.inputs] == [2.0, 5.0]
    assert float(trace.inputs[0].derivative) == pytest.approx(0.5 + 5.0, rel=1e-15)
    assert float(trace.inputs[1].derivative) == pytest.approx(2.0 - float(mpmath.cos(5)), rel=1e-15)
    assert len(trace.rows) == 2 + 5
