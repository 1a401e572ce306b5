"""Hostile: imports diffbench and answers with its own mpmath reference."""
import numpy as np


def reference_gradient(case_name, **inputs):
    from diffbench.case import load_cases
    from diffbench.reference import reference
    case = load_cases()[case_name]
    truth = reference(case, {"n": len(inputs["x"])} if "x" in inputs else {"n": len(inputs["X"])}, inputs,
                      np.random.default_rng(0))
    return np.asarray(truth["hi"], dtype=float)


def grad_log_quadratic(x, A):
    return reference_gradient("log_quadratic", x=x, A=A).reshape(x.shape)


def grad_logdet(X):
    return reference_gradient("logdet", X=X).reshape(X.shape)
