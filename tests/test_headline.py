"""Honest headline sentences: ties at the floor, no result is not 0 digits, clipping, evidence, floor notes."""
import pandas as pd

from diffbench.report.aggregate import cells
from diffbench.report.headline import headlines


def row(case, method, digits, point=0, status="ok", attainable=15.95, f_digits=16.0, limit="round-off", time=1e-6):
    return {"case": case, "family": "fam", "param": "-", "sweep_value": float("nan"), "method": method, "point": point,
            "status": status, "message": None if status == "ok" else "timed out",
            "correct_digits": digits if status == "ok" else None, "rel_error": None, "max_rel_error": None,
            "attainable_digits": attainable, "f_digits": f_digits,
            "shortfall_digits": max(0.0, attainable - max(digits, 0.0)) if status == "ok" else None,
            "limit": limit if status == "ok" else None, "eval_time_s": time if status == "ok" else None,
            "func_time_s": 1e-6, "cost_ratio": 1.0, "setup_time_s": 0.0, "ref_digits": 40.0, "ref_route2": "c",
            "ref_flagged": False}


def sentence(rows):
    results = pd.DataFrame(rows)
    [family] = headlines(cells(results), results)
    return family


def test_round_off_ties_are_ties_and_missing_results_are_not_zero():
    family = sentence([row("a", "tape", 15.9), row("a", "torch", 16.2), row("a", "fd", 8.0),
                       row("b", "tape", 15.9), row("b", "torch", 16.2), row("b", "fd", 8.0, point=0),
                       row("a", "sympy", 16.1), row("b", "sympy", 0, status="timeout")])
    who, text = family["accuracy"]
    assert who == "sympy, torch, tape tie" and "reach the float64 floor" in text   # median shortfall 0, 0, 0.05
    assert "no result (not counted as 0 digits): sympy in 1 of 2" in text


def test_a_win_needs_half_a_digit_and_negative_digits_count_as_zero():
    family = sentence([row("a", "m1", 12.0), row("a", "m2", 11.7), row("b", "m1", 12.0), row("b", "m2", 11.7)])
    assert family["accuracy"][0] == "m1, m2 tie"        # median shortfalls 3.95 and 4.25: 0.3 apart is no win
    family = sentence([row("a", "m1", 12.0), row("a", "m2", 10.0), row("b", "m1", 12.0), row("b", "m2", 10.0)])
    assert family["accuracy"][0] == "m1"
    clipped = sentence([row("a", "m3", -0.8), row("b", "m3", 9.0)])["accuracy"][1]
    # shortfalls 15.95 - max(-0.8, 0) and 6.95: median 11.45 (11.85 if the wrong sign counted as -0.8 digits)
    assert "m3 11.4 (worst 15.9 at a - point 0" in clipped


def test_notes_name_cancellation_conditioning_and_domain():
    text = sentence([row("c", "tape", -2.0, f_digits=7.1, limit="cancellation"),
                     row("c_stable", "tape", 16.0),
                     row("k", "tape", 9.2, attainable=9.4, limit="conditioning"),
                     row("e", "fd_central", 1.2, limit="domain")])["accuracy"][1]
    assert "c: the float64 code of f itself keeps only 7.1 digits (c - point 0)" in text
    assert "its stable form c_stable gives tape 16.0 digits" in text
    assert "k: rounding the inputs to float64 allows only 9.4 digits" in text and "tape reach that" in text
    assert "fd_central: the stencil left the domain at e; one-sided steps" in text


def test_an_overflowing_f_is_said_to_overflow():
    overflowing = {**row("o", "complex_step", -17.0, f_digits=0.0, limit="f not finite"), "f_finite": False}
    text = sentence([overflowing, {**row("p", "tape", -2.0, f_digits=7.1, limit="cancellation"), "f_finite": True}])
    assert "o: the float64 code of f itself overflows to inf or NaN (o - point 0)" in text["accuracy"][1]
    assert "p: the float64 code of f itself keeps only 7.1 digits (p - point 0)" in text["accuracy"][1]


def test_the_report_hands_the_headline_the_overflow_flag(tmp_path):
    """sections.headline reads a narrow copy of results: f_finite must be in it, or the note says '0.0 digits'."""
    from diffbench.report.run import Run
    from diffbench.report.sections import headline
    overflowing = {**row("o", "complex_step", -17.0, f_digits=0.0, limit="f not finite"), "f_finite": False}
    run = Run(tmp_path, {"methods": ["complex_step"]}, {"results": pd.DataFrame([overflowing])})
    [family] = headline(run)["families"]
    assert "o: the float64 code of f itself overflows to inf or NaN" in family["accuracy"][1]
