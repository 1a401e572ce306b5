"""The notes' LaTeX as terminal text: constructs checked one by one, and on the library's own notes."""
import re

import pytest

from diffbench.case import load_case_file
from diffbench.latex_text import latex_to_text, math_to_text, subscript, superscript
from diffbench.runner.catalog import case_files


def _notes() -> dict:
    return {case.name: case.note for path in case_files(()) for case in load_case_file(path)}


@pytest.mark.parametrize("latex, text", [
    (r"\langle x, Ax \rangle", "⟨x, Ax⟩"),
    (r"\langle (A + A^T)x - b, dx\rangle", "⟨(A + Aᵀ)x - b, dx⟩"),
    (r"X \in \mathbb{R}^{5\times 3}", "X ∈ ℝ^(5×3)"),
    (r"\langle x, Ax\rangle", "⟨x, Ax⟩"),
    (r"\frac{a}{b}", "a/b"),
    (r"\frac15", "1/5"),
    (r"\frac{x + 1}{2y}", "(x + 1)/(2y)"),
    (r"1 + \frac{1}{2\sqrt{v_2}}", "1 + 1/(2√v₂)"),
    (r"\frac1m\sum_i a_i", "(1/m)Σᵢ aᵢ"),
    (r"\sum_{j=1}^{l} e^{a_j}", "Σⱼ₌₁ˡ e^aⱼ"),
    (r"\log\det X", "log det X"),
    (r"x^{2} + y^2", "x² + y²"),
    (r"a^{(L-1)}", "a⁽ᴸ⁻¹⁾"),
    (r"X^{-T}", "X⁻ᵀ"),
    (r"x^\top A x", "xᵀ A x"),
    (r"a \cdot b", "a · b"),
    (r"\sigma(z) = 1/(1 + e^{-z})", "σ(z) = 1/(1 + e⁻ᶻ)"),
    (r"\alpha \approx 1.6733", "α ≈ 1.6733"),
    (r"\lambda\alpha e^z", "λαeᶻ"),
    (r"\nabla f", "∇f"),
    (r"\partial C_0/\partial w", "∂C₀/∂w"),
    (r"\delta_{ij}", "δᵢⱼ"),
    (r"\|W_i - W_j\|^2", "‖Wᵢ - Wⱼ‖²"),
    (r"a \in \mathbb{R}^{10}", "a ∈ ℝ¹⁰"),
    (r"\mathrm{ReLU}'(z) = I[z > 0]", "ReLU′(z) = I[z > 0]"),
    (r"\bar v_2", "v̄₂"),
    (r"\left(1 + \tanh u\right)", "(1 + tanh u)"),
    (r"e^{a_y}", "e^(a_y)"),                    # y has no subscript letter: kept apart, not run together
    (r"V_{ij} \ne V_{ji}", "Vᵢⱼ ≠ Vⱼᵢ"),
    (r"\mathrm{ELU}_\alpha(z)", "ELU_α(z)"),
])
def test_constructs(latex, text):
    assert math_to_text(latex) == text


def test_scripts_fall_back_to_carets_where_unicode_has_no_glyph():
    assert superscript("2") == "²" and superscript("n+1") == "ⁿ⁺¹" and superscript("q") == "^q"
    assert superscript("a + q") == "^(a + q)" and subscript("ij") == "ᵢⱼ" and subscript("W1") == "_W1"


def test_only_math_spans_change():
    assert latex_to_text(r"Find $\nabla_X \log\det X$. Answer: $X^{-T}$.") == "Find ∇_X log det X. Answer: X⁻ᵀ."
    assert latex_to_text("(e^x - 1)/x near 0, no maths here") == "(e^x - 1)/x near 0, no maths here"
    assert latex_to_text(r"$$\sum_k x_k$$ done") == "Σₖ xₖ done"


def test_the_librarys_notes_read_as_maths():
    notes = {name: latex_to_text(note) for name, note in _notes().items()}
    assert notes["log_quadratic"] == ("Find ∇ₓ ln ⟨x, Ax⟩ for symmetric positive definite A. "
                                      "Answer: 2Ax / ⟨x, Ax⟩.")
    assert notes["logdet"] == "Find ∇_X log det X. Answer: X⁻ᵀ."
    assert notes["logistic"] == ("Differentiate lₙ(x) with l₁ = x, lₙ₊₁ = 4 lₙ (1 - lₙ). "
                                 "At x = 0.2: l₄ = 0.28901376, l₄′ = 9.0660864.")
    assert "∂sᵢ / ∂zⱼ = sᵢ(δᵢⱼ - sⱼ), i.e. diag(s) - s sᵀ" in notes["softmax"]
    assert "f(x, y) = (xy(x² - y²))/(x² + y²) for (x, y) ≠ (0, 0)" in notes["schwarz"]
    assert "σ(z) = 1/(1 + e⁻ᶻ)" in notes["sigmoid"]
    assert "-a_y + maxⱼ aⱼ + log Σⱼ e^(aⱼ - maxⱼ aⱼ)" in notes["cross_entropy_stable"]
    assert "‖Wᵢ - Wⱼ‖²" in notes["mds"] and "a ∈ ℝ¹⁰" in notes["cross_entropy_naive"]


def test_no_notes_keep_raw_latex():
    for name, note in _notes().items():
        text = latex_to_text(note or "")
        assert not re.search(r"\\[A-Za-z]|\\[,|{}]|\$", text), (name, text)
        assert "{" not in text or "{" in re.sub(r"\$[^$]*\$", "", note or ""), (name, text)   # braces were grouping
