"""The ops vocabulary every backend supplies, so a case is written once and runs everywhere."""

# name -> what it means. Every backend implements each of these as a method of its ops
# namespace; `+ - * / ** @`, unary `-` and comparisons are overloaded by the numbers themselves.
VOCABULARY = {
    "const": "const(v): a constant in the backend's exact representation (float -> Rational in sympy)",
    "exp": "elementwise e^x",
    "log": "elementwise natural logarithm",
    "sin": "elementwise sine",
    "cos": "elementwise cosine",
    "tanh": "elementwise hyperbolic tangent",
    "sqrt": "elementwise square root",
    "abs": "elementwise |x| (a kink at 0)",
    "sum": "sum(x, axis=None): sum of all entries or along one axis",
    "amax": "amax(x, axis=None): largest entry, or along one axis (ties share the derivative)",
    "reshape": "reshape(x, shape)",
    "transpose": "transpose(X): matrix transpose",
    "dot": "dot(x, y): inner product of two vectors",
    "matvec": "matvec(A, x): matrix times vector",
    "matmul": "matmul(A, B): matrix product",
    "inv": "inv(X): matrix inverse",
    "logdet": "logdet(X): log of the determinant (real, positive determinant)",
    "where": "where(cond, a, b): a where cond holds else b; cond is not differentiated",
    "getitem": "getitem(x, index): x[index] (also written x[index]); basic and integer-array indexing",
    "shape": "shape(x): the shape tuple of a value",
}

# The vocabulary's differentiable members, in the order the rules table lists them.
ELEMENTWISE = ("exp", "log", "sin", "cos", "tanh", "sqrt", "abs")
