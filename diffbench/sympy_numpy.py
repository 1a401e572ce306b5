"""sympy.lambdify to numpy code that runs on scalars and arrays alike, printing step functions without logic."""
import sympy
from sympy.printing.numpy import NumPyPrinter

# The settings lambdify gives its own printer (sympy/utilities/lambdify.py, `printer is None` branch).
_LAMBDIFY_SETTINGS = {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                      "user_functions": {}}


class StepFunctionPrinter(NumPyPrinter):
    """NumPyPrinter that prints Heaviside as numpy.heaviside and Piecewise / ITE as nested numpy.where.

    NB: sympy 1.14 prints Heaviside(x - Max(...)) (the derivative of a max) by rewriting it to a Piecewise whose
    conditions hold ITEs, and then runs simplify_logic on each: 37 s for the gradient of a 10-logit max. The
    numpy.select it prints also rejects the numpy bools that scalar inputs give."""

    def _print_Heaviside(self, expr):
        half = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
        return f"{self._module_format('numpy.heaviside')}({self._print(expr.args[0])}, {self._print(half)})"

    def _print_ComplexInfinity(self, expr):
        # NB: sympy folds a division by zero (x / (x - x)) into zoo, which NumPyPrinter cannot print; float64 code
        # gives inf or NaN there, and NaN is what an undirected infinity is as a real number
        return self._print(sympy.S.NaN)

    def _print_Piecewise(self, expr):
        printed = self._print(sympy.S.NaN)
        for piece in reversed(expr.args):
            if piece.cond is sympy.true:
                printed = self._print(piece.expr)
            else:
                printed = (f"{self._module_format('numpy.where')}({self._print(piece.cond)}, "
                           f"{self._print(piece.expr)}, {printed})")
        return printed

    def _print_ITE(self, expr):
        condition, then, otherwise = (self._print(a) for a in expr.args)
        return f"{self._module_format('numpy.where')}({condition}, {then}, {otherwise})"


def lambdify_numpy(arguments, exprs, cse=False):
    """sympy.lambdify(arguments, exprs, modules="numpy", cse=cse) with the StepFunctionPrinter."""
    return sympy.lambdify(arguments, exprs, modules="numpy", cse=cse,
                          printer=StepFunctionPrinter(dict(_LAMBDIFY_SETTINGS)))
