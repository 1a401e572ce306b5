"""JAX as a peer of torch: jax.jacrev (reverse), jax.jacfwd (forward) and the HVP (jvp of grad), float64, jit.

One jitted Jacobian serves every point of a parameter setting (same shapes). Its first call traces and
compiles it; that time is reported as setup (timing phase 'compile'), and only later calls are timed as
evaluation, as JAX's benchmarking advice says (time after compilation, with block_until_ready).
"""
import importlib.util

import numpy as np

if importlib.util.find_spec("jax") is not None:
    # NB: imported with the module, so a worker pool that preloads the run's methods (runner/executor.py)
    # imports jax once, not inside each job's time budget.
    import jax  # noqa: F401

from diffbench.methods.base import Method, PointResult
from diffbench.second_order import SecondOrderMethod
from diffbench.timing import Stopwatch, measure

MISSING = "jax is not installed (pip install -e '.[peers]')"


def jitted_jacobian(case, params, like: dict, transform: str):
    """jit(J)(*inputs in `like`'s order) -> the (outputs x differentiated inputs) Jacobian."""
    import jax
    import jax.numpy as jnp

    from diffbench.backends.jaxops import JaxOps
    ops = JaxOps()
    names = list(like)
    argnums = tuple(names.index(k) for k in case.wrt)
    differentiate = {"reverse": jax.jacrev, "forward": jax.jacfwd}[transform]

    def flat_f(*values):
        return jnp.reshape(case.call(ops, dict(zip(names, values)), params), (-1,))

    def jacobian(*values):
        parts = differentiate(flat_f, argnums=argnums)(*values)
        rows = flat_f(*values).shape[0]
        return jnp.concatenate([jnp.reshape(p, (rows, -1)) for p in parts], axis=1)

    return jax.jit(jacobian), names


def _run(transform):
    def run(case, params, points, rng):
        if importlib.util.find_spec("jax") is None:
            return [PointResult(status="skipped", message=MISSING) for _ in points]
        import jax.numpy as jnp
        compiled, names = jitted_jacobian(case, params, points[0], transform)
        results, compile_s = [], None
        for inputs in points:
            args = [jnp.asarray(inputs[k], dtype=jnp.float64) for k in names]
            with Stopwatch() as first:
                jacobian = np.asarray(compiled(*args).block_until_ready(), dtype=np.float64)
            compile_s = first.seconds if compile_s is None else compile_s
            seconds = measure(lambda: compiled(*args).block_until_ready())
            results.append(PointResult(jacobian, setup_time_s=compile_s, eval_time_s=seconds,
                                       timings={"compile": compile_s, "eval": seconds}))
        return results
    return run


JAX_REVERSE = Method("jax_grad", "framework", "JAX reverse mode (jax.jacrev, jit), float64", _run("reverse"),
                     shared_setup=True)
JAX_FORWARD = Method("jax_jacfwd", "framework", "JAX forward mode (jax.jacfwd, jit), float64", _run("forward"),
                     shared_setup=True)


def jitted_hvp(case, params, like: dict):
    """jit(hvp)(v, *inputs in `like`'s order) -> ∇²f v as one row: jax.jvp of jax.grad (forward-over-reverse)."""
    import jax
    import jax.numpy as jnp

    from diffbench.backends.jaxops import JaxOps
    ops = JaxOps()
    names = list(like)
    index = names.index(case.wrt[0])

    def f_of(values):
        return lambda x: jnp.reshape(case.call(ops, dict(zip(names, [*values[:index], x, *values[index + 1:]])),
                                               params), ())

    def hvp(v, *values):
        x = values[index]
        tangent = jnp.reshape(v, jnp.shape(x))
        return jnp.reshape(jax.jvp(jax.grad(f_of(values)), (x,), (tangent,))[1], (1, -1))

    return jax.jit(hvp), names


def run_hvp(case, params, points, directions, rng):
    if importlib.util.find_spec("jax") is None:
        return [PointResult(status="skipped", message=MISSING) for _ in points]
    import jax.numpy as jnp
    compiled, names = jitted_hvp(case, params, points[0])
    results, compile_s = [], None
    for inputs, v in zip(points, directions):
        args = [jnp.asarray(v, dtype=jnp.float64), *(jnp.asarray(inputs[k], dtype=jnp.float64) for k in names)]
        with Stopwatch() as first:
            product = np.asarray(compiled(*args).block_until_ready(), dtype=np.float64)
        compile_s = first.seconds if compile_s is None else compile_s
        seconds = measure(lambda: compiled(*args).block_until_ready())
        results.append(PointResult(product, setup_time_s=compile_s, eval_time_s=seconds,
                                   timings={"compile": compile_s, "eval": seconds}))
    return results


JAX_HVP = SecondOrderMethod("jax_hvp", "framework", "JAX HVP: jax.jvp of jax.grad (jit), float64", run_hvp,
                            shared_setup=True, derivative="hvp")
