"""Every op of the vocabulary on every backend, against mpmath at 50 digits."""
import numpy as np
import pytest
import sympy
import torch

from diffbench.ad.forward import Dual, DualOps
from diffbench.ad.reverse import Tape
from diffbench.backends import BACKENDS, FloatOps, MpOps, SymOps, TorchOps
from diffbench.ops import VOCABULARY

rng = np.random.default_rng(7)
VEC = rng.uniform(0.5, 1.5, 4)
VEC2 = rng.uniform(-1, 1, 4)
MAT = rng.standard_normal((4, 4)) + 4 * np.eye(4)
MAT2 = rng.standard_normal((4, 3))

# op name -> (function of (o, inputs), inputs); every vocabulary entry appears (checked below)
OPS = {
    "const": (lambda o, x: x * o.const(0.044715), (VEC,)),
    "exp": (lambda o, x: o.exp(x), (VEC,)),
    "log": (lambda o, x: o.log(x), (VEC,)),
    "sin": (lambda o, x: o.sin(x), (VEC,)),
    "cos": (lambda o, x: o.cos(x), (VEC,)),
    "tanh": (lambda o, x: o.tanh(x), (VEC2,)),
    "sqrt": (lambda o, x: o.sqrt(x), (VEC,)),
    "abs": (lambda o, x: o.abs(x), (VEC2,)),
    "sum": (lambda o, a: o.sum(a, axis=0), (MAT,)),
    "amax": (lambda o, a: o.amax(a, axis=1), (MAT,)),
    "reshape": (lambda o, a: o.reshape(a, (2, 8)), (MAT,)),
    "transpose": (lambda o, a: o.transpose(a), (MAT2,)),
    "dot": (lambda o, x, y: o.dot(x, y), (VEC, VEC2)),
    "matvec": (lambda o, a, x: o.matvec(a, x), (MAT, VEC)),
    "matmul": (lambda o, a, b: o.matmul(a, b), (MAT, MAT2)),
    "inv": (lambda o, a: o.inv(a), (MAT,)),
    "logdet": (lambda o, a: o.logdet(a @ a.T), (MAT,)),
    "where": (lambda o, x, y: o.where(x > y, x, y * y), (VEC2, VEC2[::-1].copy())),
    "shape": (lambda o, a: o.sum(a) * o.shape(a)[1], (MAT2,)),
    "getitem": (lambda o, a: a[1:, 0] * a[np.array([0, 0, 2]), 1][:1], (MAT,)),
}

MP = MpOps(50)


def to_backend(name, value):
    if name == "float":
        return np.asarray(value, dtype=np.float64)
    if name == "mpmath":
        return MP.asarray(value)
    if name == "sympy":
        return SymOps.asarray(value)
    return torch.tensor(value, dtype=torch.float64)


def to_numbers(name, value):
    if name == "torch":
        return value.numpy()
    if name == "sympy":
        return np.asarray(np.vectorize(lambda e: float(sympy.N(e, 30)), otypes=[float])(np.asarray(value, dtype=object)))
    return np.asarray(value, dtype=object).astype(float)


def test_every_vocabulary_op_is_tested():
    assert set(OPS) == set(VOCABULARY)


@pytest.mark.parametrize("backend", ["float", "sympy", "torch", "tape", "dual"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_op_matches_mpmath(op, backend):
    fn, inputs = OPS[op]
    expected = np.asarray(fn(MP, *[MP.asarray(v) for v in inputs]), dtype=object).astype(float)
    if backend == "tape":
        tape = Tape(FloatOps())
        got = fn(tape, *[tape.var(np.asarray(v)) for v in inputs])
        got = np.asarray(getattr(got, "primal", got), dtype=float)
    elif backend == "dual":
        ops = DualOps(FloatOps())
        got = fn(ops, *[Dual(np.asarray(v), np.zeros_like(v), ops) for v in inputs])
        got = np.asarray(getattr(got, "primal", got), dtype=float)
    else:
        ops = {"float": FloatOps(), "sympy": SymOps(), "torch": TorchOps()}[backend]
        got = to_numbers(backend, fn(ops, *[to_backend(backend, v) for v in inputs]))
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-14)


def test_mpmath_backend_keeps_its_own_precision():
    import mpmath
    before = mpmath.mp.dps
    ops = MpOps(60)
    assert ops.ctx.dps == 60 and mpmath.mp.dps == before
    third = ops.const(1) / 3
    assert abs(third * 3 - 1) < ops.ctx.mpf(10) ** -58


def test_constants_are_exact_in_mpmath_and_sympy():
    assert SymOps().const(0.044715) == sympy.Rational(44715, 1000000)
    assert MpOps(50).const(0.1) == MpOps(50).ctx.mpf("0.1")


def test_registry_names_every_backend():
    assert set(BACKENDS) == {"float", "mpmath", "arb", "sympy", "torch"}


def test_indexing_gradient_matches_closed_form_rosenbrock():
    from diffbench.ad import grad, jacfwd

    def rosenbrock(o, x):
        return o.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    x = np.array([0.3, -0.5, 0.8, 1.1])
    expected = np.zeros_like(x)
    expected[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    expected[1:] += 200 * (x[1:] - x[:-1] ** 2)
    np.testing.assert_allclose(grad(rosenbrock, FloatOps(), [x])[0], expected, rtol=1e-13)
    np.testing.assert_allclose(jacfwd(rosenbrock, FloatOps(), [x])[0], expected, rtol=1e-13)
