"""examples/compare_a_function.ipynb executed top to bottom on a real Jupyter kernel (nbclient), its outputs checked."""
import os
import re
from pathlib import Path

import nbclient
import nbformat
import pytest

import diffbench

NOTEBOOK = Path(__file__).parent.parent / "examples" / "compare_a_function.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # NB: the kernel imports the diffbench these tests import (a checkout on PYTHONPATH or the installed one)
    source_root = str(Path(diffbench.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")]))}
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}})
    client.execute(env=env)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def outputs_of(cells, source_start: str) -> list:
    (cell,) = [c for c in cells if c.source.startswith(source_start)]
    return cell.outputs


def text_of(outputs) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)


def test_every_cell_ran_without_an_error(executed):
    assert all(o.output_type != "error" for cell in executed for o in cell.outputs)
    assert all(cell.execution_count for cell in executed)


def test_the_comparison_displays_itself(executed):
    (shown,) = outputs_of(executed, "result = diffbench.compare")
    page = shown["data"]["text/html"]
    assert len(page.encode()) <= 20_000 and "tape_reverse" in page and "complex_step" in page
    assert "x = 0.3" in page      # the exact input, as given


def test_the_table_shows_tape_and_complex_step_at_15_digits(executed):
    text = text_of(outputs_of(executed, 'result.table[["method"'))
    digits = {m: float(v) for m, v in re.findall(r"^\d+\s+(\w+)\s+([-\d.]+)", text, flags=re.M)}
    assert digits["tape_reverse"] >= 15 and digits["tape_forward"] >= 15 and digits["complex_step"] >= 15
    assert digits["fd_forward"] < 9       # forward differences keep about half the digits


def test_the_sweep_is_a_figure_and_central_beats_forward(executed):
    (figure,) = outputs_of(executed, "result.plot_fd()")
    assert "image/png" in figure["data"]
    best = {s: float(e) for s, e in re.findall(r"^\d+\s+(\w+)\s+\S+\s+(\S+)$", text_of(outputs_of(executed, "best =")),
                                                flags=re.M)}
    assert best["central"] < 1e-9 < best["forward"] < 1e-6


def test_the_domain_edge_is_named(executed):
    text = text_of(outputs_of(executed, "edge = "))
    assert re.search(r"fd_central\s+[\d.]+\s+domain", text)


def test_the_hand_written_gradients_are_told_apart(executed):
    text = text_of(outputs_of(executed, "def my_gradient"))
    right, wrong = (float(v) for v in re.findall(r"analytic ([-\d.]+) digits", text))
    assert right >= 15 and wrong < 1


def test_the_exact_rational_input(executed):
    text = text_of(outputs_of(executed, "from fractions import Fraction"))
    assert "reference derivative: 3.2000000000000000000000000000000000000000000000000" in text
