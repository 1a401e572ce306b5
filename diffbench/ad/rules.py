"""The derivative table: one row per primitive holding its value, its jvp and its vjp rules.

Every rule is written with the ops namespace `o` of the values it receives, so rules compose:
the same row serves forward mode, reverse mode and forward-over-reverse (Hessian-vector products).
A jvp entry maps (o, t, out, *args) to the output tangent due to that argument's tangent t;
a vjp entry maps (o, g, out, *args) to that argument's cotangent (already summed to its shape).
"""
from typing import Callable, NamedTuple


class Rule(NamedTuple):
    impl: Callable
    jvps: tuple
    vjps: tuple
    symmetric: bool = False   # f(a, b) = f(b, a), so f(x, x) pulls back twice the first vjp


def unbroadcast(o, g, x):
    """Sum a cotangent over the axes numpy broadcasting added to x."""
    xs = o.shape(x)
    if o.shape(g) == xs:
        return g
    while len(o.shape(g)) > len(xs):
        g = o.sum(g, axis=0)
    for axis, n in enumerate(xs):
        if n == 1 and o.shape(g)[axis] != 1:
            g = o.sum(g, axis=axis, keepdims=True)
    return g


def _sum_back(o, g, x, axis, keepdims):
    if axis is not None and not keepdims:
        shape = list(o.shape(x))
        shape[axis] = 1
        g = o.reshape(g, tuple(shape))
    return o.broadcast_to(g, o.shape(x))


def _max_mask(o, x, out, axis, keepdims):
    """1 where x attains the maximum, shared equally between ties."""
    big = out if axis is None or keepdims else o.reshape(out, _kept(o, x, axis))
    mask = o.where(x >= big, 1.0, 0.0)
    return mask / o.sum(mask, axis=axis, keepdims=True)


def _kept(o, x, axis):
    shape = list(o.shape(x))
    shape[axis] = 1
    return tuple(shape)


def _zero(o, t, out, *args, **kw):
    return out * 0


RULES = {
    #        value                                 jvp per argument                                         vjp per argument
    "add": Rule(lambda o, a, b: a + b,
                (lambda o, t, out, a, b: t, lambda o, t, out, a, b: t),
                (lambda o, g, out, a, b: unbroadcast(o, g, a), lambda o, g, out, a, b: unbroadcast(o, g, b)),
                symmetric=True),
    "sub": Rule(lambda o, a, b: a - b,
                (lambda o, t, out, a, b: t, lambda o, t, out, a, b: -t),
                (lambda o, g, out, a, b: unbroadcast(o, g, a), lambda o, g, out, a, b: unbroadcast(o, -g, b))),
    "mul": Rule(lambda o, a, b: a * b,
                (lambda o, t, out, a, b: t * b, lambda o, t, out, a, b: a * t),
                (lambda o, g, out, a, b: unbroadcast(o, g * b, a), lambda o, g, out, a, b: unbroadcast(o, g * a, b)),
                symmetric=True),
    "div": Rule(lambda o, a, b: a / b,
                (lambda o, t, out, a, b: t / b, lambda o, t, out, a, b: -t * out / b),
                (lambda o, g, out, a, b: unbroadcast(o, g / b, a),
                 lambda o, g, out, a, b: unbroadcast(o, -g * out / b, b))),
    "neg": Rule(lambda o, a: -a, (lambda o, t, out, a: -t,), (lambda o, g, out, a: -g,)),
    "pow": Rule(lambda o, a, b: a ** b,
                (lambda o, t, out, a, b: t * b * a ** (b - 1), lambda o, t, out, a, b: t * out * o.log(a)),
                (lambda o, g, out, a, b: unbroadcast(o, g * b * a ** (b - 1), a),
                 lambda o, g, out, a, b: unbroadcast(o, g * out * o.log(a), b))),
    "exp": Rule(lambda o, x: o.exp(x), (lambda o, t, out, x: t * out,), (lambda o, g, out, x: g * out,)),
    "log": Rule(lambda o, x: o.log(x), (lambda o, t, out, x: t / x,), (lambda o, g, out, x: g / x,)),
    "sin": Rule(lambda o, x: o.sin(x), (lambda o, t, out, x: t * o.cos(x),), (lambda o, g, out, x: g * o.cos(x),)),
    "cos": Rule(lambda o, x: o.cos(x), (lambda o, t, out, x: -t * o.sin(x),), (lambda o, g, out, x: -g * o.sin(x),)),
    "tanh": Rule(lambda o, x: o.tanh(x),
                 (lambda o, t, out, x: t * (1 - out * out),), (lambda o, g, out, x: g * (1 - out * out),)),
    "sqrt": Rule(lambda o, x: o.sqrt(x), (lambda o, t, out, x: t / (2 * out),), (lambda o, g, out, x: g / (2 * out),)),
    "abs": Rule(lambda o, x: o.abs(x), (lambda o, t, out, x: t * o.sign(x),), (lambda o, g, out, x: g * o.sign(x),)),
    "sign": Rule(lambda o, x: o.sign(x), (_zero,), (lambda o, g, out, x: x * 0,)),
    "sum": Rule(lambda o, x, axis=None, keepdims=False: o.sum(x, axis=axis, keepdims=keepdims),
                (lambda o, t, out, x, axis=None, keepdims=False: o.sum(t, axis=axis, keepdims=keepdims),),
                (lambda o, g, out, x, axis=None, keepdims=False: _sum_back(o, g, x, axis, keepdims),)),
    "amax": Rule(lambda o, x, axis=None, keepdims=False: o.amax(x, axis=axis, keepdims=keepdims),
                 (lambda o, t, out, x, axis=None, keepdims=False:
                  o.sum(t * _max_mask(o, x, out, axis, keepdims), axis=axis, keepdims=keepdims),),
                 (lambda o, g, out, x, axis=None, keepdims=False:
                  _sum_back(o, g, x, axis, keepdims) * _max_mask(o, x, out, axis, keepdims),)),
    "broadcast_to": Rule(lambda o, x, shape: o.broadcast_to(x, shape),
                         (lambda o, t, out, x, shape: o.broadcast_to(t, shape),),
                         (lambda o, g, out, x, shape: unbroadcast(o, g, x),)),
    "reshape": Rule(lambda o, x, shape: o.reshape(x, shape),
                    (lambda o, t, out, x, shape: o.reshape(t, shape),),
                    (lambda o, g, out, x, shape: o.reshape(g, o.shape(x)),)),
    "transpose": Rule(lambda o, x: o.transpose(x),
                      (lambda o, t, out, x: o.transpose(t),), (lambda o, g, out, x: o.transpose(g),)),
    "dot": Rule(lambda o, x, y: o.dot(x, y),
                (lambda o, t, out, x, y: o.dot(t, y), lambda o, t, out, x, y: o.dot(x, t)),
                (lambda o, g, out, x, y: g * y, lambda o, g, out, x, y: g * x)),
    "matvec": Rule(lambda o, a, x: o.matvec(a, x),
                   (lambda o, t, out, a, x: o.matvec(t, x), lambda o, t, out, a, x: o.matvec(a, t)),
                   (lambda o, g, out, a, x: o.outer(g, x), lambda o, g, out, a, x: o.matvec(o.transpose(a), g))),
    "outer": Rule(lambda o, x, y: o.outer(x, y),
                  (lambda o, t, out, x, y: o.outer(t, y), lambda o, t, out, x, y: o.outer(x, t)),
                  (lambda o, g, out, x, y: o.matvec(g, y), lambda o, g, out, x, y: o.matvec(o.transpose(g), x))),
    "matmul": Rule(lambda o, a, b: o.matmul(a, b),
                   (lambda o, t, out, a, b: o.matmul(t, b), lambda o, t, out, a, b: o.matmul(a, t)),
                   (lambda o, g, out, a, b: o.matmul(g, o.transpose(b)),
                    lambda o, g, out, a, b: o.matmul(o.transpose(a), g))),
    "inv": Rule(lambda o, x: o.inv(x),
                (lambda o, t, out, x: -o.matmul(out, o.matmul(t, out)),),
                (lambda o, g, out, x: -o.matmul(o.transpose(out), o.matmul(g, o.transpose(out))),)),
    "logdet": Rule(lambda o, x: o.logdet(x),
                   (lambda o, t, out, x: o.sum(o.transpose(o.inv(x)) * t),),   # tr(X^-1 dX)
                   (lambda o, g, out, x: g * o.transpose(o.inv(x)),)),          # g X^-T
    "where": Rule(lambda o, c, a, b: o.where(c, a, b),
                  (None, lambda o, t, out, c, a, b: o.where(c, t, 0.0), lambda o, t, out, c, a, b: o.where(c, 0.0, t)),
                  (None, lambda o, g, out, c, a, b: unbroadcast(o, o.where(c, g, 0.0), a),
                   lambda o, g, out, c, a, b: unbroadcast(o, o.where(c, 0.0, g), b))),
    # x[index] and its transpose, scatter-add of g into zeros shaped like x: each is the other's vjp
    "getitem": Rule(lambda o, x, index: o.getitem(x, index),
                    (lambda o, t, out, x, index: o.getitem(t, index),),
                    (lambda o, g, out, x, index: o.scatter(g, index, o.shape(x)),)),
    "scatter": Rule(lambda o, g, index, shape: o.scatter(g, index, shape),
                    (lambda o, t, out, g, index, shape: o.scatter(t, index, shape),),
                    (lambda o, c, out, g, index, shape: o.getitem(c, index),)),
}
