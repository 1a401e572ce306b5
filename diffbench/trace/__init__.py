"""Evaluation traces: build, notation (v_i formulas), tables (text/md/tex), graph (SVG), store (run folder)."""
import importlib

# NB: names resolve lazily, so a reader (the report's read_traces) does not import build's AD and scipy with them
_MODULE_OF = {
    **dict.fromkeys(("case_point", "depths", "trace_case", "trace_function"), "build"),
    **dict.fromkeys(("MODES", "Const", "Ref", "Row", "Trace", "TraceTooLong"), "model"),
    **dict.fromkeys(("LATEX", "TEXT", "LatexNotation", "TextNotation", "derivative_formula", "describe_seed",
                     "latex_escape", "primal_formula"), "notation"),
    "trace_svg": "graph",
    **dict.fromkeys(("REPORT_MAX_ROWS", "TRACE_DIR", "read_traces", "write_traces"), "store"),
    **dict.fromkeys(("FORMATS", "caption", "cells", "headers", "latex", "markdown", "rich_table"), "tables"),
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'diffbench.trace' has no attribute {name!r}")
    return getattr(importlib.import_module(f"diffbench.trace.{_MODULE_OF[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))
