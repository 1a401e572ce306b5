"""The torch backend: float64 (or float32) tensors, differentiated by torch.autograd."""
import torch


class TorchOps:
    name = "torch"
    exp, log, sin, cos, tanh, sqrt, abs = torch.exp, torch.log, torch.sin, torch.cos, torch.tanh, torch.sqrt, torch.abs
    sign = staticmethod(torch.sign)
    where = staticmethod(torch.where)
    reshape = staticmethod(torch.reshape)
    logdet = staticmethod(torch.logdet)
    inv = staticmethod(torch.linalg.inv)
    outer = staticmethod(torch.outer)
    matvec = staticmethod(torch.mv)
    matmul = staticmethod(torch.matmul)

    def __init__(self, dtype=torch.float64, device="cpu"):
        self.dtype, self.device = dtype, device

    def const(self, v):
        return torch.as_tensor(v, dtype=self.dtype, device=self.device) if hasattr(v, "__len__") else v

    def asarray(self, v, requires_grad=False):
        return torch.tensor(v, dtype=self.dtype, device=self.device, requires_grad=requires_grad)

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        return torch.sum(x) if axis is None and not keepdims else torch.sum(x, dim=axis, keepdim=keepdims)

    @staticmethod
    def amax(x, axis=None, keepdims=False):
        return torch.amax(x) if axis is None and not keepdims else torch.amax(x, dim=axis, keepdim=keepdims)

    @staticmethod
    def dot(x, y):
        return torch.dot(x.reshape(-1), y.reshape(-1))

    @staticmethod
    def transpose(x):
        return x.transpose(-1, -2)

    @staticmethod
    def broadcast_to(x, shape):
        return torch.broadcast_to(x, shape)

    @staticmethod
    def getitem(x, index):
        return x[index]

    @staticmethod
    def shape(x):
        return tuple(x.shape)

    @staticmethod
    def to_float(x):
        return x.detach().cpu().double().numpy()
