"""`diffbench check` for graders: JSON for many files, Gradescope's results.json, the course's Jacobian layout."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from diffbench.check import channel
from diffbench.check.command import check_command, template_text
from diffbench.check.compare import ShapeProblem, as_jacobian
from diffbench.check.course import CourseError, read_course
from diffbench.check.isolate import OUTPUT_HEAD, OUTPUT_TAIL, CappedOutput
from diffbench.check.tasks import CHECK_CASES, TASKS

SOLUTIONS = Path(__file__).parent / "solutions"
GRADESCOPE_TEST_KEYS = {"name", "score", "max_score", "output", "visibility"}


def invoke(*arguments):
    return CliRunner().invoke(check_command, [str(a) for a in arguments])


def test_many_files_in_one_command_give_one_json_list_in_order():
    result = invoke("--format", "json", "--jobs", "2", SOLUTIONS / "partial.py", SOLUTIONS / "mistake_sign.py",
                    SOLUTIONS / "hostile" / "exit_at_import.py")
    assert result.exit_code == 1
    documents = json.loads(result.stdout)
    assert [Path(d["file"]).name for d in documents] == ["partial.py", "mistake_sign.py", "exit_at_import.py"]
    partial = {f["function"]: f for f in documents[0]["functions"]}
    assert set(partial) == {"grad_logistic", "grad_logdet", "grad_mds"}
    logistic = partial["grad_logistic"]
    assert logistic["status"] == "fail" and logistic["mistake"].startswith("sign error")
    assert abs(logistic["taylor_order"] - 1) < 0.05 and logistic["digits"] < 3 and logistic["time_s"] >= 0
    assert logistic["worst_point"].startswith("n=")
    mds = partial["grad_mds"]
    assert mds["status"] == "pass" and mds["digits"] >= 12 and abs(mds["taylor_order"] - 2) < 0.05
    assert documents[0]["score"] == 3.0 and documents[0]["sandbox"] == "bwrap"
    assert all(f["status"] == "fail" for f in documents[1]["functions"])
    assert documents[2]["error"].endswith("your file called sys.exit(0) at import") and not documents[2]["passed"]


def test_gradescope_results_have_the_schema_and_the_passing_weights(tmp_path):
    results = tmp_path / "results.json"
    result = invoke("--format", "gradescope", "--results", results, SOLUTIONS / "partial.py")
    assert result.exit_code == 1
    document = json.loads(results.read_text())
    assert {"score", "max_score", "tests"} <= set(document)
    assert [t["name"] for t in document["tests"]] == [task.function for task in TASKS]
    assert all(set(t) == GRADESCOPE_TEST_KEYS for t in document["tests"])
    weights = {task.function: task.weight for task in TASKS}
    passing = {t["name"] for t in document["tests"] if t["score"] == t["max_score"] > 0}
    assert passing == {"grad_logdet", "grad_mds"}
    assert document["score"] == weights["grad_logdet"] + weights["grad_mds"] == 3.0
    assert document["max_score"] == sum(weights.values())
    logistic = next(t for t in document["tests"] if t["name"] == "grad_logistic")
    assert logistic["score"] == 0 and "sign error" in logistic["output"] and "sandbox: bwrap" in logistic["output"]


def test_a_course_file_sets_weights_and_gradescope_never_overwrites(tmp_path):
    course = tmp_path / "course.json"
    course.write_text(json.dumps({"weights": {"grad_mds": 5, "grad_logistic": 4}}))
    results = tmp_path / "results.json"
    invoke("--format", "gradescope", "--results", results, "--course", course, SOLUTIONS / "partial.py")
    document = json.loads(results.read_text())
    assert document["score"] == 5 + 1
    assert document["max_score"] == sum(task.weight for task in TASKS) - 2 - 1 + 5 + 4
    again = invoke("--format", "gradescope", "--results", results, SOLUTIONS / "partial.py")
    assert again.exit_code == 2 and "exists; remove it or give another path" in again.output
    assert json.loads(results.read_text()) == document


@pytest.mark.parametrize("content, message", [
    ({"jacobian_layout": "diagonal"}, "jacobian_layout must be one of rows, columns"),
    ({"weights": {"grad_nothing": 1}}, "'grad_nothing', which is not a task function"),
    ({"weights": {"grad_mds": -1}}, "the weight of grad_mds must be a number >= 0"),
    ({"time": 3}, "unknown setting time"),
])
def test_a_bad_course_file_is_one_usage_error(tmp_path, content, message):
    course = tmp_path / "course.json"
    course.write_text(json.dumps(content))
    with pytest.raises(CourseError, match=message):
        read_course(course)
    result = invoke("--course", course, SOLUTIONS / "partial.py")
    assert result.exit_code == 2 and message in result.output


def test_the_lectures_layout_passes_under_columns_and_is_named_under_rows(tmp_path):
    columns = json.loads(invoke("--format", "json", "--jacobian-layout", "columns",
                                SOLUTIONS / "layout_columns.py").stdout)[0]
    assert columns["passed"] and columns["jacobian_layout"] == "columns"
    rows = json.loads(invoke("--format", "json", SOLUTIONS / "layout_columns.py").stdout)[0]
    by_name = {f["function"]: f for f in rows["functions"]}
    assert by_name["jacobian_sigmoid"]["status"] == "pass"        # diagonal: both layouts agree
    tanh = by_name["jacobian_tanh_layer"]
    assert tanh["status"] == "fail" and tanh["mistake"].startswith(
        "layout mismatch: your Jacobian is in the columns layout, J = (df/dx)ᵀ")
    course = tmp_path / "course.toml"
    course.write_text('jacobian_layout = "columns"\n')
    from_course = invoke("--course", course, SOLUTIONS / "layout_columns.py")
    assert from_course.exit_code == 0, from_course.output
    overridden = invoke("--course", course, "--jacobian-layout", "rows", SOLUTIONS / "layout_columns.py")
    assert overridden.exit_code == 1 and "layout mismatch" in overridden.output


def test_the_template_states_the_course_layout():
    assert "J[i, j] = d f_i / d x_j, one row per output" in template_text("rows")
    columns = invoke("--template", "--jacobian-layout", "columns").output
    assert columns.count("J = (df/dx)^T, J[i, j] = d f_j / d x_i, one column per output") == 3
    assert "<<" not in columns


def test_a_non_square_jacobian_in_the_other_layout_is_named_by_its_shape():
    case = CHECK_CASES[0]
    rng = np.random.default_rng(3)
    inputs = {"x": rng.uniform(-1, 1, 2), "A": rng.standard_normal((3, 2))}
    truth = inputs["A"] * (1 - np.tanh(inputs["x"]) ** 2)              # A diag(1 - tanh^2 x), 3 x 2
    assert np.allclose(as_jacobian(truth, case, {"n": 2}, inputs), truth)
    assert np.allclose(as_jacobian(truth.T, case, {"n": 2}, inputs, "columns"), truth)
    with pytest.raises(ShapeProblem, match=r"layout mismatch: .* d/dx has shape \(2, 3\), expected \(3, 2\)"):
        as_jacobian(truth.T, case, {"n": 2}, inputs, "rows")
    with pytest.raises(ShapeProblem, match=r"layout mismatch: .* d/dx has shape \(3, 2\), expected \(2, 3\)"):
        as_jacobian(truth, case, {"n": 2}, inputs, "columns")


@pytest.mark.parametrize("encoded", [
    {"shape": [2], "data": [1.0]},                       # too few numbers for the shape
    {"shape": [1], "data": ["1.0"]},                     # a string
    {"shape": [1], "data": [[1.0]]},                     # nested
    {"shape": [-1], "data": []},
    {"shape": [1], "data": [True]},
    {"shape": [1], "data": [1.0], "py/object": "os.system"},
    "1.0",
])
def test_the_channel_accepts_only_arrays_of_numbers(encoded):
    assert channel.decode_array(encoded) is None
    assert channel.decode_answer({"status": "ok", "array": encoded})[0] == "crashed"


def test_the_channel_round_trips_float64_exactly():
    values = np.random.default_rng(0).standard_normal((3, 4)) * 10.0 ** np.arange(-150, 150, 25).reshape(3, 4)
    encoded = json.loads(json.dumps(channel.encode_argument(values)))
    assert np.array_equal(channel.decode_array(encoded), values)
    assert channel.encode_argument(4) == {"int": 4}


def test_captured_output_keeps_head_and_tail_and_counts_the_rest():
    output = CappedOutput()
    for k in range(1000):
        output.add(f"line {k:04d}\x1b[2J\n".encode())
    text = output.text()
    assert text.startswith("line 0000") and text.rstrip().endswith("line 0999?[2J")
    assert f"[... {output.total - OUTPUT_HEAD - OUTPUT_TAIL} more bytes of output not shown ...]" in text
    assert "\x1b" not in text
