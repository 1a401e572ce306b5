"""Experiments get the run's seed and cases: `experiment X --seed S` and `run --experiments X --seed S` agree."""
import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from diffbench.cli import main


def hutchinson_alone(out, seed):
    result = CliRunner().invoke(main, ["experiment", "hutchinson", "--quick", "--seed", str(seed), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = (out / "hutchinson").iterdir()
    return folder


def test_experiment_and_run_experiments_give_the_same_numbers_for_a_seed(tmp_path):
    alone = hutchinson_alone(tmp_path / "alone", 3)
    result = CliRunner().invoke(main, ["run", "--quick", "--only", "trace_example", "--methods", "tape_reverse",
                                       "--experiments", "hutchinson", "--seed", "3", "--out", str(tmp_path / "run"),
                                       "--no-report"])
    assert result.exit_code == 0, result.output
    (run_dir,) = (tmp_path / "run").iterdir()
    in_run = pd.read_csv(run_dir / "experiments" / "hutchinson" / "hutchinson.csv")
    pd.testing.assert_frame_equal(pd.read_csv(alone / "hutchinson.csv"), in_run)
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["seed"] == 3 and meta["experiments_used"]["hutchinson"]["seed"] == 3
    assert json.loads((alone / "meta.json").read_text())["seed"] == 3
    other = pd.read_csv(hutchinson_alone(tmp_path / "other", 0) / "hutchinson.csv")
    random = in_run["theory_relative_error"] > 0       # a diagonal Hessian's estimate is exact whatever the seed
    assert not np.allclose(other["rms_relative_error"][random], in_run["rms_relative_error"][random])


def test_resume_runs_an_experiment_the_journal_lacks(tmp_path):
    result = CliRunner().invoke(main, ["run", "--quick", "--only", "trace_example", "--methods", "tape_reverse",
                                       "--experiments", "schwarz", "--seed", "2", "--out", str(tmp_path), "--no-report"])
    assert result.exit_code == 0, result.output
    (run_dir,) = tmp_path.iterdir()
    first = pd.read_csv(run_dir / "experiments" / "schwarz" / "schwarz.csv")
    journal = (run_dir / "journal.jsonl").read_text().splitlines()
    (run_dir / "journal.jsonl").write_text("".join(line + "\n" for line in journal if "experiment|" not in line))
    meta = json.loads((run_dir / "meta.json").read_text())
    (run_dir / "meta.json").write_text(json.dumps({**meta, "status": "interrupted"}))
    (run_dir / "experiments" / "schwarz" / "schwarz.csv").unlink()   # as if it had been stopped half-way
    resumed = CliRunner().invoke(main, ["run", "--resume", str(run_dir), "--no-report"])
    assert resumed.exit_code == 0, resumed.output
    pd.testing.assert_frame_equal(pd.read_csv(run_dir / "experiments" / "schwarz" / "schwarz.csv"), first)
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["status"] == "complete" and meta["experiments_used"]["schwarz"]["seed"] == 2
    assert len((run_dir / "journal.jsonl").read_text().splitlines()) == len(journal)
