"""A real run's report as Chromium lays it out, driven through selenium at 1280 and 400 px and in print media."""
from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from diffbench.report import render_report

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
WIDTHS = (1280, 400)
SCREEN_HEIGHT = 800          # the first screen: a laptop's viewport below the browser's own bars
MIN_FIGURE_TEXT_PX = 9.0
# NB: set DIFFBENCH_REPORT_RUN to a run folder (a default `diffbench run`) to test its report.html as it stands
# instead of the session's run, and DIFFBENCH_SCREENSHOTS to a folder to keep the full-page screenshots
REPORT_RUN = os.environ.get("DIFFBENCH_REPORT_RUN")
SCREENSHOTS = os.environ.get("DIFFBENCH_SCREENSHOTS")

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
                                       "/usr/bin/chromedriver; .ci/run installs them)")

LAYOUT = """
const visible = el => el.getClientRects().length > 0;
const matrix = document.querySelector("table.matrix");
const rows = matrix ? [...matrix.querySelectorAll("tbody tr")] : [];
const toc = [...document.querySelectorAll("nav.toc li")].map(li => {
  const a = li.querySelector("a");
  return {text: li.textContent.trim(), boxes: li.getClientRects().length, lines: a.getClientRects().length};
});
return {width: innerWidth, height: innerHeight, scrollWidth: document.documentElement.scrollWidth,
        pageHeight: document.documentElement.scrollHeight, toc: toc,
        matrixTop: matrix ? matrix.getBoundingClientRect().top + scrollY : null,
        matrixRows: rows.length, firstRowBottom: rows.length ? rows[0].getBoundingClientRect().bottom + scrollY : null,
        figures: document.querySelectorAll("figure svg").length,
        closedDetails: [...document.querySelectorAll("details")].filter(d => !d.open).length,
        resources: performance.getEntriesByType("resource").map(r => r.name)};
"""
# Every figure's text at the size it is drawn on screen: the computed font size in SVG units times the scale
# from those units to CSS pixels (the SVG's viewBox shrunk or grown to its rendered box, and any transform).
FIGURE_TEXT = """
document.querySelectorAll("details").forEach(d => d.open = true);
const texts = [...document.querySelectorAll("figure svg text")].filter(t => t.textContent.trim());
const sizes = texts.map(t => {
  const m = t.getScreenCTM();
  return {px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
          text: t.textContent.trim().slice(0, 40), figure: t.closest("figure").id, shown: t.getClientRects().length};
});
return {sizes: sizes, scrollWidth: document.documentElement.scrollWidth, width: innerWidth};
"""
PRINT_VIEW = """
return [...document.querySelectorAll("details")].map(d => {
  const summary = d.querySelector(":scope > summary");
  return {open: d.open, nested: d.parentElement.closest("details") !== null, summaryShown: summary.checkVisibility(),
          contentShown: [...d.children].some(c => c !== summary && c.checkVisibility()),
          extraHeight: d.getBoundingClientRect().height - summary.getBoundingClientRect().height};
});
"""


@pytest.fixture(scope="module")
def report_page(tmp_path_factory, request) -> Path:
    """report.html of a real run: DIFFBENCH_REPORT_RUN's as it stands, else the session's run rendered afresh."""
    if REPORT_RUN:
        page = Path(REPORT_RUN) / "report.html"
        assert page.exists(), f"DIFFBENCH_REPORT_RUN={REPORT_RUN} has no report.html"
        return page
    run_dir, _ = request.getfixturevalue("default_run")
    copy = tmp_path_factory.mktemp("browser") / run_dir.name
    shutil.copytree(run_dir, copy)
    return render_report(copy)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    # NB: a guard against a hung browser, not a speed check (2 cores shared with the rest of the suite)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


def _open(driver, page: Path, width: int, media: str = "screen") -> None:
    """Load `page` in a viewport exactly `width` x SCREEN_HEIGHT CSS px (device metrics, not the window: a
    headless window has a minimum width) in screen or print media."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": SCREEN_HEIGHT, "deviceScaleFactor": 1, "mobile": False})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    driver.get(page.as_uri())
    driver.get_log("browser")   # NB: reading the log empties it; _errors then sees only what the next load logs
    driver.get(page.as_uri())


def _errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def _screenshot(driver, height: int, path: Path) -> None:
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": driver.execute_script("return innerWidth"), "height": height, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("width", WIDTHS)
def test_report_fits_the_window(browser, report_page, width, tmp_path):
    _open(browser, report_page, width)
    layout = browser.execute_script(LAYOUT)
    assert layout["width"] == width and layout["height"] == SCREEN_HEIGHT
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"report-{width}px.png"
    _screenshot(browser, layout["pageHeight"], shot)
    assert shot.stat().st_size > 50_000   # a drawn page, not a blank one
    assert _errors(browser) == [] and layout["resources"] == []   # self-contained: nothing fetched, nothing logged
    assert layout["scrollWidth"] <= width, "the page scrolls sideways"
    split = [item["text"] for item in layout["toc"] if item["boxes"] != 1 or item["lines"] != 1]
    assert len(layout["toc"]) >= 5 and split == [], f"contents items split across lines or columns: {split}"
    # the answer first: the method x property matrix starts on the first screen, its first method row with it
    assert layout["matrixRows"] >= 5 and layout["matrixTop"] < SCREEN_HEIGHT
    assert layout["firstRowBottom"] <= SCREEN_HEIGHT, layout


@pytest.mark.parametrize("width", WIDTHS)
def test_figure_text_is_readable(browser, report_page, width):
    _open(browser, report_page, width)
    measured = browser.execute_script(FIGURE_TEXT)
    sizes = measured["sizes"]
    assert len(sizes) > 100 and all(s["shown"] for s in sizes), "every figure's text is laid out once opened"
    small = sorted((round(s["px"], 1), s["figure"], s["text"]) for s in sizes if s["px"] < MIN_FIGURE_TEXT_PX)
    assert small == [], f"{len(small)} of {len(sizes)} figure texts under {MIN_FIGURE_TEXT_PX} px: {small[:8]}"
    assert measured["scrollWidth"] <= width, "with every <details> open the page still scrolls sideways"


def test_print_opens_every_details(browser, report_page):
    _open(browser, report_page, 1280)
    on_screen = browser.execute_script(PRINT_VIEW)
    closed = [d for d in on_screen if not d["open"] and not d["nested"]]   # nested ones hide with their parent
    assert len(closed) >= 3 and all(d["summaryShown"] and not d["contentShown"] for d in closed), closed
    _open(browser, report_page, 1280, media="print")
    assert browser.execute_script("return matchMedia('print').matches")
    printed = browser.execute_script(PRINT_VIEW)
    assert len(printed) == len(on_screen)
    # NB: print shows the contents without setting `open`: the stylesheet opens them, not a script
    assert all(d["contentShown"] and not d["summaryShown"] for d in printed), printed
    assert all(printed[i]["extraHeight"] > on_screen[i]["extraHeight"] + 10 for i, d in enumerate(on_screen)
               if not d["open"])


def test_quick_run_end_to_end(browser, tmp_path):
    """`diffbench run --quick` in its own process -> report.html -> every figure drawn, nothing logged or fetched."""
    out = tmp_path / "runs"
    done = subprocess.run([str(Path(sys.executable).with_name("diffbench")), "run", "--quick", "--only",
                           "trace_example,logistic,log_quadratic", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, env=os.environ.copy())
    assert done.returncode == 0, done.stderr[-2000:]
    (run_dir,) = list(out.iterdir())
    _open(browser, run_dir / "report.html", 1280)
    figures = browser.execute_script("""return [...document.querySelectorAll("figure svg")].map(svg => {
        const r = svg.getBoundingClientRect(); return [r.width, r.height]; });""")
    assert _errors(browser) == [] and browser.execute_script(
        "return performance.getEntriesByType('resource').length") == 0
    assert len(figures) >= 6 and all(w > 100 and h > 50 for w, h in figures), figures
