"""`diffbench bench` and `diffbench experiment` run on tiny sizes and print/write what they promise."""
import json

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from diffbench import bench
from diffbench.cli import main


def test_bench_prints_ratios_for_tiny_sizes(tmp_path):
    csv = tmp_path / "ratios.csv"
    result = CliRunner().invoke(main, ["bench", "--sizes", "logistic=2;log_quadratic=3", "--skip-runs",
                                       "--skip-startup", "--rounds", "1", "--min-batch", "0.001", "--csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert "grad/f" in result.output and "tape/torch" in result.output
    table = pd.read_csv(csv)
    assert list(table["param"]) == ["n=2", "n=3"]
    for column in ("grad/f", "tape/torch", "hvp/grad", "torch hvp/grad"):
        assert (table[column] > 0).all()
    # a gradient sweep records and replays the function, so it costs more than one plain evaluation
    assert (table["grad/f"] > 1).all()


def test_parse_sizes_names_the_bad_part():
    assert bench.parse_sizes("mds=50,200; logistic=8") == {"mds": (50, 200), "logistic": (8,)}
    with pytest.raises(click.BadParameter, match="nope"):
        bench.parse_sizes("nope=3")
    with pytest.raises(click.BadParameter, match="integers"):
        bench.parse_sizes("mds=big")


def test_missed_targets_apply_where_the_issue_sets_them():
    table = pd.DataFrame([
        {"case": "mds", "param": "N=1000", "largest": True, "grad/f": 3.0, "tape/torch": 0.5, "hvp/grad": 2.0},
        {"case": "mds", "param": "N=50", "largest": False, "grad/f": 9.0, "tape/torch": 1.2, "hvp/grad": 9.0},
    ])
    lines = bench.missed_targets(table)
    assert lines == ["mds N=1000: grad/f = 3.00 > 2.5 (20% over)", "mds N=50: tape/torch = 1.20 > 1 (20% over)"]


def test_experiment_command_writes_csv_svg_and_meta_into_new_folders(tmp_path):
    for _ in range(2):
        result = CliRunner().invoke(main, ["experiment", "schwarz", "--out", str(tmp_path), "--seed", "4"])
        assert result.exit_code == 0, result.output
        assert "mixed_partials_differ" in result.output
    folders = sorted((tmp_path / "schwarz").iterdir())
    assert len(folders) == 2   # never overwritten
    for folder in folders:
        table = pd.read_csv(folder / "schwarz.csv")
        tape = table[table["method"].str.contains("tape")].iloc[0]
        assert (tape["dy_dfdx"], tape["dx_dfdy"]) == (0.0, 0.0)   # the tape's rules give 0 for both at the origin
        assert (folder / "schwarz.svg").read_text().lstrip().startswith("<?xml")
        assert "mixed_partials_differ" in (folder / "summary.csv").read_text()
        meta = json.loads((folder / "meta.json").read_text())
        assert meta["kind"] == "experiment" and meta["seed"] == 4 and meta["exit_code"] == 0


def test_experiment_command_rejects_unknown_names():
    result = CliRunner().invoke(main, ["experiment", "bogus"])
    assert result.exit_code != 0 and "bogus" in result.output
