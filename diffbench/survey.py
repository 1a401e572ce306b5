"""Published values of the survey's Table 1 (Baydin et al. 2018, JMLR 18(153)): the logistic map and its derivatives."""
from __future__ import annotations

import sympy

X = sympy.Symbol("x", real=True)
TABLE1_CASE = "logistic"  # the case whose swell rows reproduce the table

# n -> (l_n, d/dx l_n as the survey prints it, the survey's simplified d/dx l_n); l_1 = x, l_{n+1} = 4 l_n (1 - l_n).
_TABLE1_TEXT = {
    1: ("x", "1", "1"),
    2: ("4*x*(1 - x)", "4*(1 - x) - 4*x", "4 - 8*x"),
    3: ("16*x*(1 - x)*(1 - 2*x)**2",
        "16*(1 - x)*(1 - 2*x)**2 - 16*x*(1 - 2*x)**2 - 64*x*(1 - x)*(1 - 2*x)",
        "16*(1 - 10*x + 24*x**2 - 16*x**3)"),
    4: ("64*x*(1 - x)*(1 - 2*x)**2*(1 - 8*x + 8*x**2)**2",
        "128*x*(1 - x)*(-8 + 16*x)*(1 - 2*x)**2*(1 - 8*x + 8*x**2) + 64*(1 - x)*(1 - 2*x)**2*(1 - 8*x + 8*x**2)**2"
        " - 64*x*(1 - 2*x)**2*(1 - 8*x + 8*x**2)**2 - 256*x*(1 - x)*(1 - 2*x)*(1 - 8*x + 8*x**2)**2",
        "64*(1 - 42*x + 504*x**2 - 2640*x**3 + 7040*x**4 - 9984*x**5 + 7168*x**6 - 2048*x**7)"),
}
COLUMNS = ("function", "derivative", "simplified")


def published_text(n: int, column: str) -> str:
    """The survey's entry for l_n in one column (function | derivative | simplified), as printed."""
    return _TABLE1_TEXT[n][COLUMNS.index(column)]


def published(n: int, column: str) -> sympy.Expr:
    """The survey's entry as a sympy expression."""
    return parse(published_text(n, column))


def table1_sizes() -> tuple[int, ...]:
    return tuple(_TABLE1_TEXT)


def parse(text: str) -> sympy.Expr:
    """An expression written by diffbench (sympy's str form) read back, with x the real symbol of the case."""
    return sympy.sympify(text, locals={"x": X})


def agrees(text: str, n: int, column: str) -> bool:
    """Whether an expression (text) equals the survey's entry: expand(a - b) == 0, not a string comparison."""
    return sympy.expand(parse(text) - published(n, column)) == 0
