"""Tests of the HTML report and the run comparison, rendered from a small fixed set of records."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diffbench.records import (RUN_FORMAT_VERSION, TABLES, RunFolderError, check_run_folder, frame, read_table,
                               write_meta, write_table)
from diffbench.report import SECTIONS, render_comparison, render_report
from diffbench.report.html import WRITTEN

EVIL = "<script>alert(1)</script>"
CASES = {  # case -> (family, params as (text, size))
    "logistic": ("logistic", [("n=1", 1), ("n=2", 2), ("n=4", 4), ("n=8", 8)]),
    "log_quadratic": ("quadratic", [("N=2", 2), ("N=8", 8), ("N=32", 32)]),
    EVIL: ("evil<b>", [("n=2", 2)]),
}
DIGITS = {"sympy": 16.5, "fd_forward": 7.5, "fd_central": 10.2, "tape_reverse": 15.8, "torch": 15.6, "torch_f32": 6.9}
COST = {"sympy": 3.0, "fd_forward": None, "fd_central": None, "tape_reverse": 20.0, "torch": 60.0, "torch_f32": 55.0}
SCHEMES = {"forward": 1, "central": 2, "central4": 4}


def _status(case: str, param: str, method: str, point: int) -> tuple[str, str | None]:
    if (case, param, method) == ("logistic", "n=8", "sympy"):
        return "timeout", "exceeded the time budget of 5 s"
    if (case, param, method) == ("log_quadratic", "N=32", "sympy"):
        return "failed", "RecursionError: <b>maximum</b> recursion depth exceeded\nTraceback ..."
    if (case, param, method, point) == ("log_quadratic", "N=32", "torch_f32", 1):
        return "domain_error", "log of a negative number"
    return "ok", None


def _records(shift: float = 0.0) -> dict[str, list[dict]]:
    rng = np.random.default_rng(7)
    results, sweep, swell, timing = [], [], [], []
    for case, (family, params) in CASES.items():
        for param, size in params:
            key = {"case": case, "family": family, "param": param, "sweep_value": float(size)}
            func = 1e-6 * size
            for method, digits in DIGITS.items():
                for point in (0, 1):
                    status, message = _status(case, param, method, point)
                    ok = status == "ok"
                    d = min(17.0, digits - 0.1 * point - 0.05 * size + (shift if method == "sympy" else 0))
                    cost = COST[method] or (size + 1 if method == "fd_forward" else 2 * size)
                    results.append({**key, "method": method, "point": point, "status": status, "message": message,
                                    "n_inputs": size, "n_outputs": 1,
                                    "rel_error": 10 ** -d if ok else None, "max_rel_error": 2 * 10 ** -d if ok else None,
                                    "correct_digits": d if ok else None,
                                    "setup_time_s": (1e-3 * size**2 if method == "sympy" else 1e-5) if ok else None,
                                    "eval_time_s": cost * func if ok else None, "func_time_s": func,
                                    "cost_ratio": cost if ok else None,
                                    "n_func_evals": size + 1 if method.startswith("fd_") else None,
                                    "expr_nodes": int(5 * 2.2 ** min(size, 20)) if method == "sympy" else None,
                                    "trace_length": 6 * size if method.startswith("tape") else None,
                                    "ref_digits": 25.0 if (param, point) == ("N=32", 1) else 40.0,
                                    "ref_route2": "directional k=3", "ref_flagged": (param, point) == ("N=32", 1)})
                    for phase, t in (("function", func), ("setup", 1e-5), ("eval", cost * func)):
                        timing.append({**key, "method": method, "point": point, "phase": phase, "time_s": t})
            for scheme, p in SCHEMES.items():
                for h in 10.0 ** np.linspace(-14, -1, 27):
                    error = 0.3 * h**p + 2e-16 / h * rng.uniform(0.3, 3)
                    sweep.append({**key, "point": 0, "scheme": scheme, "direction": "full", "h": h, "rel_error": error})
            for rep, nodes in (("function", 3 * size + 1), ("sympy_tree", int(5 * 2.2 ** min(size, 20))),
                               ("sympy_cse", 10 * size), ("tape_trace", 6 * size)):
                swell.append({**key, "representation": rep, "nodes": nodes, "ops": nodes // 2})
    return {"results": results, "fd_sweep": sweep, "swell": swell, "timing": timing}


def _write_run(run_dir: Path, shift: float = 0.0) -> Path:
    run_dir.mkdir(parents=True)
    for table, rows in _records(shift).items():
        write_table(run_dir, table, rows)
    failures = [{"case": r["case"], "param": r["param"], "method": r["method"], "point": r["point"],
                 "status": r["status"], "message": r["message"]}
                for r in _records()["results"] if r["status"] in ("failed", "timeout", "domain_error")]
    write_meta(run_dir, {
        "run_id": run_dir.name, "command": "diffbench run --quick", "argv": ["run", "--quick"], "seed": 0,
        "precision_dps": 50, "time_budget_s": 5, "quick": True, "workers": 2,
        "started": "2025-01-01T00:00:00", "finished": "2025-01-01T00:01:00", "total_time_s": 60.0,
        "versions": {"python": "3.11", "numpy": np.__version__, "diffbench": "0.1.0"},
        "machine": {"platform": "linux", "cpu_count": 8}, "cases": list(CASES), "methods": list(DIGITS),
        "ref_required_digits": 30, "failures": failures, "exit_code": 0})
    return run_dir


@pytest.fixture(scope="module")
def report_run_dir(tmp_path_factory) -> Path:
    return _write_run(tmp_path_factory.mktemp("report") / "run-a")


@pytest.fixture(scope="module")
def report_page(report_run_dir) -> str:
    return render_report(report_run_dir).read_text(encoding="utf-8")


def _tables(page: str) -> list[str]:
    return re.findall(r"<table.*?</table>", page, flags=re.S)


def test_sections_present_in_registry_order(report_page):
    ids = re.findall(r'<section id="([^"]+)"', report_page)
    assert ids == [s.key for s in SECTIONS if s.key in ids]  # sections without data are omitted
    assert {"headline", "accuracy", "fd_sweep", "swell", "runtime", "reference", "details"} <= set(ids)
    for key in ids:
        assert f'href="#{key}"' in report_page


def test_figures_inline_and_saved(report_run_dir, report_page):
    saved = sorted((report_run_dir / "figures").glob("*.svg"))
    # one FD grid per family (3), swell per family of cases with >= 2 sizes (2: the evil case has one size),
    # one cost-ratio grid of the cases with >= 2 sizes
    assert len(saved) == 3 + 2 + 1
    assert report_page.count("<figure") == report_page.count("<svg") == len(saved)
    assert report_page.count("<figcaption>") == len(saved)
    assert "<?xml" not in report_page and not re.search(r'(src|href)="?https?:', report_page)


def test_user_text_is_escaped(report_run_dir, report_page):
    assert "<script>alert" not in report_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report_page
    assert "<b>maximum</b>" not in report_page and "&lt;b&gt;maximum&lt;/b&gt;" in report_page
    for svg in (report_run_dir / "figures").glob("*.svg"):
        assert "<script" not in svg.read_text()


def test_accuracy_table_shows_failures_and_errors(report_page):
    accuracy = report_page[report_page.index('id="accuracy"'):report_page.index('id="fd_sweep"')]
    # grey cells: a short readable status, the full message in the tooltip
    assert '<td class="bad" title="timeout: exceeded the time budget of 5 s">timed out</td>' in accuracy
    assert '<td class="bad" title="failed: RecursionError: &lt;b&gt;maximum&lt;/b&gt; recursion depth exceeded' \
        in accuracy and 'Traceback ...">failed</td>' in accuracy
    assert "relative error 4.47e-17 (worst of 2 ok points)" in accuracy  # sympy, logistic n=1: 10**-16.35
    assert "<sup>†</sup>" in accuracy  # torch_f32 at N=32: one of two points hit a domain error


def test_headline_names_winners(report_page):
    headline = report_page[report_page.index('id="headline"'):report_page.index('id="fd_sweep"')]
    assert "<dt>logistic</dt>" in headline and "<dt>evil&lt;b&gt;</dt>" in headline
    # Within a digit of the floor (15.95 digits where no floor is stored) is a tie; sympy's timeout is no result.
    assert "<b>sympy, tape_reverse, torch tie</b> reach the float64 floor" in headline
    assert "no result (not counted as 0 digits): sympy in 1 of 4" in headline
    # sympy (n=4) and fd_forward (n=8) each win one setting by 1.2x; n=1 and n=2 are too close to call
    assert "<b>sympy</b> is fastest by at least 1.2× in 1 of 4 settings, as fd_forward is in as many, 2 too close" \
        in headline


def test_reference_quality_flags(report_page):
    reference = report_page[report_page.index('id="reference"'):report_page.index('id="details"')]
    assert reference.count('class="flag"') == 1 and "directional k=3" in reference


@pytest.mark.parametrize("table", list(TABLES))
def test_schemas_round_trip(tmp_path, table):
    rows = _records().get(table, [])
    write_table(tmp_path, table, rows)
    back = read_table(tmp_path, table)
    assert list(back.columns) == list(TABLES[table])
    assert {c: str(t) for c, t in back.dtypes.items()} == TABLES[table]
    pd.testing.assert_frame_equal(back, frame(table, rows), check_exact=False, rtol=1e-12)


def test_rendering_twice_is_identical(report_run_dir, report_page):
    svgs = {p.name: p.read_text() for p in (report_run_dir / "figures").glob("*.svg")}
    again = render_report(report_run_dir).read_text(encoding="utf-8")
    assert _tables(again) == _tables(report_page) and len(_tables(again)) >= 4
    assert again == report_page
    assert {p.name: p.read_text() for p in (report_run_dir / "figures").glob("*.svg")} == svgs


def test_missing_tables_and_meta_omit_sections(tmp_path, report_run_dir):
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(report_run_dir / "results.csv", bare)
    page = render_report(bare).read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([^"]+)"', page)
    assert ids == ["overview", "accuracy", "headline", "runtime", "reference", "details"]


def test_comparison(tmp_path, report_run_dir):
    other = _write_run(tmp_path / "run-b", shift=-2.0)
    out = render_comparison(report_run_dir, other, tmp_path / "cmp")
    page = out.read_text(encoding="utf-8")
    assert out == tmp_path / "cmp" / "compare.html"
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    rows = re.findall(r"<tr><td>.*?</tr>", page, flags=re.S)
    assert len(rows) == (4 + 3 + 1) * len(DIGITS)
    assert sum('class="num neg">-2.0' in r for r in rows) == 6  # sympy lost 2 digits wherever it ran
    assert "B is more accurate in 0 and less accurate in 6;" in page
    assert 'role="alert"' not in page   # same configuration: no warning


def test_comparison_counts_only_differences_beyond_round_off(tmp_path, report_run_dir):
    """sympy 0.6 digits worse at ~16 digits is round-off, not a difference; tape/torch unchanged are the same."""
    other = _write_run(tmp_path / "run-b", shift=-0.6)
    page = render_comparison(report_run_dir, other, tmp_path / "cmp").read_text(encoding="utf-8")
    assert "B is more accurate in 0 and less accurate in 0;" in page
    assert 'class="num neg"' not in page and "-0.6" in page


def test_comparison_warns_when_configurations_differ(tmp_path, report_run_dir):
    other = _write_run(tmp_path / "run-b")
    meta = json.loads((other / "meta.json").read_text())
    meta.update(quick=False, mode="default", seed=3, methods=meta["methods"][:-1])
    (other / "meta.json").write_text(json.dumps(meta))
    page = render_comparison(report_run_dir, other, tmp_path / "cmp").read_text(encoding="utf-8")
    warning = page[page.index('role="alert"'):page.index("</div>", page.index('role="alert"'))]
    assert "seed differs: A 0, B 3" in warning and "mode differs: A (not recorded), B default" in warning
    assert "methods differ (only in A: torch_f32)" in warning
    done = _diffbench("report", report_run_dir, other, "--out", tmp_path / "cli")
    assert done.returncode == 0 and "warning: the runs are not comparable as they stand: seed differs" in done.stderr


# ---------------------------------------------------------------- `diffbench report` on folders it must refuse

DIFFBENCH = str(Path(sys.executable).with_name("diffbench"))


def _files(folder: Path) -> dict:
    """Every file under `folder` (relative path -> bytes), to prove a command changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _diffbench(*args) -> subprocess.CompletedProcess:
    return subprocess.run([DIFFBENCH, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env=os.environ.copy())


def _refused(done: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2, one line on stderr, no traceback, naming what is wrong."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("Error: ") and all(w in done.stderr for w in words), done.stderr


def test_meta_records_its_format_and_row_counts(report_run_dir):
    meta = json.loads((report_run_dir / "meta.json").read_text())
    assert meta["format_version"] == RUN_FORMAT_VERSION
    assert meta["table_rows"] == {name: len(rows) for name, rows in _records().items()}
    assert check_run_folder(report_run_dir)["run_id"] == "run-a"


@pytest.mark.parametrize("meta", [None, b'{"run_id": "x", "cases": []}', b"{not json", b"[1, 2]",
                                  b'{"format_version": 99, "table_rows": {}}', b'{"format_version": "1"}'],
                         ids=["no meta", "no version", "garbage", "list", "newer", "text version"])
def test_report_refuses_a_folder_that_is_not_a_run(tmp_path, report_run_dir, meta):
    folder = tmp_path / "mine"
    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "my-plot.svg").write_text("<svg>my own figure</svg>")
    (folder / "notes.txt").write_bytes(b"not a run\n")
    shutil.copy(report_run_dir / "results.csv", folder)
    if meta is not None:
        (folder / "meta.json").write_bytes(meta)
    before = _files(folder)
    _refused(_diffbench("report", folder), "mine")
    assert _files(folder) == before


def _cut_mid_row(text: str) -> str:
    return text[: len(text) // 2]


def _drop_last_rows(text: str) -> str:
    return "".join(text.splitlines(keepends=True)[:-3])


def _bad_value(text: str) -> str:
    head, first, *rest = text.splitlines(keepends=True)
    column = head.rstrip("\n").split(",").index("rel_error")
    fields = first.rstrip("\n").split(",")
    fields[column] = "about-a-third"
    return "".join([head, ",".join(fields) + "\n", *rest])


CORRUPTIONS = {
    "truncated mid-row": (lambda data: _cut_mid_row(data.decode()).encode(), "truncated"),
    "truncated at a row": (lambda data: _drop_last_rows(data.decode()).encode(), "meta.json records"),
    "garbage": (lambda data: b"hello world\nthis is, not a table\n", "not a results table"),
    "empty": (lambda data: b"", "empty"),
    "binary": (lambda data: bytes(range(256)) * 4, "binary"),
    "extra fields": (lambda data: data + b"a,b,c," * 40 + b"\n", "cannot be parsed"),
    "not a number": (lambda data: _bad_value(data.decode()).encode(), "rel_error"),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_report_refuses_broken_tables(tmp_path, report_run_dir, corruption):
    spoil, problem = CORRUPTIONS[corruption]
    run_dir = tmp_path / "run"
    shutil.copytree(report_run_dir, run_dir)
    (run_dir / "results.csv").write_bytes(spoil((report_run_dir / "results.csv").read_bytes()))
    before = _files(run_dir)
    _refused(_diffbench("report", run_dir), "results.csv", problem)
    assert _files(run_dir) == before
    with pytest.raises(RunFolderError, match="results.csv"):
        check_run_folder(run_dir)


def test_comparison_checks_both_runs(tmp_path, report_run_dir):
    broken = tmp_path / "run-b"
    shutil.copytree(report_run_dir, broken)
    (broken / "timing.csv").write_bytes((report_run_dir / "timing.csv").read_bytes()[:-200])
    before = _files(broken)
    _refused(_diffbench("report", report_run_dir, broken), "timing.csv")
    _refused(_diffbench("report", broken, report_run_dir), "timing.csv")
    assert _files(broken) == before and not (report_run_dir / "compare.html").exists()


def test_report_replaces_only_the_figures_it_wrote(tmp_path, report_run_dir, report_page):
    run_dir = tmp_path / "run"
    shutil.copytree(report_run_dir, run_dir)
    figures = run_dir / "figures"
    written = json.loads((figures / WRITTEN).read_text())
    rendered = {name: (figures / name).read_bytes() for name in written}
    assert len(written) == 6 and all(name.endswith(".svg") for name in written)
    collided = written[0]
    (figures / collided).write_text("<svg>the user's own, same name</svg>")
    (figures / "my-plot.svg").write_text("<svg>the user's own</svg>")
    (figures / "old-figure.svg").write_text("<svg>stale, from an earlier report</svg>")
    (figures / WRITTEN).write_text(json.dumps([*written[1:], "old-figure.svg"]))
    done = _diffbench("report", run_dir)
    assert done.returncode == 0, done.stderr
    assert (figures / collided).read_text() == "<svg>the user's own, same name</svg>"
    assert (figures / "my-plot.svg").read_text() == "<svg>the user's own</svg>"
    assert not (figures / "old-figure.svg").exists()
    assert {name: (figures / name).read_bytes() for name in written[1:]} == {n: rendered[n] for n in written[1:]}
    assert json.loads((figures / WRITTEN).read_text()) == written[1:]
    assert not list(run_dir.glob(".figures-*"))
    assert (run_dir / "report.html").read_text(encoding="utf-8") == report_page


def test_unchanged_figures_are_reused_and_changed_ones_redrawn(tmp_path, report_run_dir, report_page):
    run_dir = tmp_path / "run"
    shutil.copytree(report_run_dir, run_dir)
    stats = {}
    assert render_report(run_dir, stats).read_text(encoding="utf-8") == report_page
    assert stats["drawn"] == 0 and stats["reused"] == 6
    sweep = pd.read_csv(run_dir / "fd_sweep.csv")
    sweep.loc[sweep["case"] == "logistic", "rel_error"] *= 10    # only the logistic family's FD grid changes
    sweep.to_csv(run_dir / "fd_sweep.csv", index=False)
    before = (run_dir / "figures" / "fd_sweep_01_logistic.svg").read_text()
    page = render_report(run_dir, stats).read_text(encoding="utf-8")
    assert stats["drawn"] == 1 and stats["reused"] == 5
    assert (run_dir / "figures" / "fd_sweep_01_logistic.svg").read_text() != before and page != report_page
    (run_dir / "figures" / "fd_sweep_01_logistic.svg").unlink()   # a missing file is drawn again
    render_report(run_dir, stats)
    assert stats["drawn"] == 1 and (run_dir / "figures" / "fd_sweep_01_logistic.svg").exists()


def test_bench_times_a_report_rebuild(tmp_path, report_run_dir):
    from diffbench.bench import RUN_TARGETS_S, time_report
    run_dir = tmp_path / "run"
    shutil.copytree(report_run_dir, run_dir)
    row = time_report(run_dir, "diffbench report (of test run)")
    size_kb = (run_dir / "report.html").stat().st_size / 1024
    assert row["exit_code"] == 0 and row["seconds"] > 0 and row["target_s"] == RUN_TARGETS_S["report"] == 5.0
    assert row["note"] == f"report.html {size_kb:.0f} KB"


def test_overview_numbers_from_the_records(report_run_dir, report_page):
    """The matrix's typical digits are the median over settings of each worst point, recomputed here."""
    overview = report_page[report_page.index('id="overview"'):report_page.index('id="accuracy"')]
    results = pd.read_csv(report_run_dir / "results.csv")
    ok = results[results["status"] == "ok"]
    for method in DIGITS:
        typical = ok[ok["method"] == method].groupby(["case", "param"])["correct_digits"].min().median()
        row = re.search(rf'<td class="m">{method}</td>\s*<td class="num" style="[^"]*">([\d.]+)</td>', overview)
        assert row and float(row.group(1)) == pytest.approx(typical, abs=0.05), method
    # one tie at the floor (15.95 digits where no floor is stored): sympy, tape_reverse, torch; the rest below it
    assert "sympy, tape_reverse and torch reach the float64 floor at the median setting" in overview
    assert "Below the floor: fd_central typically" in overview and "sympy 2 (timed out 1, failed 1)" in overview


def test_bench_report_section_times_a_copy_from_scratch_and_unchanged(report_run_dir, report_page):
    from diffbench.bench_report import REPORT_TARGET_BYTES, REPORT_TARGET_S, missed_report_targets, measure_report
    before = _files(report_run_dir)
    row = measure_report(report_run_dir, "test run")
    assert _files(report_run_dir) == before                     # measured on a copy: the run folder is untouched
    assert row["exit_code"] == 0 and row["note"] == ""
    assert row["bytes"] == len(report_page.encode("utf-8"))     # the same page as rendered here in-process
    assert 0 < row["scratch_s"] < 120 and 0 < row["cached_s"] < 120
    over = {**row, "scratch_s": REPORT_TARGET_S + 1, "cached_s": REPORT_TARGET_S / 2, "bytes": REPORT_TARGET_BYTES + 1}
    assert missed_report_targets([over]) == [
        f"report of test run from scratch: {REPORT_TARGET_S + 1:.2f} s > {REPORT_TARGET_S:g} s",
        f"report.html of test run: {REPORT_TARGET_BYTES + 1:,} bytes > {REPORT_TARGET_BYTES:,}"]
    assert missed_report_targets([{**row, "scratch_s": 1.0, "cached_s": 1.0, "bytes": 1000}]) == []


def test_bench_command_prints_the_report_section(tmp_path, report_run_dir, report_page):
    run_dir = tmp_path / "run"
    shutil.copytree(report_run_dir, run_dir)
    done = subprocess.run([DIFFBENCH, "bench", "--quick", "--skip-runs", "--skip-startup", "--skip-references",
                           "--rounds", "1", "--min-batch", "0.001", "--sizes", "logistic=2", "--report-run",
                           str(run_dir)], capture_output=True, text=True, timeout=600, env=os.environ.copy())
    assert done.returncode == 0, done.stderr[-2000:]
    assert "diffbench report RUN_DIR" in done.stdout and f"{len(report_page.encode('utf-8')):,}" in done.stdout
    assert (run_dir / "report.html").read_text(encoding="utf-8") == report_page   # measured on a copy


def test_every_limit_the_verdict_gives_is_defined_in_the_report(report_page):
    """The answer table names a limit per method; each word the verdict can give is explained in its caption."""
    from diffbench.verdict import LIMITS
    start = report_page.index("Every method over the whole run")
    caption = report_page[start:report_page.index("</p>", start)]
    for name in LIMITS:
        assert f"<i>{name}</i>" in caption, name
