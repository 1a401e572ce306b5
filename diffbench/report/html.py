"""Assembling the HTML report and the two-run comparison from stored records with jinja2."""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from diffbench.report import fmt
from diffbench.report.aggregate import comparison
from diffbench.report.run import Run, load_run
from diffbench.report.sections import SECTIONS, heat

TEMPLATES = Path(__file__).parent / "templates"
FIGURE_WORKERS = min(2, os.cpu_count() or 1)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(seconds=fmt.seconds, sci=fmt.sci, num=fmt.num, short=fmt.short, heat=heat)
    return env


def build_sections(run: Run) -> list[dict]:
    """The registry's sections that have data, with figures numbered in page order."""
    sections, number = [], 0
    for section in SECTIONS:
        ctx = section.build(run)
        if ctx is None:
            continue
        for figure in ctx.get("figures", []):
            number += 1
            figure.number = number
            if isinstance(figure.svg, Future):
                figure.svg = Markup(figure.svg.result())
        sections.append({"key": section.key, "title": section.title, "ctx": ctx})
    return sections


def render_report(run_dir: Path) -> Path:
    """Write run_dir/report.html and run_dir/figures/*.svg from the run's CSVs and meta.json."""
    # NB: figures are the slow part (matplotlib), so they are drawn in worker processes, the page in order
    with ProcessPoolExecutor(max_workers=FIGURE_WORKERS, mp_context=multiprocessing.get_context("forkserver")) as pool:
        run = load_run(run_dir, pool)
        sections = build_sections(run)
    figure_dir = run.path / "figures"
    figure_dir.mkdir(exist_ok=True)
    for stale in figure_dir.glob("*.svg"):
        stale.unlink()
    for section in sections:
        for figure in section["ctx"].get("figures", []):
            (figure_dir / f"{figure.name}.svg").write_text(str(figure.svg), encoding="utf-8")
    page = environment().get_template("report.html.j2").render(meta=run.meta, sections=sections)
    out = run.path / "report.html"
    out.write_text(page, encoding="utf-8")
    return out


def render_comparison(run_a: Path, run_b: Path, out_dir: Path) -> Path:
    """Write out_dir/compare.html: digits and eval time of every case x param x method in two runs."""
    a, b = load_run(run_a), load_run(run_b)
    rows = comparison(a.cells, b.cells)
    delta, ratio = rows["delta"].dropna(), rows["ratio"].dropna()
    summary = {"better": int((delta > 0.5).sum()), "worse": int((delta < -0.5).sum()), "compared": len(delta),
               "median_ratio": float(ratio.median()) if len(ratio) else None, "timed": len(ratio)}
    runs = [{"label": label, "path": str(r.path), "meta": r.meta} for label, r in (("A", a), ("B", b))]
    page = environment().get_template("compare.html.j2").render(
        runs=runs, rows=[_compare_row(r) for r in rows.to_dict("records")], summary=summary)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.html").write_text(page, encoding="utf-8")
    return out / "compare.html"


def _compare_row(r: dict) -> dict:
    sides = []
    for side in ("a", "b"):
        digits, status, message = r[f"digits_{side}"], r[f"status_{side}"], r[f"message_{side}"]
        shown = _number(digits)
        label = None if shown is not None else ("–" if pd.isna(status) else str(status))
        sides.append({"digits": shown, "label": label, "title": "" if pd.isna(message) else str(message)})
    return {"case": r["case"], "param": r["param"], "method": r["method"], "sides": sides,
            "delta": _number(r["delta"]), "ratio": _number(r["ratio"]),
            "times": [_number(r["eval_time_s_a"]), _number(r["eval_time_s_b"])]}


def _number(x) -> float | None:
    return None if pd.isna(x) else float(x)
