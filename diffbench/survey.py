"""Published values of the survey's Table 1 (Baydin et al. 2018, JMLR 18(153)): the logistic map and its derivatives."""
from __future__ import annotations

import ast
from fractions import Fraction

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
MAX_POWER = 1000   # larger integer powers are left to sympy


def published_text(n: int, column: str) -> str:
    """The survey's entry for l_n in one column (function | derivative | simplified), as printed."""
    return _TABLE1_TEXT[n][COLUMNS.index(column)]


def __getattr__(name: str):
    """X, the real symbol x, made on first use: the report's check of Table 1 runs without sympy."""
    if name == "X":
        import sympy
        return sympy.Symbol("x", real=True)
    raise AttributeError(f"module 'diffbench.survey' has no attribute {name!r}")


def published(n: int, column: str) -> "sympy.Expr":
    """The survey's entry as a sympy expression."""
    return parse(published_text(n, column))


def table1_sizes() -> tuple[int, ...]:
    return tuple(_TABLE1_TEXT)


def parse(text: str) -> "sympy.Expr":
    """An expression written by diffbench (sympy's str form) read back, with x the real symbol of the case."""
    import sympy
    return sympy.sympify(text, locals={"x": __getattr__("X")})


def agrees(text: str, n: int, column: str) -> bool:
    """Whether an expression (text) equals the survey's entry: expand(a - b) == 0, not a string comparison.

    Polynomials in x with rational coefficients (every entry of Table 1) are expanded exactly here, without
    importing sympy; anything else is left to sympy's expand."""
    ours, theirs = polynomial(text), polynomial(published_text(n, column))
    if ours is not None and theirs is not None:
        return ours == theirs
    import sympy
    return sympy.expand(parse(text) - published(n, column)) == 0


def polynomial(text: str) -> dict[int, Fraction] | None:
    """The expanded coefficients {power of x: coefficient} of a polynomial written in sympy's str form
    (integers, x, + - * / and non-negative integer powers); None for any other expression or text."""
    try:
        return _expand(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError):
        return None


def _expand(node: ast.AST) -> dict[int, Fraction] | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return _trimmed({0: Fraction(node.value)})
    if isinstance(node, ast.Name) and node.id == "x":
        return {1: Fraction(1)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        inner = _expand(node.operand)
        return None if inner is None else {k: -c if isinstance(node.op, ast.USub) else c for k, c in inner.items()}
    if not isinstance(node, ast.BinOp):
        return None
    left = _expand(node.left)
    if isinstance(node.op, ast.Pow):
        power = node.right
        if left is None or not (isinstance(power, ast.Constant) and type(power.value) is int
                                 and 0 <= power.value <= MAX_POWER):
            return None
        out = {0: Fraction(1)}
        for _ in range(power.value):
            out = _product(out, left)
        return out
    right = _expand(node.right)
    if left is None or right is None:
        return None
    if isinstance(node.op, (ast.Add, ast.Sub)):
        sign = 1 if isinstance(node.op, ast.Add) else -1
        return _trimmed({k: left.get(k, 0) + sign * right.get(k, 0) for k in left.keys() | right.keys()})
    if isinstance(node.op, ast.Mult):
        return _product(left, right)
    if isinstance(node.op, ast.Div) and set(right) == {0}:   # NB: only division by a nonzero constant stays polynomial
        return {k: c / right[0] for k, c in left.items()}
    return None


def _product(a: dict[int, Fraction], b: dict[int, Fraction]) -> dict[int, Fraction]:
    out: dict[int, Fraction] = {}
    for i, c in a.items():
        for j, d in b.items():
            out[i + j] = out.get(i + j, 0) + c * d
    return _trimmed(out)


def _trimmed(coefficients: dict) -> dict[int, Fraction]:
    return {k: Fraction(c) for k, c in coefficients.items() if c != 0}
