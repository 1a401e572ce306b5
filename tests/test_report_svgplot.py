"""The report's SVG charts: log scales against their closed form, a fitted optimum starred where theory puts it."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from diffbench.report import grids
from diffbench.report.svgplot import FONT_PX, SMALL_PX, TITLE_PX, Scale, power_label

SVG = "{http://www.w3.org/2000/svg}"


def test_log_scale_maps_decades_linearly_and_ticks_powers_of_ten():
    scale = Scale.fit([1e-16, 1.0], log=True, pad=0.0)
    assert scale.unit(1e-8) == pytest.approx(0.5) and scale.unit(1e-12) == pytest.approx(0.25)
    assert scale.unit(1e-30) == 0.0 and scale.unit(10.0) == 1.0          # outside the limits: on the frame
    assert [label for _, label in scale.ticks] == ["10⁻¹⁶", "10⁻¹³", "10⁻¹⁰", "10⁻⁷", "10⁻⁴", "10⁻¹"]
    assert [label for _, label in Scale.fit([26, 62], log=True).ticks] == ["30", "40", "50", "60"]
    assert (power_label(2e-5), power_label(200.0), power_label(1e4)) == ("2×10⁻⁵", "200", "10⁴")


def test_linear_scale_ticks_at_round_steps():
    scale = Scale.fit([0.0, 1000.0], log=False, pad=0.0)
    assert scale.unit(250.0) == pytest.approx(0.25)
    assert [v for v, _ in scale.ticks] == [0, 200, 400, 600, 800, 1000]


def test_fd_grid_stars_the_optimum_of_the_error_model():
    """Central differences with error C h^2 (truncation) above the optimum and R / h (round-off) below it: the
    fitted model's optimum is h* = (R / (2 C))^(1/3), and the star's centre sits at h* on the log x axis."""
    C, R = 1e-3, 1e-16
    h = 10.0 ** np.linspace(-14, -1, 53)
    error = np.maximum(C * h**2, R / h)
    sweep = pd.DataFrame({"scheme": "central", "h": h, "rel_error": error})
    panel = {"label": "case · n=1 · point 0", "sweep": sweep, "best": ("sympy", 1e-16)}
    svg = grids.fd_grid("t", "family t", [panel])
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    stars = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#000" and p.get("fill") != "#ffffff"]
    assert len(stars) == 1
    tip_x = float(re.match(r"M([\d.]+) ", stars[0].get("d")).group(1))   # the star's top point is above its centre
    span = 13.0   # decades of h, padded by 5 % on each side
    expected = grids.LEFT + (math.log10((R / (2 * C)) ** (1 / 3)) - (-14 - 0.05 * span)) / (1.1 * span) \
        * grids.PANEL_PX[0]
    assert tip_x == pytest.approx(expected, abs=0.15)
    texts = [t for t in root.iter(f"{SVG}text")]
    assert any("sympy" == "".join(t.itertext()) for t in texts)            # the best other method, named
    assert min(FONT_PX, SMALL_PX, TITLE_PX) >= 9.0


def test_figure_text_is_escaped():
    sweep = pd.DataFrame({"scheme": "forward", "h": [1e-8, 1e-4, 1e-1], "rel_error": [1e-8, 1e-4, 1e-1]})
    svg = grids.fd_grid("t", "family <b>", [{"label": "<script>x</script>", "sweep": sweep, "best": None}])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "family &lt;b&gt;" in svg
    ET.fromstring(svg)
