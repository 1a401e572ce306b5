"""The float backend: numpy float64 arrays (and complex ones, for the complex step)."""
import numpy as np


class FloatOps:
    name = "float"
    exp, log, sin, cos, tanh, sqrt, abs = np.exp, np.log, np.sin, np.cos, np.tanh, np.sqrt, np.abs
    sign = staticmethod(np.sign)
    where = staticmethod(np.where)
    reshape = staticmethod(np.reshape)
    dot = staticmethod(np.dot)
    matvec = staticmethod(np.dot)
    matmul = staticmethod(np.matmul)
    inv = staticmethod(np.linalg.inv)
    outer = staticmethod(np.outer)
    broadcast_to = staticmethod(np.broadcast_to)

    def __init__(self, dtype=np.float64):
        self.dtype = dtype

    def const(self, v):
        return self.dtype(v) if np.ndim(v) == 0 else np.asarray(v, dtype=self.dtype)

    def asarray(self, v):
        return np.asarray(v, dtype=self.dtype)

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def amax(x, axis=None, keepdims=False):
        return np.max(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def transpose(x):
        return np.swapaxes(x, -1, -2)

    @staticmethod
    def logdet(x):
        sign, value = np.linalg.slogdet(x)
        return np.where(sign > 0, value, np.nan) if np.isrealobj(x) else value + np.log(sign)

    @staticmethod
    def getitem(x, index):
        return x[index]

    @staticmethod
    def scatter(g, index, shape):
        """Zeros shaped `shape` with g added at x[index] (repeated indices accumulate)."""
        kind = np.asarray(g).dtype     # NB: float32 and complex64 stay in their type
        out = np.zeros(shape, dtype=kind if np.issubdtype(kind, np.inexact) else np.result_type(kind, np.float64))
        np.add.at(out, index, g)
        return out

    @staticmethod
    def shape(x):
        return getattr(x, "shape", ())

    @staticmethod
    def to_float(x):
        return np.asarray(x, dtype=np.float64)
