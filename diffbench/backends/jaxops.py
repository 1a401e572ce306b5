"""The JAX backend: float64 jax.numpy arrays, differentiated by jax.grad / jacrev / jacfwd (optional peer)."""
import jax
import jax.numpy as jnp

# NB: JAX's float64 switch is process-wide; it is flipped only in the processes that import this module
# (the workers running a jax method, or a test), before any array is made, as JAX's docs require.
jax.config.update("jax_enable_x64", True)


class JaxOps:
    name = "jax"
    # NB: staticmethod, because jax's jitted functions bind like methods when stored on a class.
    exp, log, sin, cos = staticmethod(jnp.exp), staticmethod(jnp.log), staticmethod(jnp.sin), staticmethod(jnp.cos)
    tanh, sqrt, abs = staticmethod(jnp.tanh), staticmethod(jnp.sqrt), staticmethod(jnp.abs)
    sign = staticmethod(jnp.sign)
    where = staticmethod(jnp.where)
    reshape = staticmethod(jnp.reshape)
    inv = staticmethod(jnp.linalg.inv)
    outer = staticmethod(jnp.outer)
    matmul = staticmethod(jnp.matmul)
    broadcast_to = staticmethod(jnp.broadcast_to)

    @staticmethod
    def const(v):
        return jnp.asarray(v, dtype=jnp.float64) if hasattr(v, "__len__") else v

    @staticmethod
    def asarray(v):
        return jnp.asarray(v, dtype=jnp.float64)

    @staticmethod
    def logdet(x):
        """log det X for a positive determinant, NaN otherwise (as torch.logdet and the float backend)."""
        sign, value = jnp.linalg.slogdet(x)
        return jnp.where(sign > 0, value, jnp.nan)

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        return jnp.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def amax(x, axis=None, keepdims=False):
        return jnp.max(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def dot(x, y):
        return jnp.dot(jnp.ravel(x), jnp.ravel(y))

    @staticmethod
    def matvec(a, x):
        return jnp.matmul(a, x)

    @staticmethod
    def transpose(x):
        return jnp.swapaxes(x, -1, -2)

    @staticmethod
    def getitem(x, index):
        return x[index]

    @staticmethod
    def shape(x):
        return tuple(jnp.shape(x))
