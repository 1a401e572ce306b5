"""Second-order checker tasks (the Hessian of the quadratic form, an HVP of ln<x, Ax>) and Feedforward([3,4,5,3,1])."""
import ast
import textwrap
from pathlib import Path

import pytest

from diffbench.case import load_cases
from diffbench.check.checker import CheckOptions, ReferenceCache, check_solution
from diffbench.check.isolate import Limits
from diffbench.check.sandbox import choose_sandbox

SOLUTIONS = Path(__file__).parent / "solutions"


def correct_functions(*names: str) -> str:
    """The named functions of tests/solutions/correct.py, as a solution file of their own."""
    source = (SOLUTIONS / "correct.py").read_text()
    tree = ast.parse(source)
    parts = [ast.get_source_segment(source, node) for node in tree.body
             if isinstance(node, ast.FunctionDef) and node.name in names]
    assert len(parts) == len(names), names
    return "import numpy as np\n\n\n" + "\n\n\n".join(parts) + "\n"


CORRECT = correct_functions("hessian_quadratic", "hvp_log_quadratic")


@pytest.fixture(scope="module")
def check():
    cases, references = load_cases(), ReferenceCache()
    sandbox = choose_sandbox("auto")

    def run(tmp_path, source):
        path = tmp_path / "solution.py"
        path.write_text(textwrap.dedent(source))
        result = check_solution(path, sandbox, CheckOptions(limits=Limits(time_s=20.0, memory_mb=512)),
                                cases=cases, references=references)
        return {t.task.function: t for t in result.tasks}
    return run


def test_right_hessian_and_hvp_pass_with_second_order_taylor(tmp_path, check):
    results = check(tmp_path, CORRECT)
    for name in ("hessian_quadratic", "hvp_log_quadratic"):
        assert results[name].status == "pass", results[name].message
        assert results[name].digits >= 13
    assert results["hvp_log_quadratic"].order >= 1.8   # the Taylor remainder of <grad f, v> is O(h^2)
    assert results["hessian_quadratic"].order is None  # the gradient of a quadratic is linear: no remainder at all


@pytest.mark.parametrize("answer,named", [
    ("A", "A instead of A + Aᵀ"),
    ("2 * A", "2A instead of A + Aᵀ"),
    ("(A + A.T) / 2", "missing factor 2"),
    ("-(A + A.T)", "sign error"),
])
def test_hessian_mistakes_are_named(tmp_path, check, answer, named):
    results = check(tmp_path, f"import numpy as np\n\ndef hessian_quadratic(x, A, b):\n    return {answer}\n")
    assert results["hessian_quadratic"].status == "fail"
    assert named in results["hessian_quadratic"].message


def test_hvp_without_the_derivative_of_the_denominator_is_named(tmp_path, check):
    source = "import numpy as np\n\ndef hvp_log_quadratic(x, A, v):\n    return (A + A.T) @ v / (x @ A @ x)\n"
    result = check(tmp_path, source)["hvp_log_quadratic"]
    assert result.status == "fail" and "derivative of 1 / <x, Ax> is missing" in result.message


def test_feedforward_3_4_5_3_1_right_and_without_the_relu_mask(tmp_path, check):
    right = (SOLUTIONS / "correct.py").read_text()
    assert check(tmp_path, right)["grad_feedforward_3_4_5_3_1"].status == "pass"
    wrong = right.replace("* (pre[k - 1] > 0)", "")       # backpropagates through ReLU as if it were linear
    assert wrong != right
    result = check(tmp_path, wrong)["grad_feedforward_3_4_5_3_1"]
    assert result.status == "fail"
