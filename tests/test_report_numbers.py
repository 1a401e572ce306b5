"""A real run's report.html tells the numbers of its results.csv and timing.csv, parsed and as Chromium renders it."""
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diffbench import records
from diffbench.report import render_report
from diffbench.report.overview import STATUS_WORDS

CHROMIUM = Path("/usr/bin/chromium")
UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}


class Tables(HTMLParser):
    """Every <table> as rows of (text, title, rowspan) cells, text as a browser shows it (whitespace collapsed)."""

    def __init__(self):
        super().__init__()
        self.tables, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = {"text": "", "title": attrs.get("title") or "", "rowspan": int(attrs.get("rowspan") or 1)}
        elif tag == "br" and self.cell is not None:
            self.cell["text"] += " "

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append((" ".join(self.cell["text"].split()), self.cell["title"], self.cell["rowspan"]))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def expand(rows):
    """Rows of cell texts/titles with rowspans filled in, so every row has its case."""
    pending, out = {}, []
    for row in rows:
        cells, source = [], list(row)
        column = 0
        while source or column in pending:
            if column in pending:
                cell, left = pending[column]
                cells.append(cell)
                pending[column] = (cell, left - 1)
                if left - 1 == 0:
                    del pending[column]
            else:
                cell = source.pop(0)
                cells.append(cell)
                if cell[2] > 1:
                    pending[column] = (cell, cell[2] - 1)
            column += 1
        out.append([(text, title) for text, title, _ in cells])
    return out


def find(tables, first_headers):
    for rows in tables:
        rows = expand(rows)
        if rows and [t for t, _ in rows[0][:len(first_headers)]] == first_headers:
            return rows
    raise AssertionError(f"no table headed {first_headers}")


def parse_seconds(text):
    value, unit = text.split()
    return float(value) * UNITS[unit]


def check_tables(tables, results, timing, methods, required):
    """Each table against the CSVs, recomputed here with pandas."""
    grid = find(tables, ["case", "param"] + methods[:1])
    header = [t for t, _ in grid[0]]
    assert header[2:] == methods
    checked = 0
    for row in grid[1:]:
        case, param = row[0][0], row[1][0]
        for method, (text, title) in zip(header[2:], row[2:]):
            mine = results[(results["case"] == case) & (results["param"] == param) & (results["method"] == method)]
            if mine.empty:
                assert text == "·"
                continue
            ok = mine[mine["status"] == "ok"]
            if ok.empty:
                # a short readable status in the cell, the status and full message in its tooltip
                status = mine["status"].iloc[0]
                assert text == STATUS_WORDS.get(status, status) and title.startswith(status), (case, param, text)
                continue
            shown = float(text.rstrip("†"))
            assert shown == pytest.approx(ok["correct_digits"].min(), abs=0.05), (case, param, method)
            assert text.endswith("†") == (len(ok) < len(mine))
            error = float(re.search(r"relative error (\S+) \(worst of (\d+)", title).group(1))
            assert error == pytest.approx(ok["rel_error"].max(), rel=0.01, abs=1e-300)
            assert int(re.search(r"worst of (\d+)", title).group(1)) == len(ok)
            checked += 1
    assert checked >= 20
    settings = results[["case", "param"]].drop_duplicates()
    assert len(grid) - 1 == len(settings)

    phases = find(tables, ["method", "function"])
    phase_names = [t for t, _ in phases[0]][1:]
    timed = timing.dropna(subset=["time_s"])
    for row in phases[1:]:
        method = row[0][0]
        for phase, (text, _) in zip(phase_names, row[1:]):
            mine = timed[(timed["method"] == method) & (timed["phase"] == phase)]["time_s"]
            if text == "–":
                assert mine.empty
            else:
                assert parse_seconds(text) == pytest.approx(float(np.median(mine)), rel=5e-3)

    # the reference table lists only the exceptions: settings agreeing to fewer than the required digits
    scored = results.dropna(subset=["ref_digits"])
    worst = scored.groupby(["case", "param"]).agg(digits=("ref_digits", "min"), flagged=("ref_flagged", "max"))
    exceptions = worst[(worst["digits"] < required) | worst["flagged"].fillna(False).astype(bool)]
    headers = ["case", "param", "points", "digits", "second route", "flagged"]
    if exceptions.empty:
        assert not any(expand(rows)[0] and [t for t, _ in expand(rows)[0][:6]] == headers for rows in tables if rows)
        return
    refs = find(tables, headers)
    assert len(refs) - 1 == len(exceptions)
    for (case, param, points, digits, route, flagged) in ([t for t, _ in row] for row in refs[1:]):
        mine = scored[(scored["case"] == case) & (scored["param"] == param)]
        assert int(points) == mine["point"].nunique()
        assert float(digits) == pytest.approx(mine["ref_digits"].min(), abs=0.05)
        assert route == mine["ref_route2"].iloc[0]
        assert (flagged == "yes") == bool(mine["ref_flagged"].any())



@pytest.fixture(scope="module")
def reported_run(default_run, tmp_path_factory):
    """The session's real run, copied and rendered as `diffbench run` renders it."""
    run_dir = tmp_path_factory.mktemp("reported") / default_run[0].name
    shutil.copytree(default_run[0], run_dir)
    page = render_report(run_dir)
    return run_dir, Path(page).read_text(encoding="utf-8")


def methods_of(run_dir):
    return json.loads((run_dir / "meta.json").read_text())["methods"]


def required_of(run_dir):
    return json.loads((run_dir / "meta.json").read_text())["ref_required_digits"]


def test_report_tables_tell_the_csv_numbers(reported_run):
    run_dir, page = reported_run
    parser = Tables()
    parser.feed(page)
    results, timing = records.read_table(run_dir, "results"), records.read_table(run_dir, "timing")
    assert {"timeout", "ok"} <= set(results["status"])        # both kinds of accuracy cell are in play
    check_tables(parser.tables, results, timing, methods_of(run_dir), required_of(run_dir))
    settings = results.dropna(subset=["ref_digits"])[["case", "param"]].drop_duplicates()
    if (results["ref_digits"].min() >= required_of(run_dir)) and not results["ref_flagged"].fillna(False).any():
        assert f"All clear: in all {len(settings)} settings the two independent mpmath reference routes" in page


PROBE = """<script>
addEventListener("load", () => {
  const tables = [...document.querySelectorAll("table")].map(t => [...t.rows].map(r =>
    [...r.cells].map(c => [c.innerText.split(/\\s+/).join(" ").trim(), c.title, c.rowSpan])));
  const pre = document.createElement("pre"); pre.id = "tables";
  pre.textContent = JSON.stringify(tables);
  document.body.appendChild(pre);
});
</script>"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed at /usr/bin/chromium")
def test_report_tables_as_chromium_renders_them(reported_run, tmp_path):
    run_dir, page = reported_run
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([str(CHROMIUM), *flags, "--dump-dom", "--virtual-time-budget=3000", probe.as_uri()],
                         capture_output=True, text=True, timeout=60).stdout
    found = re.search(r'<pre id="tables">(.*?)</pre>', dom, flags=re.S)
    assert found, dom[-2000:]
    tables = [[[tuple(cell) for cell in row] for row in table] for table in json.loads(html.unescape(found.group(1)))]
    results, timing = records.read_table(run_dir, "results"), records.read_table(run_dir, "timing")
    check_tables(tables, results, timing, methods_of(run_dir), required_of(run_dir))
