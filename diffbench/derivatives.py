"""Derivative forms shared by the sympy method and the swell experiment: AD over sympy, simplified form, text."""
import numpy as np
import sympy

from diffbench.ad import api
from diffbench.backends import SymOps

EXPRESSION_MAX_NODES = 400   # expressions up to this many tree nodes are stored as text (Table 1 needs n <= 4)


def ad_over_sympy(case, params, symbols: dict) -> list:
    """The Jacobian (rows flattened) by the in-house reverse-mode tape run over the sympy backend."""
    xs = [symbols[k] for k in case.wrt]
    data = {k: v for k, v in symbols.items() if k not in case.wrt}
    jacobian, _ = api.jacrev(case.bind(data, params), SymOps(), xs)
    return [sympy.sympify(e) for e in np.asarray(jacobian, dtype=object).reshape(-1)]


def survey_simplified(expr):
    """The survey's "simplified" form: expanded, with the common numeric factor pulled out (16(1 - 10x + ...))."""
    return sympy.factor_terms(sympy.expand(expr))


def expression_text(exprs: list, nodes: int) -> str:
    """sympy's str of the expressions ("; " between them) when they are small, else empty."""
    return "; ".join(sympy.sstr(e) for e in exprs) if nodes <= EXPRESSION_MAX_NODES else ""
