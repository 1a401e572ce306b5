"""`diffbench check`: the template, a correct solution, seeded mistakes, and misbehaving student code."""
import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from diffbench.case import load_cases
from diffbench.check.checker import CheckOptions, ReferenceCache, check_solution
from diffbench.check.command import check_command, template_text
from diffbench.check.isolate import Limits
from diffbench.check.sandbox import choose_sandbox
from diffbench.check.tasks import TASKS, call_arguments, task_cases, task_points

SOLUTIONS = Path(__file__).parent / "solutions"


@pytest.fixture(scope="module")
def references():
    return ReferenceCache()


@pytest.fixture(scope="module")
def check(references):
    cases = load_cases()
    sandbox = choose_sandbox("bwrap")     # NB: CI installs bubblewrap; without it these tests must fail, not skip

    def run(path, time_limit_s=10.0, memory_mb=512, **options):
        options = CheckOptions(limits=Limits(time_s=time_limit_s, memory_mb=memory_mb), **options)
        return check_solution(path, sandbox, options, cases=cases, references=references)
    return run


def test_every_task_names_an_existing_case_and_its_arguments():
    cases = task_cases(load_cases())
    for task in TASKS:
        assert task.case in cases, task.function
        for point in task_points(task, cases[task.case], seed=0):
            assert len(call_arguments(task, point)) == len(task.arguments)


def test_template_has_one_documented_stub_per_task_with_its_signature():
    tree = ast.parse(template_text())
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert [f.name for f in functions] == [task.function for task in TASKS]
    for function, task in zip(functions, TASKS):
        assert tuple(a.arg for a in function.args.args) == task.arguments
        assert ast.get_docstring(function)
        stub = function.body[-1]
        assert isinstance(stub, ast.Raise) and stub.exc.func.id == "NotImplementedError"
        points = re.search(r"Points: ([0-9.]+)\.", ast.get_docstring(function))
        assert points and float(points.group(1)) == task.weight, task.function


def test_blank_template_reports_every_stub_as_not_implemented(tmp_path, check):
    path = tmp_path / "solution.py"
    path.write_text(template_text())
    result = check(path)
    assert [t.task.function for t in result.tasks] == [task.function for task in TASKS]
    assert {t.status for t in result.tasks} == {"not implemented"}
    assert not result.passed


def test_cli_prints_the_template_and_fails_on_it(tmp_path):
    runner = CliRunner()
    printed = runner.invoke(check_command, ["--template"])
    assert printed.exit_code == 0 and printed.output == template_text()
    path = tmp_path / "solution.py"
    path.write_text(printed.output)
    checked = runner.invoke(check_command, [str(path)])
    assert checked.exit_code == 1
    assert checked.output.count("not implemented") >= len(TASKS)
    assert f"FAIL: 0 of {len(TASKS)} functions pass, 0 of {sum(t.weight for t in TASKS):g} points" in checked.output


def test_correct_solution_passes_with_full_digits_and_taylor_order_2(check):
    result = check(SOLUTIONS / "correct.py")
    assert result.passed and not result.missing
    for task in result.tasks:
        assert task.status == "pass", (task.task.function, task.message)
        assert task.digits >= 12, task.task.function
        if task.task.function == "hessian_quadratic":
            continue    # the gradient field of a quadratic is linear: its Taylor remainder is 0, no order to see
        orders = [v.order for v in task.verdicts if v.order is not None]
        assert orders and all(abs(order - 2) < 0.05 for order in orders), (task.task.function, orders)


def test_cli_exit_code_is_0_for_the_correct_solution():
    result = CliRunner().invoke(check_command, [str(SOLUTIONS / "correct.py")])
    assert result.exit_code == 0, result.output
    assert f"PASS: {len(TASKS)} of {len(TASKS)} functions pass" in result.output
    assert "(sandbox: bwrap)" in result.output


@pytest.mark.parametrize("solution, mistake", [
    ("mistake_factor2.py", "missing factor 2"),
    ("mistake_sign.py", "sign error"),
    ("mistake_transpose.py", "transposed gradient"),
    ("mistake_shape.py", "wrong shape: d/dx has shape (2, 1), expected (2,)"),
])
def test_each_seeded_mistake_fails_and_is_named(check, solution, mistake):
    result = check(SOLUTIONS / solution)
    assert not result.passed and result.tasks
    for task in result.tasks:
        assert task.status == "fail"
        assert mistake in task.message
        if "shape" not in mistake:
            assert all(v.digits < 3 for v in task.verdicts)
            # a wrong gradient leaves a first-order term: the remainder shrinks as h, not h^2
            assert all(abs(v.order - 1) < 0.05 for v in task.verdicts), [v.order for v in task.verdicts]


def test_a_wrong_gradient_without_a_known_mistake_and_a_transposed_shape(check):
    result = check(SOLUTIONS / "mistake_symmetric.py")
    by_name = {t.task.function: t for t in result.tasks}
    quadratic = by_name["grad_quadratic"]     # 2Ax - b instead of (A + A^T)x - b
    assert quadratic.status == "fail" and quadratic.message.startswith("wrong gradient (")
    assert all(abs(v.order - 1) < 0.05 for v in quadratic.verdicts)
    network = by_name["grad_two_layer_tanh"]
    assert network.message.startswith("wrong shape: d/dW1 has shape (4, 3), expected (3, 4) (transposed?)")


def test_cli_names_the_mistake_and_exits_1():
    result = CliRunner().invoke(check_command, [str(SOLUTIONS / "mistake_factor2.py")])
    assert result.exit_code == 1
    assert "missing factor 2" in result.output and "not h²: the gradient is wrong" in result.output


def test_exceptions_loops_crashes_and_memory_hogs_are_reported_per_function(check):
    result = check(SOLUTIONS / "misbehaving.py", time_limit_s=2)
    by_name = {t.task.function: t for t in result.tasks}
    assert by_name["grad_logistic"].status == "raised"
    assert "ValueError: I gave up (line 8)" in by_name["grad_logistic"].message
    assert by_name["grad_trace_example"].status == "timed out"
    assert by_name["grad_trace_example"].message == "timed out after 2 s at point 0"
    assert by_name["grad_log_quadratic"].status == "crashed"
    assert "exit code 3 during the call at n=2, point 0" in by_name["grad_log_quadratic"].message
    assert by_name["grad_mds"].status == "raised" and "MemoryError" in by_name["grad_mds"].message
    assert by_name["grad_logdet"].status == "pass"      # the others did not stop it
    assert not result.passed


def test_a_file_that_does_not_load_is_one_clear_error(tmp_path, check):
    path = tmp_path / "broken.py"
    path.write_text("def grad_logdet(X)\n    return X\n")
    result = check(path)
    assert not result.passed and not result.tasks
    assert "could not load broken.py" in result.error and "SyntaxError" in result.error


def test_a_file_without_task_functions_fails(tmp_path, check):
    path = tmp_path / "empty.py"
    path.write_text("def helper():\n    return 1\n")
    result = check(path)
    assert not result.passed and "defines none of the template's functions" in result.error


def test_answers_that_are_not_numbers_are_named_with_the_expected_shape(check):
    result = check(SOLUTIONS / "wrong_types.py")
    by_name = {t.task.function: t for t in result.tasks}
    assert by_name["grad_log_quadratic"].message == \
        "your function returned a dict, expected an array of shape (2,) (like x) at n=2, point 0"
    assert by_name["grad_logdet"].message == \
        "your function returned a str, expected an array of shape (2, 2) (like X) at n=2, point 0"
    assert by_name["grad_trace_example"].message == ("your function returned None, expected a tuple "
                                                     "(d/dx1: a number, d/dx2: a number) at point 0")
    assert by_name["grad_mds"].message.startswith(
        "wrong shape: the part for W is a tuple of 2, expected shape (4, 2)")
    assert all(t.status == "fail" for t in result.tasks) and not result.passed
