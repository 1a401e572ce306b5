"""diffbench.compare: exact inputs, the reference against closed forms, the domain edge, the notebook view, files."""
import html.parser
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import diffbench
from diffbench.case import Case
from diffbench.exact import InputError, exact_inputs

MP = mpmath.MPContext()   # NB: its own context, at 60 digits
MP.dps = 60


def log_sin(o, x):
    return o.log(x) * o.sin(x)


def log_sin_gradient(x):          # closed form, at any precision
    return MP.cos(x) * MP.log(x) + MP.sin(x) / x


def test_log_sin_at_exact_point_three():
    result = diffbench.compare(lambda o, x: o.log(x) * o.sin(x), x="0.3")
    digits = result.table.set_index("method")["correct_digits"]
    for method in ("tape_reverse", "tape_forward", "complex_step"):
        assert digits[method] >= 15, (method, digits[method])
    point = result.evidence[0]
    assert point["kind"] == "point" and point["inputs"]["x"]["values"] == [repr(0.3)]
    # the reference is the derivative at 3/10 exactly, not at the float64 0.299999999999999988898
    exact, rounded = log_sin_gradient(MP.mpf(3) / 10), log_sin_gradient(MP.mpf(0.3))
    assert abs(MP.mpf(point["jacobian_ref"][0]) - exact) < MP.mpf(10) ** -48
    assert abs(MP.mpf(point["jacobian_ref"][0]) - rounded) > MP.mpf(10) ** -17
    expected = -float(MP.log10(abs((rounded - exact) / exact)))     # ≈ 15.64: the rounding's own cost
    assert result.points["inputs_rounding_digits"][0] == pytest.approx(expected, abs=1e-6)
    # a method is scored against the exact value: tape's float64 output at fl(0.3) against 3/10
    tape = result.table.set_index("method").loc["tape_reverse"]
    value = math.cos(0.3) * math.log(0.3) + math.sin(0.3) / 0.3
    assert tape["rel_error"] == pytest.approx(float(abs((MP.mpf(value) - exact) / exact)), rel=0.05, abs=2e-17)


def test_a_float_input_rounds_to_itself():
    result = diffbench.compare(log_sin, x=0.5, methods=["tape_reverse"])
    assert result.points["inputs_rounding_digits"][0] == 50     # nothing was rounded: capped at dps
    assert abs(MP.mpf(result.evidence[0]["jacobian_ref"][0]) - log_sin_gradient(MP.mpf(0.5))) < 1e-48


@pytest.mark.parametrize("value, exact, rounded", [
    ("0.1", MP.mpf(1) / 10, 0.1), (Fraction(1, 3), MP.mpf(1) / 3, 1 / 3), (7, MP.mpf(7), 7.0),
    (MP.mpf("0.2"), MP.mpf("0.2"), 0.2), ("-1.5e-3", MP.mpf("-0.0015"), -0.0015),
    (0.1, MP.mpf(0.1), 0.1)])
def test_exact_and_rounded_values(value, exact, rounded):
    exacts, floats = exact_inputs({"x": value}, 50)
    assert abs(exacts["x"] - exact) < MP.mpf(10) ** -55 * max(1, abs(exact))
    assert float(floats["x"]) == rounded       # correctly rounded, as float() of the decimal rounds


def test_arrays_keep_exact_entries():
    exacts, floats = exact_inputs({"A": [["0.1", Fraction(2, 3)], [1, 2.5]], "v": np.array([1.0, 0.25])}, 50)
    assert floats["A"].shape == (2, 2) and floats["A"][0, 1] == 2 / 3 and floats["v"].dtype == np.float64
    assert abs(exacts["A"][0, 0] - MP.mpf(1) / 10) < MP.mpf(10) ** -60
    assert exacts["v"][1] == MP.mpf(0.25)


@pytest.mark.parametrize("value, words", [("abc", "not a decimal"), (True, "boolean"), (float("nan"), "not finite"),
                                          (1 + 2j, "not a real number"), ([[1, 2], [3]], "nested")])
def test_bad_inputs_say_so_in_one_line(value, words):
    with pytest.raises(InputError, match=words) as error:
        exact_inputs({"x": value}, 50)
    assert "\n" not in str(error.value)


def test_exact_rational_matrix_gives_an_exact_reference():
    # <x, A x> with A = [[1/3, 0], [0, 1/10]] at x = (1, 2): the gradient (A + A^T) x = (2/3, 2/5) exactly
    result = diffbench.compare(lambda o, x, A: o.dot(x, o.matvec(A, x)), methods=["tape_reverse"],
                               x=[1, 2], A=[[Fraction(1, 3), 0], [0, "0.1"]])
    point = result.evidence[0]
    reference = [MP.mpf(v) for v in point["jacobian_ref"]]
    # A is differentiated too: d/dA_ij = x_i x_j = (1, 2, 2, 4)
    for got, want in zip(reference, [MP.mpf(2) / 3, MP.mpf(2) / 5, 1, 2, 2, 4]):
        assert abs(got - want) < MP.mpf(10) ** -48
    # 1/3 and 0.1 do not round exactly: the x-gradient moves by (2 d11, 2 x_2 d22), d = fl(a) - a
    d11, d22 = MP.mpf(1 / 3) - MP.mpf(1) / 3, MP.mpf(0.1) - MP.mpf(1) / 10
    norm = MP.sqrt(sum(w ** 2 for w in [MP.mpf(2) / 3, MP.mpf(2) / 5, 1, 2, 2, 4]))
    expected = -MP.log10(MP.sqrt((2 * d11) ** 2 + (4 * d22) ** 2) / norm)     # ≈ 17.07
    assert result.points["inputs_rounding_digits"][0] == pytest.approx(float(expected), abs=1e-6)


def test_log_near_the_domain_edge():
    x = 0.001
    result = diffbench.compare(lambda o, x: o.log(x), x="0.001",
                               methods=["fd_central", "fd_central4", "fd_forward", "tape_reverse"])
    rows = result.table.set_index("method")
    # central's own step h = eps^(1/3) stays inside x > 0: its error is the truncation h^2 f'''/(6 f') = h^2/(3x^2)
    h = rows.loc["fd_central", "step_h"]
    assert h == pytest.approx(np.finfo(float).eps ** (1 / 3))
    assert rows.loc["fd_central", "rel_error"] == pytest.approx(h ** 2 / (3 * x ** 2), rel=0.02)
    # ... and its sweep is kept for the steps that stay inside (x - h > 0); forward's reaches 0.1
    sweep = result.fd_sweep
    assert sweep[sweep["scheme"] == "central"]["h"].max() < x
    assert sweep[sweep["scheme"] == "forward"]["h"].max() == pytest.approx(0.1)
    assert len(sweep[sweep["scheme"] == "central"]) >= 40
    # the 5-point stencil (h = eps^(1/5) ≈ 7.4e-4, x - 2h < 0) leaves the domain: the one-sided fallback
    assert rows.loc["fd_central4", "limit"] == "domain"
    assert "redone one-sided (forward)" in rows.loc["fd_central4", "message"]
    forward_h = np.sqrt(np.finfo(float).eps)        # forward's own step, error h/(2x)
    assert rows.loc["fd_central4", "rel_error"] == pytest.approx(forward_h / (2 * x), rel=0.02)
    assert rows.loc["tape_reverse", "correct_digits"] >= 15


def test_central_differences_fall_back_one_sided_at_1e_7():
    result = diffbench.compare(lambda o, x: o.log(x), x="1e-7", methods=["fd_central"])
    row = result.table.iloc[0]
    assert row["status"] == "ok" and row["limit"] == "domain" and "redone one-sided" in row["message"]


def test_a_case_with_a_hand_written_gradient():
    right = Case.from_function(log_sin, inputs={"x": "0.3"}, analytic=lambda x: [np.cos(x) * np.log(x) + np.sin(x) / x])
    wrong = Case.from_function(log_sin, inputs={"x": "0.3"}, analytic=lambda x: [np.cos(x) * np.log(x)])
    assert diffbench.compare(right).table.set_index("method").loc["analytic", "correct_digits"] >= 15
    # the missing term sin(x)/x: relative error |sin(0.3)/0.3 / J|, from the closed form
    expected = float(abs(MP.sin(0.3) / 0.3 / log_sin_gradient(MP.mpf(3) / 10)))
    got = diffbench.compare(wrong, methods=["analytic"]).table.iloc[0]["rel_error"]
    assert got == pytest.approx(expected, rel=1e-9)


def test_compare_a_library_case_at_a_given_point():
    from diffbench.case import load_cases
    case = load_cases()["log_near_edge"]
    result = diffbench.compare(case, x="0.5", methods=["tape_reverse"])
    assert MP.mpf(result.evidence[0]["jacobian_ref"][0]) == 2
    with pytest.raises(InputError, match="no input y"):
        diffbench.compare(case, y=1.0)


def test_usage_errors():
    with pytest.raises(ValueError, match="unknown method"):
        diffbench.compare(log_sin, x=0.3, methods=["nope"])
    with pytest.raises(ValueError, match="at least 30 digits"):
        diffbench.compare(log_sin, x=0.3, dps=10)
    with pytest.raises(InputError, match="give f's inputs"):
        diffbench.compare(log_sin)


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_repr_html_is_escaped():
    case = Case.from_function(log_sin, inputs={"x": "0.3"}, name="<script>alert(1)</script>")
    page = diffbench.compare(case, methods=["tape_reverse", "fd_central"])._repr_html_()
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    parser = _Tags()
    parser.feed(page)
    assert set(parser.tags) <= {"div", "p", "b", "code", "small", "table", "thead", "tbody", "tr", "th", "td"}


def scaled_sin(o, x, n):
    return n * o.sin(x)


def test_repr_html_stays_under_20_kb_for_a_big_result():
    case = Case.from_function(scaled_sin, inputs={"x": "0.5"}, sweep={"n": tuple(range(1, 41))})
    methods = ["tape_reverse", "tape_forward", "fd_central", "fd_forward", "fd_backward", "complex_step"]
    result = diffbench.run([case], methods=methods)
    assert len(result.table) == 240
    page = result._repr_html_()
    assert len(page.encode()) <= 20_000
    assert "more rows in <code>.table</code>" in page
    # d/dx n sin x = n cos x at x = 1/2 exactly
    last = [line for line in result.evidence if line["kind"] == "point" and line["param"] == "n=40"][0]
    assert abs(MP.mpf(last["jacobian_ref"][0]) - 40 * MP.cos(MP.mpf("0.5"))) < MP.mpf(10) ** -47


def test_plots_draw_the_tables():
    result = diffbench.compare(log_sin, x="0.3", methods=["fd_forward", "fd_central", "tape_reverse"])
    figure = result.plot_fd()
    lines = {line.get_label(): line for line in figure.axes[0].get_lines()}
    central = result.fd_sweep[result.fd_sweep["scheme"] == "central"].sort_values("h")
    assert np.array_equal(lines["central"].get_xdata(), central["h"].to_numpy(float))
    assert min(lines["central"].get_ydata()) < 1e-9        # central reaches below 1e-9 at its best step
    swell = result.plot_swell()
    assert len(swell.axes[0].patches) == len(result.tables["swell"])


def test_to_csv_load_and_report(tmp_path):
    result = diffbench.compare(log_sin, x="0.3", methods=["fd_central", "tape_reverse"])
    folder = result.to_csv(tmp_path / "run")
    loaded = diffbench.load(folder)
    # NB: a column empty in every row is not written (COLUMNS.md); loading gives it back, empty
    written = loaded.table.dropna(axis=1, how="all")
    assert written.to_csv(index=False) == (folder / "results.csv").read_text()
    assert written.to_csv(index=False) == result.table[list(written.columns)].to_csv(index=False)
    assert loaded.points["inputs_rounding_digits"][0] == result.points["inputs_rounding_digits"][0]
    with pytest.raises(FileExistsError, match="already holds"):
        result.to_csv(folder)
    page = result.report(tmp_path / "page.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "run"]
    text = page.read_text()
    assert "tape_reverse" in text and "<svg" in text
