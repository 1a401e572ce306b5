"""Assembling the HTML report and the two-run comparison from stored records with jinja2."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path

import jinja2
from markupsafe import Markup

from diffbench.report import fmt
from diffbench.report.compare import compare_context
from diffbench.report.figure_cache import KEYS, FigureDrawer, stored_keys
from diffbench.report.run import Run, load_run
from diffbench.report.second_order import first_order_view, view_for
from diffbench.report.sections import SECTIONS, heat

TEMPLATES = Path(__file__).parent / "templates"
FIGURE_DIR = "figures"
WRITTEN = ".written-by-report.json"   # in figures/: the files the report wrote there, the only ones it replaces


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(seconds=fmt.seconds, sci=fmt.sci, num=fmt.num, short=fmt.short, heat=heat, wbr=word_breaks)
    return env


def word_breaks(name) -> Markup:
    """A method name that may wrap after its underscores (fd_<wbr>central), so narrow columns fit a header."""
    return Markup(str(Markup.escape(name)).replace("_", "_<wbr>"))


def build_sections(run: Run) -> list[dict]:
    """The registry's sections that have data, with figures numbered in page order."""
    sections, number = [], 0
    first_order = first_order_view(run)
    for section in SECTIONS:
        ctx = section.build(view_for(section.key, run, first_order))
        if ctx is None:
            continue
        for figure in ctx.get("figures", []):
            number += 1
            figure.number = number
            if isinstance(figure.svg, Future):
                figure.svg = Markup(figure.svg.result())
        sections.append({"key": section.key, "title": section.title, "ctx": ctx})
    return sections


def render_report(run_dir: Path, stats: dict | None = None, tables: dict | None = None) -> Path:
    """Write run_dir/report.html and run_dir/figures/*.svg from the run's CSVs and meta.json.

    `stats`, when given, receives seconds and how many figures were drawn and reused from figures/;
    `tables`, the run's tables already read (records.check_run_folder hands them out), name -> frame."""
    start = time.perf_counter()
    folder = Path(run_dir) / FIGURE_DIR
    # NB: a figure whose data and drawing code are unchanged is reused from figures/
    drawer = FigureDrawer(folder, stored_keys(folder, _written_by_report(folder)))
    run = load_run(run_dir, drawer, tables)
    sections = build_sections(run)
    page = environment().get_template("report.html.j2").render(meta=run.meta, sections=sections)
    figures = {f"{figure.name}.svg": str(figure.svg) for section in sections
               for figure in section["ctx"].get("figures", [])}
    save_figures(run.path, figures, drawer.keys)
    out = run.path / "report.html"
    out.write_text(page, encoding="utf-8")
    if stats is not None:
        stats.update(seconds=time.perf_counter() - start, drawn=drawer.drawn, reused=drawer.reused)
    return out


def save_figures(run_dir: Path, figures: dict[str, str], keys: dict[str, str] | None = None) -> None:
    """Put `figures` (file name -> SVG) in run_dir/figures/, written in a temporary folder and swapped in.

    Only files an earlier report wrote (listed in figures/.written-by-report.json) are replaced or removed;
    a file of anyone else's stays as it is, and a figure whose name it holds is left out of the folder
    (the page inlines every figure anyway)."""
    target = Path(run_dir) / FIGURE_DIR
    staging = Path(tempfile.mkdtemp(prefix=".figures-", dir=run_dir))
    os.chmod(staging, Path(run_dir).stat().st_mode & 0o777)   # mkdtemp's 0700 would outlive the swap
    try:
        for name, svg in figures.items():
            (staging / name).write_text(svg, encoding="utf-8")
        keys = keys or {}
        if not target.exists():
            (staging / WRITTEN).write_text(json.dumps(sorted(figures)), encoding="utf-8")
            (staging / KEYS).write_text(json.dumps({n: keys[n] for n in sorted(figures) if n in keys}), "utf-8")
            os.rename(staging, target)
            return
        ours = _written_by_report(target)
        for stale in ours - set(figures):
            (target / stale).unlink(missing_ok=True)
        placed = []
        for name in sorted(figures):
            if (target / name).exists() and name not in ours:
                continue
            os.replace(staging / name, target / name)
            placed.append(name)
        (target / WRITTEN).write_text(json.dumps(placed), encoding="utf-8")
        (target / KEYS).write_text(json.dumps({n: keys[n] for n in placed if n in keys}), encoding="utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _written_by_report(folder: Path) -> set[str]:
    """The figure files an earlier report wrote into `folder` (none when it left no list)."""
    try:
        names = json.loads((folder / WRITTEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str) and n == Path(n).name and n.endswith(".svg")} \
        if isinstance(names, list) else set()


def render_comparison(run_a: Path, run_b: Path, out_dir: Path) -> Path:
    """Write out_dir/compare.html: both configurations (differences in a warning), then the digits and eval
    time of every case x param x method in the two runs."""
    context = compare_context(load_run(run_a), load_run(run_b))
    page = environment().get_template("compare.html.j2").render(**context)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.html").write_text(page, encoding="utf-8")
    return out / "compare.html"
