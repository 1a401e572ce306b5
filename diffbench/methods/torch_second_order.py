"""torch.func.hessian and torch.func's HVP (jvp of grad) on the same case code, in float64."""
import numpy as np
import torch
import torch.func

from diffbench.backends import TorchOps
from diffbench.methods.base import PointResult
from diffbench.second_order import SecondOrderMethod
from diffbench.timing import timed


def _first_transform_call() -> None:
    """NB: torch.func's first transform imports ~900 modules (torch._dynamo, seconds); done when this module is
    imported, so a worker pool that preloads it (runner/executor.py) pays it once, not inside each job's budget."""
    x = torch.ones(1, dtype=torch.float64)
    torch.func.hessian(torch.sum)(x)
    torch.func.jvp(torch.func.grad(torch.sum), (x,), (x,))


_first_transform_call()


def torch_flat(case, params, inputs):
    """(f of the flat differentiated input as a float64 tensor -> scalar tensor, that input)."""
    ops = TorchOps(torch.float64)
    xs, data = case.split(inputs)
    f = case.bind({k: ops.asarray(v) for k, v in data.items()}, params)
    shape = np.shape(xs[0])

    def flat_f(vector):
        return torch.reshape(f(ops, torch.reshape(vector, shape)), ())
    return flat_f, torch.as_tensor(np.asarray(xs[0], dtype=np.float64).reshape(-1))


def _run(derivative):
    def run(case, params, points, directions, rng):
        results = []
        for inputs, v in zip(points, directions):
            flat_f, x = torch_flat(case, params, inputs)
            if derivative == "hessian":
                compute = lambda: torch.func.hessian(flat_f)(x)   # noqa: E731
            else:
                tangent = torch.as_tensor(np.asarray(v, dtype=np.float64))
                compute = lambda: torch.func.jvp(torch.func.grad(flat_f), (x,), (tangent,))[1]   # noqa: E731
            value, seconds = timed(compute)
            value = value.detach().double().numpy()
            results.append(PointResult(value.reshape(x.numel(), x.numel()) if derivative == "hessian"
                                       else value.reshape(1, -1), setup_time_s=0.0, eval_time_s=seconds,
                                       timings={"eval": seconds}))
        return results
    return run


TORCH_HESSIAN = SecondOrderMethod("torch_hessian", "framework", "torch.func.hessian (forward-over-reverse), float64",
                                  _run("hessian"))
TORCH_HVP = SecondOrderMethod("torch_hvp", "framework", "torch.func HVP: jvp of grad (forward-over-reverse), float64",
                              _run("hvp"), derivative="hvp")
