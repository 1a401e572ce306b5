"""The course's activation functions (vector -> vector), each with its hand-derived Jacobian."""
import numpy as np

from diffbench import nn
from diffbench.case import Case

SIZE = 5   # canonical point linspace(-2, 2, 5) = (-2, -1, 0, 1, 2) puts one entry on the kinks at 0


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _kinked(z, left, right):
    """Slope `right` for z > 0 and `left` for z <= 0: the lecture's I[z > 0] convention at the kink."""
    return np.where(z > 0, right, left)


KINK_CONVENTION = (r" At the kink $z = 0$ there is no derivative. As in the lecture ($\mathrm{ReLU}'(z) = "
                   r"I[z > 0]$) and in torch, these cases are written with `o.where(z > 0, ...)`, so AD, sympy, "
                   r"torch and the answer take the left slope there. The canonical point $(-2, -1, 0, 1, 2)$ "
                   r"puts $z_3$ on the kink on purpose: there every method is judged by whether it returns a "
                   r"one-sided derivative or a subgradient (columns `kink`, `kink_verdict`), not by its "
                   r"error against one convention; seeded points lie off the kink.")

# name -> (function against ops, hand-derived elementwise derivative in numpy, note)
ELEMENTWISE = {
    "sigmoid": (nn.sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
                r"$\sigma(z) = 1/(1 + e^{-z})$. Answer: $\sigma'(z) = \sigma(z)(1 - \sigma(z))$."),
    "tanh": (nn.tanh, lambda z: 1 - np.tanh(z) ** 2,
             r"$\tanh z$. Answer: $\tanh'(z) = 1 - \tanh^2 z$."),
    "relu": (nn.relu, lambda z: _kinked(z, 0.0, 1.0),
             r"$\mathrm{ReLU}(z) = \max(0, z)$. Answer: $\mathrm{ReLU}'(z) = I[z > 0]$ away from 0."
             + KINK_CONVENTION),
    "leaky_relu": (nn.leaky_relu, lambda z: _kinked(z, nn.LEAKY_SLOPE, 1.0),
                   r"$\mathrm{LeakyReLU}(z) = \max(0.1 z, z)$. Answer: $1$ for $z > 0$, $0.1$ for $z < 0$."
                   + KINK_CONVENTION),
    "elu": (nn.elu, lambda z: np.where(z > 0, 1.0, nn.ELU_ALPHA * np.exp(np.minimum(z, 0.0))),
            r"$\mathrm{ELU}(z) = z$ for $z \ge 0$, $\alpha(e^z - 1)$ for $z < 0$, $\alpha = 1$. "
            r"Answer: $1$ for $z > 0$, $\alpha e^z$ for $z \le 0$; with $\alpha = 1$ both sides give 1 at 0."),
    "selu": (nn.selu, lambda z: nn.SELU_SCALE * _kinked(z, nn.SELU_ALPHA * np.exp(np.minimum(z, 0.0)), 1.0),
             r"$\mathrm{SELU}(z) = \lambda\,\mathrm{ELU}_\alpha(z)$, $\lambda \approx 1.0507$, "
             r"$\alpha \approx 1.6733$. Answer: $\lambda$ for $z > 0$, $\lambda\alpha e^z$ for $z < 0$ "
             r"(a kink at 0: slopes $\lambda\alpha$ and $\lambda$)." + KINK_CONVENTION),
    "swish": (nn.swish, lambda z: _sigmoid(z) + z * _sigmoid(z) * (1 - _sigmoid(z)),
              r"$\mathrm{swish}(z) = z\,\sigma(z)$. Answer: $\sigma(z) + z\,\sigma(z)(1 - \sigma(z))$."),
    "gelu": (nn.gelu, lambda z: _gelu_derivative(z),
             r"$\mathrm{GELU}(z) = \frac{z}{2}\left(1 + \tanh u\right)$, $u = \sqrt{2/\pi}\,(z + \alpha z^3)$, "
             r"$\alpha = 0.044715$. Answer: $\frac12(1 + \tanh u) + \frac{z}{2}(1 - \tanh^2 u)"
             r"\sqrt{2/\pi}\,(1 + 3\alpha z^2)$."),
}


def _gelu_derivative(z):
    u = nn.GELU_SCALE * (z + nn.GELU_CUBIC * z ** 3)
    t = np.tanh(u)
    return (1 + t) / 2 + z / 2 * (1 - t ** 2) * nn.GELU_SCALE * (1 + 3 * nn.GELU_CUBIC * z ** 2)


def softmax_jacobian(z):
    """diag(s) - s s^T with s = softmax(z)."""
    e = np.exp(z - z.max())
    s = e / e.sum()
    return np.diag(s) - np.outer(s, s)


def _elementwise_case(name, fn, derivative, note, branched):
    return Case(
        name=name,
        fn=fn,
        make_inputs=lambda rng, n: {"z": rng.uniform(-3.0, 3.0, n)},
        canonical=lambda n: {"z": np.linspace(-2.0, 2.0, n)},
        wrt=("z",),
        fixed={"n": SIZE},
        check_params=_check_n,
        analytic=lambda z: np.diag(derivative(z)),
        note=f"Find the Jacobian of the elementwise activation {note} "
             r"The Jacobian of an elementwise map is $\mathrm{diag}(f'(z_i))$.",
        complex_ok=not branched,   # NB: o.where compares values; kept to real input
    )


def _check_n(n):
    return None if int(n) == n and n >= 1 else f"parameter n={n} must be an integer >= 1"


CASES = tuple(
    _elementwise_case(name, fn, derivative, note, branched=name in ("relu", "leaky_relu", "elu", "selu"))
    for name, (fn, derivative, note) in ELEMENTWISE.items()
) + (
    Case(
        name="softmax",
        fn=nn.softmax,
        make_inputs=lambda rng, n: {"z": rng.uniform(-3.0, 3.0, n)},
        canonical=lambda n: {"z": np.linspace(-2.0, 2.0, n)},
        wrt=("z",),
        fixed={"n": SIZE},
        check_params=_check_n,
        analytic=softmax_jacobian,
        note=r"Find the Jacobian of $\mathrm{softmax}(z) = e^{z} / \sum_t e^{z_t}$. "
             r"Answer: $\partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)$, i.e. $\mathrm{diag}(s) - s s^T$.",
    ),
)
