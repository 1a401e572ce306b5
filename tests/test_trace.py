"""Evaluation traces and graph pictures: the survey's Tables 2-3, the lecture examples, formats, SVG and CLI."""
import json
import re
import xml.etree.ElementTree as ET

import mpmath
import numpy as np
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from diffbench.case import load_cases
from diffbench.cli import main
from diffbench.trace.graph import trace_svg
from diffbench.trace import (LATEX, Ref, TraceTooLong, derivative_formula, latex, markdown, primal_formula,
                             read_traces, trace_case, trace_function, write_traces)

SVG = "{http://www.w3.org/2000/svg}"


def lecture_L(o, w1, w2):
    """The lectures' L(w1, w2) = w2 log w1 + sqrt(w2 log w1), the shared product computed once."""
    a = w2 * o.log(w1)
    return a + o.sqrt(a)


def sum_times_difference(o, x, y, z):
    return (x + y) * (y - z)


@pytest.fixture(scope="module")
def cases():
    return load_cases()


@pytest.fixture(scope="module")
def survey(cases):
    return {mode: trace_case(cases["trace_example"], mode) for mode in ("forward", "reverse")}


def _close(actual, expected, rel=1e-14):
    return abs(float(actual) - float(expected)) <= rel * max(1.0, abs(float(expected)))


def test_survey_table_2_primal_and_tangent_trace(survey):
    """Baydin et al. (2018) Table 2 at (x1, x2) = (2, 5), ẋ1 = 1."""
    t = survey["forward"]
    mpmath.mp.dps = 30
    assert [r.number for r in t.rows] == [-1, 0, 1, 2, 3, 4, 5]
    assert [r.op for r in t.rows] == [None, None, "log", "mul", "sin", "add", "sub"]
    assert t.row(-1).value == 2.0 and t.row(0).value == 5.0
    assert _close(t.row(1).value, mpmath.log(2))
    assert t.row(2).value == 10.0
    assert _close(t.row(3).value, mpmath.sin(5))
    y = mpmath.log(2) + 10 - mpmath.sin(5)
    assert _close(t.value, y) and f"{float(y):.6f}" == "11.652071"
    assert [float(r.derivative) for r in t.rows] == [1.0, 0.0, 0.5, 5.0, 0.0, 5.5, 5.5]
    assert t.derivatives == [5.5]
    text = [primal_formula(t, r) for r in t.rows]
    assert text == ["v-1 = x1", "v0 = x2", "v1 = ln v-1", "v2 = v-1 × v0", "v3 = sin v0", "v4 = v1 + v2",
                    "v5 = v4 − v3"]
    assert derivative_formula(t, t.row(2)) == "v\u03072 = v\u0307-1 × v0 + v\u03070 × v-1"
    assert derivative_formula(t, t.row(1)) == "v\u03071 = v\u0307-1 / v-1"


def test_survey_table_3_adjoint_trace(survey):
    t = survey["reverse"]
    mpmath.mp.dps = 30
    x1_bar, x2_bar = t.derivatives
    assert _close(x1_bar, 5.5)
    assert _close(x2_bar, 2 - mpmath.cos(5)) and f"{float(x2_bar):.6f}" == "1.716338"
    assert [float(t.row(k).derivative) for k in (5, 4, 3, 2, 1)] == [1.0, 1.0, -1.0, 1.0, 1.0]
    # adjoints accumulate over the children, last child first, as in the survey's Table 3
    assert derivative_formula(t, t.row(0)) == "v\u03040 = v\u03043 × cos v0 + v\u03042 × v-1"
    assert derivative_formula(t, t.row(-1)) == "v\u0304-1 = v\u03042 × v0 + v\u03041 / v-1"
    assert derivative_formula(t, t.row(5)) == "v\u03045 = y\u0304"


def test_sum_times_difference_gradient_and_tangent():
    reverse = trace_function(sum_times_difference, (1.0, 2.0, 3.0), "reverse")
    assert [r.name for r in reverse.inputs] == ["x", "y", "z"]
    assert [r.number for r in reverse.inputs] == [-2, -1, 0]
    assert [float(g) for g in reverse.derivatives] == [-1.0, 2.0, -3.0]   # (y - z, (y - z) + (x + y), -(x + y))
    assert reverse.value == -3.0
    forward = trace_function(sum_times_difference, (1.0, 2.0, 3.0), "forward", direction=(0, 1, 0))
    assert forward.derivatives == [2.0]


@pytest.mark.parametrize("w1, w2", [(2.0, 5.0), (3.5, 0.25)])
def test_lecture_L_against_its_closed_form(w1, w2):
    mpmath.mp.dps = 30
    a = w2 * mpmath.log(w1)
    expected = (w2 / w1 * (1 + 1 / (2 * mpmath.sqrt(a))), mpmath.log(w1) * (1 + 1 / (2 * mpmath.sqrt(a))))
    reverse = trace_function(lecture_L, (w1, w2), "reverse")
    assert all(_close(g, e, 1e-13) for g, e in zip(reverse.derivatives, expected))
    assert _close(reverse.value, a + mpmath.sqrt(a), 1e-14)
    for k, e in enumerate(expected):
        forward = trace_function(lecture_L, (w1, w2), "forward", direction=np.eye(2)[k])
        assert _close(forward.derivatives[0], e, 1e-13)
    formulas = [primal_formula(reverse, r) for r in reverse.rows]
    assert formulas == ["v-1 = w1", "v0 = w2", "v1 = ln v-1", "v2 = v0 × v1", "v3 = √v2", "v4 = v2 + v3"]
    # v2 feeds both v3 and v4, so its adjoint sums two terms
    assert derivative_formula(reverse, reverse.row(2)) == "v\u03042 = v\u03044 + v\u03043 / (2 v3)"


def test_lecture_cases_by_name(cases):
    """The lecture cases: (x + y)(y - z) at (1, 2, 3) and L(w1, w2) at (2, 1), answers from their notes."""
    reverse = trace_case(cases["sum_times_difference"], "reverse")
    assert [float(g) for g in reverse.derivatives] == [-1.0, 2.0, -3.0]
    assert "| **f = v3** | **-3** | **x̄ = v̄-2** | **-1** |" in markdown(reverse)   # y is an input here
    mpmath.mp.dps = 30
    v2_bar = 1 + 1 / (2 * mpmath.sqrt(mpmath.log(2)))
    gradient = trace_case(cases["log_sqrt_graph"], "reverse").derivatives
    assert _close(gradient[0], v2_bar / 2, 1e-13) and _close(gradient[1], v2_bar * mpmath.log(2), 1e-13)
    assert [f"{float(g):.5f}" for g in gradient] == ["0.80028", "1.10942"]


def test_indexing_shows_python_subscripts():
    def picks(o, x):
        return o.sum(x[1:3] * x[0]) + x[::2][0] + o.sum(x[np.array([0, 2, 3, 3, 1])])
    t = trace_function(picks, (np.array([1.0, 2.0, 3.0, 4.0]),), "reverse")
    np.testing.assert_array_equal(t.derivatives[0], [7.0, 2.0, 2.0, 2.0])  # (x1 + x2 + 1 + 1, x0 + 1, x0 + 1, 2)
    formulas = [primal_formula(t, r) for r in t.rows]
    assert "v1 = v0[1:3]" in formulas and "v2 = v0[0]" in formulas and "v3 = v0[::2]" in formulas
    assert "v4 = v0[[0, 2, 3, 3, …]]" in formulas
    assert r"v_{1} = v_{0}[1:3]" in latex(t) and t.title == "picks at x=(4) [1, 2, 3, …]"


def test_constants_dead_code_and_trivial_outputs():
    def with_constant_and_dead_code(o, x):
        o.exp(x)                   # never used: left out of the trace
        return 4 * x * (1 - x)
    t = trace_function(with_constant_and_dead_code, (0.2,), "forward")
    assert [primal_formula(t, r) for r in t.rows] == ["v0 = x", "v1 = 4 × v0", "v2 = 1 − v0", "v3 = v1 × v2"]
    assert _close(t.derivatives[0], 4 - 8 * 0.2)
    identity = trace_function(lambda o, x: x, (3.0,), "reverse")
    assert identity.output == Ref(0) and identity.derivatives == [1.0]
    constant = trace_function(lambda o, x: 7.0, (3.0,), "reverse")
    assert constant.value == 7.0 and constant.derivatives == [0.0]
    assert "y = 7" in markdown(constant)


def test_array_case_compact_and_correct(cases):
    case = cases["log_quadratic"]
    t = trace_case(case, "reverse", {"n": 2})
    inputs = case.inputs(0, case.params(2), 0)
    x, A = inputs["x"], inputs["A"]
    expected = 2 * A @ x / (x @ A @ x)                      # the case's published answer
    np.testing.assert_allclose(t.derivatives[0], expected, rtol=1e-13)
    assert primal_formula(t, t.row(1)) == "v1 = A v0"      # the data input is shown by name
    md = markdown(t)
    assert "(2) \\[" in md and "∂v2 / ∂v0" in md


def test_long_traces_are_refused_with_a_clear_message(cases):
    with pytest.raises(TraceTooLong, match=r"more than the limit of 5.*--max-rows"):
        trace_case(cases["logistic"], "forward", {"n": 4}, max_rows=5)


def test_markdown_is_a_well_formed_table(survey):
    md = markdown(survey["reverse"])
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    assert sum(t.type == "table_open" for t in tokens) == 1
    assert sum(t.type == "tr_open" for t in tokens) == 1 + 7 + 2        # header, v-1..v5, x̄1 and x̄2
    assert sum(t.type in ("th_open", "td_open") for t in tokens) == 4 * 10
    assert "| v2 = v-1 × v0 | 10 |" in md and "**1.71634**" in md and "11.6521" in md


def _balanced(text):
    depth = 0
    for ch in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def test_latex_is_a_well_formed_booktabs_tabular(survey):
    tex = latex(survey["forward"])
    lines = tex.strip().splitlines()
    assert lines[1] == r"\begin{tabular}{lrlr}" and lines[-1] == r"\end{tabular}"
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert _balanced(tex)
    body = [line for line in lines if line.startswith("$")]
    assert len(body) == 8
    for line in body:
        assert line.endswith(r"\\") and len(re.findall(r"(?<!\\)&", line)) == 3
        assert len(re.findall(r"(?<!\\)\$", line)) % 2 == 0
    assert r"$v_{2} = v_{-1} \times v_{0}$ & $10$" in tex
    assert r"$\dot{y} = \dot{v}_{5}$ & $5.5$" in tex


def test_latex_escapes_odd_names_and_small_numbers():
    t = trace_function(lambda o, a: a * 1e-20, (2.0,), "forward", names=["rate_%&$#{}"])
    tex = latex(t)
    assert _balanced(tex)
    assert r"\mathrm{rate\_\%\&\$\#\{\}}" in tex
    assert r"2 \times 10^{-20}" in tex
    assert LATEX.number(float("nan"), 6) == r"\mathrm{NaN}"


def test_svg_is_xml_and_escapes_labels(survey):
    root = ET.fromstring(trace_svg(survey["reverse"]))
    assert root.tag == f"{SVG}svg"
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert "v2 = v-1 × v0" in texts and "= 11.65" in texts and "v\u0304-1 = 5.5" in texts
    assert len(root.findall(f".//{SVG}rect")) == 7
    assert len(root.findall(f"{SVG}path")) == 8                        # one arrow per dependency
    evil = '<script>alert("x")</script>&'
    svg = trace_svg(trace_function(lambda o, a: o.exp(a), (0.0,), "forward", names=[evil], title=evil))
    root = ET.fromstring(svg)
    assert not any(e.tag.endswith("script") for e in root.iter())
    assert f"v0 = {evil}" in [e.text for e in root.iter(f"{SVG}text")]
    assert "<script>" not in svg


def test_cli_prints_each_format_and_writes_svg(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["trace", "trace_example", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "| v3 = sin v0 | -0.958924 |" in result.output and "**5.5**" in result.output
    svg = tmp_path / "g.svg"
    result = runner.invoke(main, ["trace", "trace_example", "--mode", "reverse", "--svg", str(svg)])
    assert result.exit_code == 0, result.output
    assert "Adjoint trace" in result.output and "1.71634" in result.output
    ET.parse(svg)
    result = runner.invoke(main, ["trace", "trace_example", "--format", "tex", "--point", "1,2", "--direction", "0,1"])
    assert result.exit_code == 0 and r"\dot{x}_{2} = 1" in result.output
    assert f"{1 - np.cos(2.0):.6g}" in result.output                       # ∂y/∂x2 = x1 - cos x2 at (1, 2)
    result = runner.invoke(main, ["trace", "logistic", "--param", "n=4", "--format", "md"])
    assert result.exit_code == 0 and "9.06609" in result.output           # the case's note: l4'(0.2) = 9.0660864


@pytest.mark.parametrize("args, message", [
    (["trace", "nope"], "no case 'nope'"),
    (["trace", "trace_example", "--point", "1,2,3"], "the point has 3"),
    (["trace", "trace_example", "--point", "-1,5"], "must be > 0"),
    (["trace", "trace_example", "--point", "a,b"], "expected numbers"),
    (["trace", "trace_example", "--mode", "reverse", "--direction", "1,0"], "forward mode only"),
    (["trace", "logistic", "--param", "m=3"], "takes n=VALUE"),
    (["trace", "logistic", "--param", "n=8", "--max-rows", "10"], "--max-rows 22"),
])
def test_cli_refuses_bad_input_clearly(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output


def test_run_stores_traces_the_report_reads(tmp_path, cases):
    chosen = {k: cases[k] for k in ("trace_example", "logistic", "sigmoid")}
    assert write_traces(tmp_path, chosen, seed=0, mode="quick") == []
    stored = {t["case"]: t for t in read_traces(tmp_path)}
    assert set(stored) == {"trace_example", "logistic"}                     # sigmoid's y is a vector
    assert stored["logistic"]["params"] == "n=4"                            # the first quick n with a few operations
    assert stored["trace_example"]["reverse"]["footer"][1][2:] == ["x\u03042 = v\u03040", "1.71634"]
    ET.fromstring(stored["trace_example"]["svg"])
    assert "| v2 = v-1 × v0 | 10 |" in (tmp_path / "traces" / "trace_example.md").read_text(encoding="utf-8")
    # the report inlines the SVG, so anything but plain trace_svg output is dropped
    (tmp_path / "traces" / "logistic.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    assert [t["case"] for t in read_traces(tmp_path)] == ["trace_example"]
    assert json.loads((tmp_path / "traces" / "index.json").read_text()) == ["trace_example", "logistic"]


def test_report_section_renders_stored_traces(tmp_path, cases):
    from diffbench.report.html import environment
    from diffbench.report.run import Run
    from diffbench.report.sections import traces

    write_traces(tmp_path, {"trace_example": cases["trace_example"]})
    ctx = traces(Run(tmp_path, {}, {}))
    assert [f.name for f in ctx["figures"]] == ["trace_01_trace-example"]
    html = environment().get_template("sections.html.j2").module.traces(ctx)
    assert "Adjoint trace" in html and "v2 = v-1 × v0" in html and "<svg" in html
    assert traces(Run(tmp_path / "empty", {}, {})) is None
