"""The command a run records (meta.json, the report's header) is what was typed, defaults left out."""
import pytest

from diffbench.cli import command_line, run


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # NB: making the context checks (and creates) the default --out folder, reports/


def _recorded(args):
    return command_line(run.make_context("run", list(args)))


def test_defaults_are_not_written_even_when_their_type_converts_them():
    # --precision's default "float64" becomes ("float64",): still the default, so not part of the command
    assert _recorded(["--quick"]) == ["diffbench", "run", "--quick"]


def test_a_list_valued_option_is_written_as_it_is_typed():
    words = _recorded(["--quick", "--seed", "3", "--precision", "float32,float64", "--order", "2"])
    assert words[:3] == ["diffbench", "run", "--quick"]
    assert words == ["diffbench", "run", "--quick", "--seed", "3", "--order", "2", "--precision", "float32,float64"]


def test_typing_a_default_value_explicitly_keeps_it_out_too():
    assert _recorded(["--quick", "--seed", "0", "--budget", "5"]) == ["diffbench", "run", "--quick"]
