"""The HTML report of a run, and the comparison of two runs, rendered from stored records alone."""
from diffbench.report.html import render_comparison, render_report
from diffbench.report.sections import SECTIONS, Section

__all__ = ["render_report", "render_comparison", "SECTIONS", "Section"]
