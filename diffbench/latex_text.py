"""The LaTeX maths of case notes as plain Unicode text for a terminal: $\\langle x, Ax\\rangle$ -> ⟨x, Ax⟩."""
from __future__ import annotations

import re

GREEK = {name: chr(code) for name, code in (
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5), ("varepsilon", 0x3B5),
    ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9), ("kappa", 0x3BA), ("lambda", 0x3BB),
    ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE), ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4),
    ("upsilon", 0x3C5), ("phi", 0x3C6), ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9),
    ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B), ("Xi", 0x39E), ("Pi", 0x3A0),
    ("Sigma", 0x3A3), ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9))}

SYMBOLS = {
    **GREEK, "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π", "int": "∫", "odot": "⊙", "otimes": "⊗",
    "times": "×", "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…", "approx": "≈", "sim": "∼", "in": "∈",
    "ne": "≠", "neq": "≠", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "pm": "±", "infty": "∞", "to": "→",
    "rightarrow": "→", "mapsto": "↦", "top": "ᵀ", "langle": "⟨", "rangle": "⟩", "|": "‖", "Vert": "‖",
    "mid": "|", ",": " ", ";": " ", ":": " ", " ": " ", "quad": "  ", "qquad": "    ", "!": "", "{": "{",
    "}": "}", "_": "_", "%": "%", "$": "$", "#": "#", "&": "&", "prime": "′", "circ": "∘", "star": "⋆",
}
# Named functions print as their names; a space keeps them apart from what follows (\log\det X: "log det X").
FUNCTIONS = {"log", "ln", "exp", "det", "max", "min", "sup", "inf", "sin", "cos", "tan", "sinh", "cosh", "tanh",
             "arg", "lim", "tr", "diag", "sgn"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼"}
ACCENTS = {"bar": "\u0304", "overline": "\u0304", "hat": "\u0302", "tilde": "\u0303", "vec": "\u20d7",
           "dot": "\u0307"}
# Symbols that read as letters: the space after them in the source is TeX's, not the reader's.
LETTERS = {*GREEK, "partial", "nabla", "langle", "sum", "prod", "int"}
PLAIN_TEXT = {"mathrm", "text", "textrm", "operatorname", "mathit", "mathbf", "boldsymbol", "mathsf", "mathcal"}

_SUPER = dict(zip("0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδφ",
                  "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵠ"))
_SUB = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ,", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ,"))
_ALREADY_SUPER, _ALREADY_SUB = set(_SUPER.values()) | {"′"}, set(_SUB.values())
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


def latex_to_text(text: str) -> str:
    """Text with each $...$ (and $$...$$) math span rewritten as Unicode; the prose around it is kept."""
    return _MATH.sub(lambda m: math_to_text(m.group(1) if m.group(1) is not None else m.group(2)), text)


def math_to_text(source: str) -> str:
    """One LaTeX math expression as Unicode text: \\frac{a}{b} -> a/b, x^{2} -> x², \\sigma -> σ, ..."""
    text = re.sub(r"  +", " ", _Reader(source).run())
    text = re.sub(r"⟨ +", "⟨", re.sub(r" +⟩", "⟩", text))        # TeX drops the spaces inside ⟨ ... ⟩
    return re.sub(r"(\S)([×·]) (\S)", r"\1\2\3", text).strip()   # 3\times 5: 3×5, as the source's left side


def superscript(text: str) -> str:
    """text raised: Unicode superscripts where every character has one, else ^text or ^(text)."""
    if text and all(ch in _SUPER or ch in _ALREADY_SUPER for ch in text):
        return "".join(_SUPER.get(ch, ch) for ch in text)
    return "^" + _grouped(text)


def subscript(text: str) -> str:
    """text lowered: Unicode subscripts where every character has one, else _text or _(text)."""
    if text and all(ch in _SUB or ch in _ALREADY_SUB for ch in text):
        return "".join(_SUB.get(ch, ch) for ch in text)
    return "_" + _grouped(text)


def _grouped(text: str, product: bool = False) -> str:
    """text as one operand: parenthesised when it has spaces, operators or scripts (a + b -> (a + b)); with
    product, also a product such as 2√v (a denominator): only a number or one symbol stays bare."""
    if len(text) <= 1 or (product and re.fullmatch(r"[0-9.]+|[^\W\d_][^\s+\-−=/,<>()_^]*", text)
                          and not re.search(r"[√(]", text) and not re.fullmatch(r"[0-9.]+[^0-9.].*", text)):
        return text
    if product or re.search(r"[\s+\-−=/,<>_^]", text):
        return f"({text})"
    return text


class _Reader:
    """A small recursive reader over one math expression (NB: no environments, no \\begin ... \\end)."""

    def __init__(self, source: str):
        self.source, self.at = source, 0

    def run(self, closing: str | None = None) -> str:
        out = []
        while self.at < len(self.source):
            ch = self.source[self.at]
            if ch == closing:
                self.at += 1
                break
            out.append(self.atom())
        return "".join(out)

    def atom(self) -> str:
        ch = self.source[self.at]
        self.at += 1
        if ch == "{":
            return self.run("}")
        if ch == "\\":
            return self.command()
        if ch == "^":
            return superscript(self.argument())
        if ch == "_":
            return subscript(self.argument())
        if ch == "'":
            return "′"
        return "" if ch == "}" else ch

    def argument(self) -> str:
        """The next argument of a command or script: a {group}, a \\command or one character."""
        while self.at < len(self.source) and self.source[self.at] == " ":
            self.at += 1
        if self.at >= len(self.source):
            return ""
        return self.atom()

    def command(self) -> str:
        match = re.compile(r"[A-Za-z]+|.", re.S).match(self.source, self.at)
        if match is None:
            return ""
        name = match.group(0)
        self.at = match.end()
        if name == "frac":
            top, bottom = self.argument(), self.argument()
            fraction = f"{_grouped(top)}/{_grouped(bottom, product=True)}"
            following = self.source[self.at:].lstrip()[:1]   # \frac1m\sum_i: (1/m)Σᵢ, not 1/mΣᵢ
            return f"({fraction})" if following.isalnum() or following in ("\\", "(") else fraction
        if name == "sqrt":
            return "√" + _grouped(self.argument())
        if name in PLAIN_TEXT:
            return self.argument()
        if name == "mathbb":
            return "".join(BLACKBOARD.get(ch, ch) for ch in self.argument())
        if name in ACCENTS:
            inner = self.argument()
            return inner + ACCENTS[name] if len(inner) == 1 else f"{inner}{ACCENTS[name]}"
        if name in ("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"):
            return ""                       # the delimiter that follows prints as itself
        if name in FUNCTIONS:
            following = self.source[self.at:self.at + 1]
            return name + (" " if following.isalnum() or following == "\\" else "")
        if name in LETTERS and re.match(r" [A-Za-z0-9]", self.source[self.at:self.at + 2]):
            self.at += 1                    # as TeX does: \nabla f is ∇f, \langle x is ⟨x
        return SYMBOLS.get(name, name)      # NB: an unknown command prints as its bare name
