"""Every row of the rules table against mpmath's numerical differentiation, which involves no rule."""
import numpy as np
import pytest

from diffbench.ad import api
from diffbench.ad.rules import RULES
from diffbench.backends import FloatOps, MpOps

DPS = 40
TOLERANCE = 1e-25          # relative; mpmath's ctx.diff raises its working precision, so ~35 digits agree
FLOAT_TOLERANCE = 1e-10    # float64 tape vs the mpmath derivative
R = np.random.default_rng(17)


def normal(*shape):
    return R.standard_normal(shape)


def positive(*shape):
    return R.uniform(0.5, 2.0, shape)


def nonzero(*shape):
    return R.uniform(0.5, 2.0, shape) * R.choice([-1.0, 1.0], shape)


def nonsymmetric(n):
    a = 3.0 * np.eye(n) + normal(n, n)
    assert not np.allclose(a, a.T) and np.linalg.det(a) > 0
    return a


COND = R.random((3, 4)) < 0.5
COND[0, 0], COND[0, 1] = True, False     # both branches present
ROWS = np.array([0, 2, 2, 1, 0])          # repeated indices
SCATTER = np.array([0, 3, 3, 1])


def op(name, **params):
    """f(o, *xs) calling exactly the rule `name` (DualOps and Tape dispatch by apply; a base runs its impl)."""
    return lambda o, *xs: call(o, name, *xs, **params)


def call(o, name, *xs, **params):
    return o.apply(name, *xs, **params) if hasattr(o, "apply") else RULES[name].impl(o, *xs, **params)


CHECKS = {
    "add": [(op("add"), normal(3, 4), normal(4)), (op("add"), normal(3, 1), normal(1, 4))],
    "sub": [(op("sub"), normal(3, 4), normal(4)), (op("sub"), normal(3, 1), normal(3, 4))],
    "mul": [(op("mul"), normal(3, 4), normal(4)), (op("mul"), normal(1, 4), normal(3, 1))],
    "div": [(op("div"), normal(3, 4), nonzero(4)), (op("div"), normal(3, 1), nonzero(3, 4))],
    "neg": [(op("neg"), normal(3, 4))],
    "pow": [(op("pow"), positive(3, 4), normal(3, 4)), (op("pow"), positive(3, 4), normal(4)),
            (lambda o, a: call(o, "pow", a, 3.0), positive(2, 3)),
            (lambda o, b: call(o, "pow", 1.7, b), normal(2, 3))],
    "exp": [(op("exp"), normal(3, 4))],
    "log": [(op("log"), positive(3, 4))],
    "sin": [(op("sin"), normal(3, 4))],
    "cos": [(op("cos"), normal(3, 4))],
    "tanh": [(op("tanh"), normal(3, 4))],
    "sqrt": [(op("sqrt"), positive(3, 4))],
    "abs": [(op("abs"), nonzero(3, 4))],
    "sign": [(op("sign"), nonzero(3, 4))],
    "sum": [(op("sum"), normal(3, 4)), (op("sum", axis=0), normal(3, 4)), (op("sum", axis=1), normal(3, 4)),
            (op("sum", axis=1, keepdims=True), normal(3, 4)), (op("sum", keepdims=True), normal(3, 4))],
    "amax": [(op("amax"), normal(3, 4)), (op("amax", axis=0), normal(3, 4)), (op("amax", axis=1), normal(3, 4)),
             (op("amax", axis=1, keepdims=True), normal(3, 4))],
    "broadcast_to": [(op("broadcast_to", shape=(3, 4)), normal(4)), (op("broadcast_to", shape=(3, 4)), normal(3, 1)),
                     (op("broadcast_to", shape=(2, 3, 4)), normal(1, 4))],
    "reshape": [(op("reshape", shape=(2, 6)), normal(3, 4)), (op("reshape", shape=(12,)), normal(3, 4))],
    "transpose": [(op("transpose"), normal(3, 4))],
    "dot": [(op("dot"), normal(5), normal(5))],
    "matvec": [(op("matvec"), normal(3, 4), normal(4))],
    "outer": [(op("outer"), normal(3), normal(4))],
    "matmul": [(op("matmul"), normal(2, 3), normal(3, 4))],
    "inv": [(op("inv"), nonsymmetric(3))],
    "logdet": [(op("logdet"), nonsymmetric(3))],
    "where": [(lambda o, a, b: call(o, "where", COND, a, b), normal(3, 4), normal(3, 4)),
              (lambda o, a, b: call(o, "where", COND, a, b), normal(3, 4), normal(4)),
              (lambda o, a, b: call(o, "where", True, a, b), normal(3), normal(3)),
              (lambda o, a, b: call(o, "where", False, a, b), normal(3), normal(3))],
    "getitem": [(op("getitem", index=(slice(1, 3), slice(None, None, 2))), normal(3, 5)),
                (op("getitem", index=ROWS), normal(3, 4)),
                (op("getitem", index=(ROWS, np.array([1, 0, 1, 3, 3]))), normal(3, 4))],
    "scatter": [(op("scatter", index=SCATTER, shape=(5, 3)), normal(4, 3))],
}
CASES = [pytest.param(name, k, id=f"{name}-{k}") for name, checks in CHECKS.items() for k in range(len(checks))]


def relative(mp, a, b):
    a, b = np.asarray(a, dtype=object).ravel(), np.asarray(b, dtype=object).ravel()
    difference = mp.ctx.sqrt(mp.ctx.fsum(abs(x - y) ** 2 for x, y in zip(a, b)))
    scale = mp.ctx.sqrt(mp.ctx.fsum(abs(y) ** 2 for y in b))
    return float(difference / scale) if scale else float(difference)


def numeric_jvp(mp, f, xs, i, v):
    """d/dt f(x + t v e_i) at t=0, componentwise, by ctx.diff: no rule involved."""
    shape = np.shape(f(mp, *xs))
    m = int(np.prod(shape))

    def component(k):
        def g(t):
            moved = [x + t * v if j == i else x for j, x in enumerate(xs)]
            return np.asarray(f(mp, *moved), dtype=object).reshape(-1)[k]
        return g
    return np.array([mp.ctx.diff(component(k), 0) for k in range(m)], dtype=object).reshape(shape)


@pytest.mark.parametrize("name,k", CASES)
def test_rule_against_mpmath_diff(name, k):
    f, *inputs = CHECKS[name][k]
    mp = MpOps(DPS)
    rng = np.random.default_rng(k)
    xs = [mp.asarray(x) for x in inputs]
    value = f(mp, *xs)
    u = mp.asarray(rng.standard_normal(np.shape(value)))
    _, pullback, _ = api.vjp(f, mp, xs)
    cotangents = pullback(u)
    for i, x in enumerate(xs):
        v = mp.asarray(rng.standard_normal(np.shape(x)))
        truth = numeric_jvp(mp, f, xs, i, v)
        tangents = [v if j == i else x * 0 for j, x in enumerate(xs)]
        out, tangent = api.jvp(f, mp, xs, tangents)
        assert relative(mp, out, value) == 0.0
        assert np.shape(tangent) == np.shape(value)
        assert relative(mp, tangent, truth) < TOLERANCE, f"{name} jvp, argument {i}"
        # NB: where with a scalar cond pulls the unselected branch back as a scalar 0.0, not shaped zeros
        assert np.shape(cotangents[i]) == np.shape(x) or cotangents[i] == 0
        pulled = mp.ctx.fsum(np.asarray(cotangents[i] * v, dtype=object).ravel())
        pushed = mp.ctx.fsum(np.asarray(u * truth, dtype=object).ravel())
        assert relative(mp, pulled, pushed) < TOLERANCE, f"{name} vjp, argument {i}"


def test_sign_derivative_is_zero():
    mp = MpOps(DPS)
    x = mp.asarray(nonzero(3, 4))
    _, tangent = api.jvp(op("sign"), mp, [x], [mp.asarray(normal(3, 4))])
    assert all(t == 0 for t in np.asarray(tangent).ravel())


def test_every_rule_has_a_derivative_free_check():
    assert set(RULES) == set(CHECKS)


SPD = (lambda b: b @ b.T + 3.0 * np.eye(3))(normal(3, 3))


@pytest.mark.parametrize("name", ["logdet", "inv"])
@pytest.mark.parametrize("matrix", [nonsymmetric(3), SPD], ids=["nonsymmetric", "spd-cholesky-kernel"])
def test_float_kernels_path_against_mpmath(name, matrix):
    f = op(name)
    fl, mp = FloatOps(), MpOps(DPS)
    rng = np.random.default_rng(1)
    v = rng.standard_normal(matrix.shape)
    value = f(fl, matrix)
    u = rng.standard_normal(np.shape(value))
    truth = numeric_jvp(mp, f, [mp.asarray(matrix)], 0, mp.asarray(v))
    _, tangent = api.jvp(f, fl, [matrix], [v])
    _, pullback, tape = api.vjp(f, fl, [matrix])
    assert relative(mp, mp.asarray(np.asarray(tangent, dtype=np.float64)), truth) < FLOAT_TOLERANCE
    pulled = float(np.sum(pullback(u)[0] * v))
    pushed = mp.ctx.fsum(np.asarray(mp.asarray(u) * truth, dtype=object).ravel())
    assert relative(mp, mp.ctx.mpf(pulled), pushed) < FLOAT_TOLERANCE
    if name == "logdet":   # the Cholesky kernel saves a factor exactly when the matrix is symmetric
        assert (tape.nodes[-1].saved is not None) == np.array_equal(matrix, matrix.T)
