"""Traces stored with a run: traces/<case>.{svg,md,json} written by the runner, read back by the report."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from diffbench.case import Case, DomainError, describe
from diffbench.error_text import error_text
from diffbench.trace.model import MODES, TraceTooLong

REPORT_MAX_ROWS = 40     # traces longer than this stay out of the HTML report
REPORT_MIN_ROWS = 5      # ... and one this short is shown only when the case has no longer one
TRACE_DIR = "traces"     # run-folder subfolder that holds the stored traces


def _file_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "case"


def _report_params(case: Case, mode: str, seed: int) -> dict | None:
    """The first sweep value whose trace shows a few operations (REPORT_MIN_ROWS rows), else the first that fits."""
    from diffbench.trace.build import trace_case   # NB: lazy, like write_traces' own: readers skip AD and scipy
    fitting = []
    for value in case.sweep_values(mode):
        params = case.params(value)
        try:
            rows = len(trace_case(case, "forward", params, max_rows=REPORT_MAX_ROWS, seed=seed).rows)
        except (TraceTooLong, DomainError):
            continue
        if rows >= REPORT_MIN_ROWS:
            return params
        fitting.append(params)
    return fitting[0] if fitting else None


def write_traces(run_dir: Path, cases: dict, seed: int = 0, mode: str = "default") -> list[dict]:
    """Store traces/<case>.{svg,md,json} for each small scalar case; a failure record for each that failed.

    A case qualifies when a parameter value of this run's mode gives a scalar y in at most REPORT_MAX_ROWS
    rows (see _report_params); its point 0 is traced forward (ẋ1 = 1) and in reverse (ȳ = 1)."""
    from diffbench.trace.build import trace_case   # NB: lazy: the report only reads traces (no AD, no scipy)
    from diffbench.trace.graph import trace_svg
    from diffbench.trace.tables import caption, cells, headers, markdown
    folder = Path(run_dir) / TRACE_DIR
    stored, failures = [], []
    for case in cases.values():
        params = {}
        try:
            params = _report_params(case, mode, seed)
            if params is None:
                continue
            traces = {m: trace_case(case, m, params, max_rows=REPORT_MAX_ROWS, seed=seed) for m in MODES}
            if np.ndim(traces["reverse"].value) != 0:
                continue
            folder.mkdir(exist_ok=True)
            stem = _file_stem(case.name)
            stem = stem if stem not in stored else f"{stem}-{len(stored) + 1}"
            (folder / f"{stem}.svg").write_text(trace_svg(traces["reverse"]), encoding="utf-8")
            (folder / f"{stem}.md").write_text(markdown(traces["forward"]) + "\n" + markdown(traces["reverse"]),
                                               encoding="utf-8")
            record = {"case": case.name, "params": describe(params)}
            for m, t in traces.items():
                body, footer = cells(t)
                record[m] = {"caption": caption(t), "headers": list(headers(t)), "body": body, "footer": footer}
            (folder / f"{stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
            stored.append(stem)
        except (TraceTooLong, DomainError):
            continue    # too long for a picture, or outside the domain (the run's own jobs report that)
        except Exception as error:  # noqa: BLE001 - one case's trace never stops the others or the run
            failures.append({"case": case.name, "param": describe(params), "method": "trace", "point": 0,
                             "status": "failed", "message": f"evaluation trace: {error_text(error)}"})
    if stored:
        (folder / "index.json").write_text(json.dumps(stored), encoding="utf-8")
    return failures


SVG_ELEMENTS = {"svg", "title", "defs", "marker", "path", "g", "rect", "text"}   # what graph.trace_svg writes


def _is_plain_svg(text: str) -> bool:
    """True for an SVG made of trace_svg's elements only, without scripts, event handlers or links."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return False
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if tag not in SVG_ELEMENTS or any(k.lower().startswith("on") or "href" in k for k in element.attrib):
            return False
    return True


def read_traces(run_dir: Path) -> list[dict]:
    """The traces a run stored, each with its SVG text; [] when it stored none. NB: an SVG that is not
    plain trace_svg output is dropped, since the report inlines it."""
    folder = Path(run_dir) / TRACE_DIR
    out = []
    try:
        stems = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    for stem in stems if isinstance(stems, list) else []:
        try:
            record = json.loads((folder / f"{_file_stem(str(stem))}.json").read_text(encoding="utf-8"))
            svg = (folder / f"{_file_stem(str(stem))}.svg").read_text(encoding="utf-8")
            if _is_plain_svg(svg) and all(k in record for k in ("case", "params", "forward", "reverse")):
                out.append({**record, "svg": svg})
        except (OSError, ValueError):
            continue
    return out
