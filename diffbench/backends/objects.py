"""What the backends over numpy object arrays (mpmath numbers, sympy expressions) share: shape handling."""
import numpy as np


class ObjectArrayOps:
    """Structural ops on object arrays; the number type's own ops live in the subclass."""

    @staticmethod
    def reshape(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def outer(x, y):
        return np.multiply.outer(np.asarray(x, dtype=object), np.asarray(y, dtype=object))

    @staticmethod
    def transpose(x):
        return np.swapaxes(x, -1, -2)

    @staticmethod
    def broadcast_to(x, shape):
        return np.broadcast_to(np.asarray(x, dtype=object), shape)

    @staticmethod
    def getitem(x, index):
        return np.asarray(x, dtype=object)[index] if np.ndim(x) else x

    @staticmethod
    def scatter(g, index, shape):
        """Zeros shaped `shape` with g added at x[index] (repeated indices accumulate)."""
        out = np.zeros(shape, dtype=object)
        np.add.at(out, index, g)
        return out

    @staticmethod
    def shape(x):
        return getattr(x, "shape", ())
