"""Cross-entropy over logits, the naive -a_y + log sum exp(a_j) against the max-shifted stable form."""
import numpy as np

from diffbench import nn
from diffbench.case import Case

CLASSES = 10
OVERFLOW_LOGIT = np.log(np.finfo(np.float64).max)   # ~709.78: exp of anything larger is inf in float64


def logits_inputs(rng, offset, classes):
    """Logits offset + N(0, 1) (the gradient only sees their differences), and a one-hot true class."""
    onehot = np.zeros(classes)
    onehot[rng.integers(classes)] = 1.0
    return {"a": offset + rng.standard_normal(classes), "onehot": onehot}


def naive_gradient(a, onehot):
    """softmax(a) - e_y, with softmax evaluated as written: exp(a) / sum exp(a)."""
    e = np.exp(a)
    return [e / e.sum() - onehot]


def stable_gradient(a, onehot):
    """softmax(a) - e_y, with softmax evaluated after shifting by max a."""
    e = np.exp(a - a.max())
    return [e / e.sum() - onehot]


def naive_overflows(offset, classes):
    # NB: logits are offset + N(0, 1); 5 standard deviations above the offset is where exp may overflow.
    if offset + 5 > OVERFLOW_LOGIT:
        return f"exp(a_j) overflows float64 for logits above {OVERFLOW_LOGIT:.2f} (offset={offset})"
    return None


def _check(offset, classes):
    if int(classes) != classes or classes < 2:
        return f"parameter classes={classes} must be an integer >= 2"
    return None


_TASK = (r"Find $\nabla_a L$ for $L(a, y) = -\log\frac{e^{a_y}}{\sum_j e^{a_j}} = -a_y + \log\sum_{j=1}^{l} e^{a_j}$, "
         r"logits $a \in \mathbb{R}^{10}$ around the offset swept. Answer: $\mathrm{softmax}(a) - e_y$. ")

COMMON = dict(make_inputs=logits_inputs, wrt=("a",), sweep="offset", values=(0, 1000), quick_values=(0, 1000),
              full_values=(0, 10, 100, 500, 1000), fixed={"classes": CLASSES}, check_params=_check)

CASES = (
    Case(
        name="cross_entropy_naive",
        fn=nn.cross_entropy_naive,
        analytic=naive_gradient,
        expect_nonfinite=naive_overflows,
        note=_TASK + r"Written as the formula reads, $e^{a_j}$ overflows float64 once logits pass "
                     r"$\approx 709.78$: at offset 1000 every float method (and the answer evaluated as written, "
                     r"$e^{a}/\sum e^{a}$) returns NaN/inf, recorded as status *inaccurate*; "
                     r"the mpmath reference, with its unbounded exponent, is fine.",
        **COMMON,
    ),
    Case(
        name="cross_entropy_stable",
        fn=nn.cross_entropy_stable,
        analytic=stable_gradient,
        note=_TASK + r"Written stably, $-a_y + \max_j a_j + \log\sum_j e^{a_j - \max_j a_j}$: "
                     r"the same function, finite at any offset. The derivative of $\max$ cancels exactly "
                     r"(the softmax weights sum to 1), so methods agree whichever logit attains it.",
        complex_ok=False,
        **COMMON,
    ),
)
