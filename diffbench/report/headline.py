"""Headline sentences: per case family, the most accurate and the fastest method of this run."""
from __future__ import annotations

import pandas as pd

from diffbench.report.fmt import seconds

TIE_DIGITS = 0.5  # methods this close to the best mean digits are named as ties


def accuracy_sentence(cells: pd.DataFrame) -> tuple[str, str]:
    """(winner, rest of sentence): best mean over settings of worst-point digits, failures as 0."""
    digits = cells["digits"].where(cells["n_ok"] > 0).fillna(0.0)
    score = digits.groupby(cells["method"], sort=False).mean().sort_values(ascending=False, kind="stable")
    winner, best = score.index[0], score.iloc[0]
    ties = [m for m, d in score.iloc[1:].items() if d >= best - TIE_DIGITS]
    settings = cells[["case", "param"]].drop_duplicates().shape[0]
    text = f"keeps the most correct digits: {best:.1f} on average over {settings} setting{'s' * (settings != 1)} " \
           "(worst point of each; a setting without a result counts as 0)"
    if ties:
        text += f", with {', '.join(ties)} within {TIE_DIGITS} digit"
    return winner, text + "."


def speed_sentence(cells: pd.DataFrame) -> tuple[str, str] | None:
    """(winner, rest of sentence): fastest per-evaluation time in the most settings, ties by median time."""
    timed = cells[(cells["n_ok"] > 0) & cells["eval_time_s"].notna()]
    if timed.empty:
        return None
    fastest = timed.loc[timed.groupby(["case", "param"], sort=False)["eval_time_s"].idxmin()]
    wins = fastest["method"].value_counts()
    median = timed.groupby("method")["eval_time_s"].median()
    ranking = sorted(wins.index, key=lambda m: (-wins[m], median[m], m))
    winner = ranking[0]
    ratio = timed.loc[timed["method"] == winner, "cost_ratio"].median()
    text = f"is fastest in {wins[winner]} of {len(fastest)} setting{'s' * (len(fastest) != 1)} " \
           f"(median {seconds(median[winner])} per derivative evaluation"
    text += f", {ratio:.3g}× the function" if pd.notna(ratio) else ""
    setup = timed.loc[timed["method"] == winner, "setup_time_s"].median()
    return winner, text + (f", after a one-off setup of {seconds(setup)})." if setup > 0 else ").")


def headlines(cells: pd.DataFrame) -> list[dict]:
    rows = []
    for family, group in cells.groupby(cells["family"].fillna("(no family)"), sort=False):
        accuracy = accuracy_sentence(group)
        rows.append({"family": family, "accuracy": accuracy, "speed": speed_sentence(group)})
    return rows

