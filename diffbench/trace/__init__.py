"""Evaluation traces: build, notation (v_i formulas), tables (text/md/tex), graph (SVG), store (run folder)."""
from diffbench.trace.build import case_point, depths, trace_case, trace_function
from diffbench.trace.model import MODES, Const, Ref, Row, Trace, TraceTooLong
from diffbench.trace.notation import (LATEX, TEXT, LatexNotation, TextNotation, derivative_formula, describe_seed,
                                      latex_escape, primal_formula)
from diffbench.trace.graph import trace_svg
from diffbench.trace.store import REPORT_MAX_ROWS, TRACE_DIR, read_traces, write_traces
from diffbench.trace.tables import FORMATS, caption, cells, headers, latex, markdown, rich_table

__all__ = ["FORMATS", "LATEX", "MODES", "REPORT_MAX_ROWS", "TEXT", "TRACE_DIR", "Const", "LatexNotation", "Ref",
           "Row", "TextNotation", "Trace", "TraceTooLong", "caption", "case_point", "cells", "depths",
           "derivative_formula", "describe_seed", "headers", "latex", "latex_escape", "markdown", "primal_formula",
           "rich_table", "read_traces", "trace_case", "trace_function", "trace_svg", "write_traces"]
