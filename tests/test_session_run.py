"""The session's run still covers what the record tests need: every seed family, both points, every default method."""
from diffbench.case import load_cases
from diffbench.methods import DEFAULT_METHODS

from conftest import SEED_CASES, SESSION_VALUES


def test_session_run_covers_every_seed_family_method_and_point(default_results):
    families = {case.family for name, case in load_cases().items() if name in SEED_CASES}
    assert set(default_results["family"]) == families
    assert set(default_results["case"]) == set(SEED_CASES)
    assert set(default_results["method"]) == set(DEFAULT_METHODS)
    for name, rows in default_results.groupby("case"):
        assert set(rows["point"].dropna().astype(int)) == set(range(load_cases()[name].points)), name
    for name, values in SESSION_VALUES.items():
        sizes = set(default_results[default_results["case"] == name]["sweep_value"].astype(int))
        assert sizes == set(values), name


def test_session_run_reaches_the_random_direction_regime(default_results):
    wide = default_results[(default_results["n_inputs"] > 64) & (default_results["method"] == "fd_central")]
    assert len(wide) and set(default_results.loc[wide.index, "ref_route2"]) == {"directional k=3"}
    assert (default_results[default_results["case"] == "logistic"]["n"] == 8).any()
