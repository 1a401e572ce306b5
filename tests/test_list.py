"""`diffbench list` piped at 80 and 120 columns: no line too wide, nothing cut, plain text, Unicode maths."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from diffbench.case import load_case_file
from diffbench.list_cli import input_shapes
from diffbench.latex_text import latex_to_text
from diffbench.methods import REGISTRY
from diffbench.runner.catalog import case_files

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))
CASES = {case.name: case for path in case_files(()) for case in load_case_file(path)}


def _listing(width: int, *args) -> str:
    env = {**os.environ, "COLUMNS": str(width)}
    done = subprocess.run([DIFFBENCH, "list", *args], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module", params=[80, 120], ids=["80 columns", "120 columns"])
def listing(request) -> tuple[int, str]:
    return request.param, _listing(request.param, "--notes")


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _cells(output: str, title: str) -> list[list[str]]:
    """The rows of a piped (ASCII) table: each row's cells, the lines a wrapped cell spans joined. NB: cells
    are cut at the column rule's positions (|---+---|), since a cell may itself hold a "|"."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    body = lines[start + 1:]
    rule_at = next(i for i, line in enumerate(body) if line.startswith("|-"))
    edges = [i for i, ch in enumerate(body[rule_at]) if ch in "|+"]
    rows = []
    for line in body[rule_at + 1:]:
        if line.startswith("+"):
            break
        cells = [line[a + 1:b].strip() for a, b in zip(edges, edges[1:])]
        if cells[0]:
            rows.append([[cell] for cell in cells])
        else:
            for pieces, cell in zip(rows[-1], cells):
                pieces.append(cell)
    return [[" ".join(p for p in pieces if p) for pieces in row] for row in rows]


def test_no_line_is_wider_than_the_terminal(listing):
    width, out = listing
    too_wide = [line for line in out.splitlines() if cell_len(line) > width]
    assert not too_wide, too_wide[:3]


def test_piped_output_is_plain_text(listing):
    _, out = listing
    assert "\x1b[" not in out
    assert not set(out) & set("┏┓┗┛━┃│─┡┩╇╋")     # no box-drawing characters either


def test_every_case_and_method_is_listed_whole(listing):
    width, out = listing
    lines = out.splitlines()
    for name in CASES:
        assert any(re.match(rf"^(\| )?{re.escape(name)}\b", line) for line in lines), name
    for name in REGISTRY:
        assert any(re.match(rf"^(\| )?{re.escape(name)}\b", line) for line in lines), name
    if width >= 100:      # a table: each cell, put back together from its wrapped lines, holds its whole text
        cases = {row[0]: row for row in _cells(out, "cases")}
        for name, case in CASES.items():
            assert _squeezed(cases[name][3]) == _squeezed(input_shapes(case)), name
            assert cases[name][2] == ", ".join(case.wrt), name
        methods = {row[0]: row for row in _cells(out, "methods")}
        for name, entry in REGISTRY.items():
            assert _squeezed(methods[name][2]) == _squeezed(entry.description), name
    else:                 # one paragraph a case: everything it says is there
        text = _squeezed(out)
        for name, case in CASES.items():
            assert _squeezed(f"{name} ({case.family}): differentiates {', '.join(case.wrt)}; "
                             f"inputs {input_shapes(case)};") in text, name
        for entry in REGISTRY.values():
            assert _squeezed(entry.description) in text


def test_every_note_is_printed_in_full_as_unicode_maths(listing):
    _, out = listing
    text = _squeezed(out)
    for name, case in CASES.items():
        assert _squeezed(latex_to_text(case.note or "(no note)")) in text, name
    assert not re.search(r"\\[A-Za-z]", out), re.search(r".{30}\\[A-Za-z].{30}", out)
    assert "⟨x, Ax⟩" in out and "log det X" in out and "σ(z)" in out


def test_the_maths_in_a_terminal_reads_as_in_the_notes():
    out = _listing(80, "--notes")
    block = out[out.index("\nlog_quadratic\n"):]
    assert block.splitlines()[2].startswith("Find ∇ₓ ln ⟨x, Ax⟩ for symmetric positive definite A.")
