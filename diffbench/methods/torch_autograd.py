"""torch.autograd on the same case code, in float64 (and float32 as an option)."""
import numpy as np
import torch

from diffbench.backends import TorchOps
from diffbench.methods.base import Method, PointResult
from diffbench.precision import PRECISIONS
from diffbench.timing import measure, timed


def torch_jacobian(case, params, inputs, dtype=torch.float64, device="cpu"):
    """A function computing the Jacobian (outputs x inputs, a tensor) via torch.autograd.grad."""
    ops = TorchOps(dtype, device)
    xs, data = case.split(inputs)
    leaves = [ops.asarray(x, requires_grad=True) for x in xs]
    data_t = {k: ops.asarray(v) for k, v in data.items()}
    f = case.bind(data_t, params)

    def compute():
        out = f(ops, *leaves)
        if not isinstance(out, torch.Tensor) or not out.requires_grad:
            return torch.zeros((max(1, int(np.size(out))), sum(x.numel() for x in leaves)), dtype=dtype,
                               device=device)
        flat = out.reshape(-1)
        rows = []
        for k in range(flat.numel()):
            grads = torch.autograd.grad(flat[k], leaves, retain_graph=k + 1 < flat.numel(), allow_unused=True)
            rows.append(torch.cat([(g if g is not None else torch.zeros_like(x)).reshape(-1)
                                   for g, x in zip(grads, leaves)]))
        return torch.stack(rows)

    return compute


def torch_function(case, params, inputs, dtype=torch.float64, device="cpu"):
    """f evaluated on torch tensors without gradients: the cost baseline of torch.autograd."""
    ops = TorchOps(dtype, device)
    xs, data = case.split(inputs)
    f = case.bind({k: ops.asarray(v) for k, v in data.items()}, params)
    tensors = [ops.asarray(x) for x in xs]

    def value():
        with torch.no_grad():
            return f(ops, *tensors)
    return value


def _run(dtype, device="cpu"):
    def run(case, params, points, rng, precision=None):
        """precision (a diffbench.precision name), where given, decides the dtype (torch at float32 is torch_f32)."""
        chosen = dtype if precision is None else getattr(torch, PRECISIONS[precision].torch)
        if device == "cuda" and not torch.cuda.is_available():
            return [PointResult(status="skipped", message="CUDA is not available to this torch build "
                                "(see README: a GPU build of torch)") for _ in points]
        results = []
        for inputs in points:
            compute = torch_jacobian(case, params, inputs, chosen, device)
            jacobian, seconds = timed(_synchronized(compute, device))
            jacobian = jacobian.detach().cpu().double().numpy()
            own = measure(_synchronized(torch_function(case, params, inputs, chosen, device), device))
            results.append(PointResult(jacobian, setup_time_s=0.0, eval_time_s=seconds, timings={"eval": seconds},
                                       extra={"own_func_time_s": own}))
        return results
    return run


def _synchronized(compute, device):
    """On a GPU, time until the kernels finish, not until they are queued."""
    if device != "cuda":
        return compute

    def synchronized():
        result = compute()
        torch.cuda.synchronize()
        return result
    return synchronized


TORCH64 = Method("torch", "framework", "torch.autograd, float64", _run(torch.float64), follows_precision=True)
TORCH32 = Method("torch_f32", "framework", "torch.autograd, float32 (inputs rounded to float32)", _run(torch.float32))
TORCH_CUDA = Method("torch_cuda", "framework", "torch.autograd, float64 on the GPU (skipped without CUDA)",
                    _run(torch.float64, "cuda"))
