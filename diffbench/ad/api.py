"""User-facing AD transforms over a function f(o, *xs): jvp, vjp, grad, Jacobians, Hessians."""
import numpy as np

from diffbench.ad.forward import Dual, DualOps
from diffbench.ad.reverse import Tape, Var


def _basis(like, k, base):
    """The k-th unit array shaped like `like`, its 1 in the backend's own number type.

    NB: a Python int 1 in an object array would turn `g / 3` into the float 0.333…, and with it the
    whole mpmath reference into a float64 one; base.const(1) keeps mpf/sympy arithmetic exact.
    """
    like = np.asarray(like)
    floating = np.issubdtype(like.dtype, np.floating)    # float32 values get float32 seeds (--precision)
    e = np.zeros(like.shape, dtype=object if like.dtype == object else like.dtype if floating else np.float64)
    e.flat[k] = base.const(1)
    return e if e.ndim else e[()]


def _zeros_like(x):
    return x * 0


def jvp(f, base, primals, tangents):
    """(f(x), J v) by pushing tangents forward; one pass."""
    ops = DualOps(base)
    out = f(ops, *[Dual(p, t, ops) for p, t in zip(primals, tangents)])
    if isinstance(out, Dual):
        return out.primal, out.tangent
    return out, _zeros_like(out)


def vjp(f, base, primals):
    """(f(x), pullback, tape): pullback(u) gives uᵀJ for each input; the tape can be reused."""
    tape = Tape(base)
    xs = [tape.var(p) for p in primals]
    out = f(tape, *xs)

    def pullback(cotangent):
        if not isinstance(out, Var):
            return [_zeros_like(p) for p in primals]
        adjoints = tape.backward(out, cotangent, keep=inputs)
        return [_zeros_like(p) if adjoints[x.index] is None else adjoints[x.index] for x, p in zip(xs, primals)]

    inputs = frozenset(x.index for x in xs)

    return (out.primal if isinstance(out, Var) else out), pullback, tape


def grad(f, base, primals):
    """Gradient of a scalar f, one array per input, by one reverse sweep that frees values as it goes."""
    tape = Tape(base)
    xs = [tape.var(p) for p in primals]
    out = f(tape, *xs)
    if not isinstance(out, Var):
        return [_zeros_like(p) for p in primals]
    adjoints = tape.backward(out, base.const(1), keep=frozenset(x.index for x in xs), release=True)
    return [_zeros_like(p) if adjoints[x.index] is None else adjoints[x.index] for x, p in zip(xs, primals)]


def _flat(parts):
    return np.concatenate([np.asarray(p).reshape(-1) for p in parts])


def jacrev(f, base, primals):
    """Jacobian (m outputs x n inputs, inputs flattened and concatenated) by m vjps."""
    value, pullback, tape = vjp(f, base, primals)
    m = np.size(value)
    rows = [_flat(pullback(_basis(value, k, base))) for k in range(m)]
    return np.stack(rows), tape


def jacfwd(f, base, primals):
    """Jacobian (m x n) by n jvps, one per input component."""
    columns = []
    for i, p in enumerate(primals):
        for k in range(np.size(p)):
            tangents = [_basis(q, k, base) if j == i else _zeros_like(q) for j, q in enumerate(primals)]
            _, t = jvp(f, base, primals, tangents)
            columns.append(np.asarray(t).reshape(-1))
    return np.stack(columns, axis=1)


def hvp(f, base, primals, vectors):
    """Hessian-vector product ∇²f·v by forward-over-reverse (∇⟨∇f, v⟩); the Hessian is never formed."""
    ops = DualOps(base)
    tape = Tape(ops)
    xs = [tape.var(Dual(p, v, ops)) for p, v in zip(primals, vectors)]
    out = f(tape, *xs)
    if not isinstance(out, Var):
        return [_zeros_like(p) for p in primals]
    adjoints = tape.backward(out, base.const(1), keep=frozenset(x.index for x in xs))
    result = []
    for x, p in zip(xs, primals):
        a = adjoints[x.index]
        result.append(a.tangent if isinstance(a, Dual) else _zeros_like(p))
    return result


def hvp_reverse(f, base, primals, vectors):
    """∇²f·v by reverse-over-reverse, the lecture's ∇(∇fᵀv) (lecture 001): an inner tape records f on an outer
    tape's variables, its backward sweep is itself recorded, and the outer tape differentiates ⟨∇f, v⟩.

    Where the Hessian is symmetric this equals hvp (forward-over-reverse, H v); in general it gives Hᵀ v
    with H[i, j] = ∂_j ∂_i f.
    """
    outer = Tape(base)
    xs = [outer.var(p) for p in primals]
    inner = Tape(outer)
    ys = [inner.var(x) for x in xs]
    out = f(inner, *ys)
    if not isinstance(out, Var):
        return [_zeros_like(p) for p in primals]
    adjoints = inner.backward(out, base.const(1), keep=frozenset(y.index for y in ys))
    inner_product = None
    for y, v in zip(ys, vectors):
        g = adjoints[y.index]
        if g is None:
            continue
        term = outer.sum(g * v)
        inner_product = term if inner_product is None else inner_product + term
    if not isinstance(inner_product, Var):
        return [_zeros_like(p) for p in primals]
    second = outer.backward(inner_product, base.const(1), keep=frozenset(x.index for x in xs))
    return [_zeros_like(p) if second[x.index] is None else second[x.index] for x, p in zip(xs, primals)]


def hessian(f, base, primals):
    """Full Hessian (n x n over the flattened inputs) by n Hessian-vector products."""
    columns = []
    for i, p in enumerate(primals):
        for k in range(np.size(p)):
            vectors = [_basis(q, k, base) if j == i else _zeros_like(q) for j, q in enumerate(primals)]
            columns.append(_flat(hvp(f, base, primals, vectors)))
    return np.stack(columns, axis=1)


def hutchinson(f, base, primals, samples: int, rng):
    """Hutchinson's estimate of Tr(∇²f): the mean of vᵀ(∇²f)v over `samples` Rademacher vectors v.

    Returns (estimate, the per-sample values vᵀHv); each sample costs one Hessian-vector product.
    """
    values = []
    for _ in range(samples):
        vectors = [_rademacher(rng, p) for p in primals]
        products = hvp(f, base, primals, vectors)
        values.append(sum(np.sum(np.asarray(v) * np.asarray(h)) for v, h in zip(vectors, products)))
    values = np.asarray(values, dtype=np.float64)
    return float(values.mean()), values


def _rademacher(rng, like):
    v = rng.choice(np.array([-1.0, 1.0]), size=np.shape(like))
    return v if np.ndim(v) else np.float64(v)
