"""The tape's scalar fast path gives bit-for-bit the numbers of the rules table, and the right derivatives."""
import numpy as np
import pytest

from diffbench.ad import api
from diffbench.ad import reverse
from diffbench.ad.kernels import SCALAR_KERNELS, SCALAR_OPERATIONS, SCALAR_PULLBACKS
from diffbench.ad.reverse import Tape
from diffbench.backends import FloatOps


def scalar_program(o, x, y):
    """Every arithmetic primitive, a repeated operand (x * x, x + x) and a constant on either side."""
    a = x * x - 3.0 * y
    b = (a + a) / (1.5 + y * y) - x / y
    return -(b * a) + 2 - o.exp(b / 7) * (1 - x)


def logistic_derivative(x, n):
    """d l_n / dx of l_{k+1} = 4 l_k (1 - l_k), l_1 = x, by the chain rule along the orbit."""
    l, d = x, 1.0
    for _ in range(n - 1):
        l, d = 4 * l * (1 - l), 4 * (1 - 2 * l) * d
    return d


@pytest.mark.parametrize("point", [(0.3, 1.7), (-2.5, 0.4), (1e-3, -8.0)])
def test_scalar_path_matches_the_rules_path_bit_for_bit(point, monkeypatch):
    ops = FloatOps()
    scalars = [np.float64(v) for v in point]
    zero_d = [np.array(v) for v in point]        # 0-d arrays are no scalars to forward mode's fast path
    fast = api.grad(scalar_program, ops, scalars)
    with monkeypatch.context() as patched:       # a tape without kernels: every node runs the rules table
        patched.setattr(reverse, "FLOAT_KERNELS", {})
        assert Tape(ops).kernels == {}
        rules = api.grad(scalar_program, ops, zero_d)
    assert [float(v) for v in fast] == [float(v) for v in rules]
    tangent = [np.float64(0.25), np.float64(-1.0)]
    _, fast_t = api.jvp(scalar_program, ops, scalars, tangent)
    _, rules_t = api.jvp(scalar_program, ops, zero_d, [np.array(0.25), np.array(-1.0)])
    assert float(fast_t) == float(rules_t)
    # and they are right: the directional derivative agrees with the gradient's dot product
    assert float(fast_t) == pytest.approx(0.25 * float(fast[0]) - float(fast[1]), rel=1e-12)


def test_scalar_path_is_taken_on_scalars_only():
    tape = Tape(FloatOps())
    x = tape.var(np.float64(0.5))
    scalar = x * 3.0
    tape.var(np.ones(3))
    array = tape.nodes[-1]
    vector = Tape.apply(tape, "mul", scalar, np.ones(3))
    assert tape.nodes[scalar.index].saved is not None
    assert tape.nodes[vector.index].saved is None and array.rule is None


@pytest.mark.parametrize("n", [2, 8, 20])
def test_logistic_gradient_on_the_fast_path_against_the_chain_rule(n):
    def logistic(o, x):
        l = x
        for _ in range(n - 1):
            l = 4 * l * (1 - l)
        return l
    x = np.float64(0.3141)
    (gradient,) = api.grad(logistic, FloatOps(), [x])
    assert float(gradient) == pytest.approx(logistic_derivative(0.3141, n), rel=1e-10)


def test_a_zero_dimensional_input_is_recorded_as_a_scalar_with_the_same_gradient():
    """A case's scalar input arrives as a 0-d array; the tape records it as a float64 scalar (numpy's 0-d
    arithmetic is slow), so its nodes take the scalar path and the gradient is the scalar input's, bit for bit."""
    point = (0.3, 1.7)
    from_arrays = api.grad(scalar_program, FloatOps(), [np.array(v) for v in point])
    from_scalars = api.grad(scalar_program, FloatOps(), [np.float64(v) for v in point])
    assert [float(v) for v in from_arrays] == [float(v) for v in from_scalars]
    assert all(np.shape(v) == () for v in from_arrays)
    tape = Tape(FloatOps())
    x = tape.var(np.array(0.5))
    y = x * x - 4.0 * x
    assert type(x.primal) is np.float64 and tape.nodes[y.index].saved is True
    assert tape.backward(y, np.float64(1.0))[x.index] == 2 * 0.5 - 4.0
    vector = tape.var(np.array([0.5]))        # a 1-element array stays an array, on the rules path
    assert type(vector.primal) is np.ndarray and tape.nodes[(vector * vector).index].saved is None


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_a_scalar_pullback_gives_its_kernels_two_cotangents_bit_for_bit(name):
    """SCALAR_PULLBACKS writes the kernels' vjp formulas again, in one call: they must agree to the last bit."""
    rng = np.random.default_rng(7)
    kernel = SCALAR_KERNELS[name]
    for _ in range(200):
        a, b, g = (np.float64(v) for v in rng.standard_normal(3) * 10.0 ** rng.integers(-8, 9, 3))
        out, saved = kernel.forward(a, b)
        assert saved is True and out == SCALAR_OPERATIONS[name](a, b)
        expected = tuple(vjp(g, out, saved, a, b) for vjp in kernel.vjps)
        assert SCALAR_PULLBACKS[name](g, out, a, b) == expected
