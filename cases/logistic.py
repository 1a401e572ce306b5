"""The logistic map in the survey's indexing (Baydin et al. 2018, Table 1)."""
from diffbench.case import Case


def logistic(o, x, n=4):
    l = x
    for _ in range(n - 1):          # l_1 = x, l_{k+1} = 4 l_k (1 - l_k)
        l = 4 * l * (1 - l)
    return l


CASES = (
    Case(
        name="logistic",
        fn=logistic,
        make_inputs=lambda rng, n: {"x": rng.uniform(0.05, 0.95)},
        canonical=lambda n: {"x": 0.2},
        wrt=("x",),
        sweep="n", values=tuple(range(1, 9)), quick_values=(1, 2, 4), full_values=tuple(range(1, 13)),
        check_params=lambda n: None if int(n) == n and n >= 1 else f"parameter n={n} must be an integer >= 1",
        check_inputs=lambda x, n: None if 0 <= x <= 1 else f"x={float(x)} is outside [0, 1]",
        points=3,
        note="Differentiate $l_n(x)$ with $l_1 = x$, $l_{n+1} = 4 l_n (1 - l_n)$. "
             "At $x = 0.2$: $l_4 = 0.28901376$, $l_4' = 9.0660864$.",
    ),
)
