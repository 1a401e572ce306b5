"""`diffbench run --at`: the chosen cases planned at one point the user gives instead of their seeded points."""
from __future__ import annotations

from dataclasses import replace

from diffbench.exact import InputError, exact_inputs, parse_at, rounds_exactly

AT_DPS = 50   # precision the given decimals are parsed at (only their float64 rounding travels to the workers)


def plans_at(plans: dict, text: str) -> tuple[dict, list[str]]:
    """(the CasePlans with point 0 replaced by the given inputs, notes for the user).

    Inputs not given keep the case's own point-0 values; a swept case keeps the parameter values whose
    input shapes fit. NB: the runner's jobs carry float64 points to its workers, so here the reference
    sees the float64 rounding of a decimal such as 0.1 (diffbench.compare keeps it exact); a note says so."""
    given = parse_at(text)
    exact, rounded = exact_inputs(given, AT_DPS)
    chosen, notes = {}, []
    for name, case_plan in plans.items():
        planned, unknown, shapes = [], set(), set()
        for entry in case_plan.planned:
            if entry.status != "ok":
                planned.append(entry)
                continue
            base = entry.points[0]
            unknown |= {k for k in rounded if k not in base}
            if unknown:
                continue
            misfit = [k for k in rounded if rounded[k].shape != base[k].shape]
            if misfit:
                shapes |= {f"{k} {base[k].shape}" for k in misfit}
                continue
            planned.append(replace(entry, points=({**base, **rounded},)))
        if unknown:
            raise InputError(f"--at: case {name!r} has no input {', '.join(sorted(unknown))}; "
                             f"its inputs: {', '.join(_input_names(case_plan))}")
        if not any(p.status == "ok" for p in planned):
            raise InputError(f"--at: no parameter of case {name!r} takes inputs of these shapes "
                             f"(it expects {', '.join(sorted(shapes))})")
        chosen[name] = replace(case_plan, planned=tuple(planned))
    inexact = [k for k in exact if not rounds_exactly(exact[k], rounded[k])]
    if inexact:
        notes.append(f"--at: {', '.join(inexact)} rounded to float64 for the run; diffbench.compare() keeps "
                     "decimal inputs exact for the reference")
    return chosen, notes


def _input_names(case_plan) -> list[str]:
    for entry in case_plan.planned:
        if entry.status == "ok" and entry.points:
            return list(entry.points[0])
    return []
