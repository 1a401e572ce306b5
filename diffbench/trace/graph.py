"""The computational graph of a trace as a self-contained SVG, laid out in layers by hand (no Graphviz)."""
from __future__ import annotations

import unicodedata
import zlib
from xml.sax.saxutils import escape, quoteattr

from diffbench.trace.build import depths
from diffbench.trace.model import Ref, Trace
from diffbench.trace.notation import TEXT, describe_seed, primal_formula

FONT_SIZE = 12
CHAR_WIDTH = 7.3          # px per character of a 12 px monospace font
LINE_HEIGHT = 16
PAD_X, PAD_Y = 10, 8
LAYER_GAP, NODE_GAP = 56, 22
MARGIN, TITLE_HEIGHT, LEGEND_HEIGHT = 16, 28, 24
FILL = {"input": "#dbeaf5", "inner": "#ffffff", "output": "#fbefc9"}


def _width(text: str) -> float:
    """Rendered width of monospace text; combining accents (v̇, v̄) take no room."""
    return CHAR_WIDTH * sum(1 for ch in text if not unicodedata.combining(ch))


def node_lines(trace: Trace, row, digits: int = 4) -> list[str]:
    """What a node shows: its formula, its value, and its tangent or adjoint."""
    mark = TEXT.tangent(row.number) if trace.mode == "forward" else TEXT.adjoint(row.number)
    return [primal_formula(trace, row, TEXT, digits), f"= {TEXT.value(row.value, digits)}",
            f"{mark} = {TEXT.value(row.derivative, digits)}"]


def layout(trace: Trace) -> list[list]:
    """Rows by layer (longest path from the inputs); within a layer, ordered by the mean slot of their operands."""
    depth = depths(trace)
    layers: list[list] = [[] for _ in range(max(depth.values()) + 1)]
    for row in trace.rows:
        layers[depth[row.number]].append(row)
    slot = {row.number: k - (len(layers[0]) - 1) / 2 for k, row in enumerate(layers[0])}
    for layer in layers[1:]:
        def barycentre(row):
            parents = [slot[c.number] for c in row.operands if isinstance(c, Ref)]
            return (sum(parents) / len(parents), row.number)
        layer.sort(key=barycentre)
        slot.update({row.number: k - (len(layer) - 1) / 2 for k, row in enumerate(layer)})
    return layers


def trace_svg(trace: Trace, digits: int = 4) -> str:
    """The graph of `trace`: one box per v_i (formula, value, tangent or adjoint), one arrow per dependency."""
    uid = f"{zlib.crc32(f'{trace.title}|{trace.mode}'.encode()):08x}"
    layers = layout(trace)
    lines = {row.number: node_lines(trace, row, digits) for row in trace.rows}
    box_height = 3 * LINE_HEIGHT + 2 * PAD_Y
    column_widths = [max(_width(t) for row in layer for t in lines[row.number]) + 2 * PAD_X for layer in layers]
    tallest = max(len(layer) for layer in layers)
    graph_height = tallest * box_height + (tallest - 1) * NODE_GAP
    boxes, x = {}, MARGIN
    for layer, width in zip(layers, column_widths):
        used = len(layer) * box_height + (len(layer) - 1) * NODE_GAP
        y = MARGIN + TITLE_HEIGHT + (graph_height - used) / 2
        for row in layer:
            boxes[row.number] = (x, y, width, box_height)
            y += box_height + NODE_GAP
        x += width + LAYER_GAP
    title = f"{trace.title} ({trace.mode} mode)"
    legend = (f"box: v_i = operation, = value, {'v̇ tangent' if trace.mode == 'forward' else 'v̄ adjoint'} "
              f"({describe_seed(trace, TEXT, digits)}); arrow: dependency; thick box: y")
    width = max(x - LAYER_GAP + MARGIN, _width(title) + 2 * MARGIN, _width(legend) + 2 * MARGIN)
    height = MARGIN + TITLE_HEIGHT + graph_height + LEGEND_HEIGHT + MARGIN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="{FONT_SIZE}" role="img" '
           f'aria-label={quoteattr(title)}>',
           f"<title>{escape(title)}</title>",
           f'<defs><marker id="arrow-{uid}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
           f'<text x="{MARGIN}" y="{MARGIN + 12}" font-weight="bold">{escape(title)}</text>']
    for row in trace.rows:
        for parent in dict.fromkeys(c.number for c in row.operands if isinstance(c, Ref)):
            px, py, pw, ph = boxes[parent]
            cx, cy, _, ch = boxes[row.number]
            x1, y1, x2, y2 = px + pw, py + ph / 2, cx, cy + ch / 2
            bend = (x2 - x1) / 2
            out.append(f'<path d="M {x1:.1f} {y1:.1f} C {x1 + bend:.1f} {y1:.1f} {x2 - bend:.1f} {y2:.1f} '
                       f'{x2:.1f} {y2:.1f}" fill="none" stroke="#555" marker-end="url(#arrow-{uid})"/>')
    output = trace.output.number if isinstance(trace.output, Ref) else None
    for row in trace.rows:
        bx, by, bw, bh = boxes[row.number]
        kind = "output" if row.number == output else ("input" if row.op is None else "inner")
        stroke = 2.5 if kind == "output" else 1
        rounding = 14 if kind == "input" else 3
        out.append(f'<g><rect x="{bx:.1f}" y="{by:.1f}" width="{bw:.1f}" height="{bh:.1f}" rx="{rounding}" '
                   f'fill="{FILL[kind]}" stroke="#333" stroke-width="{stroke}"/>')
        for k, text in enumerate(lines[row.number]):
            weight = ' font-weight="bold"' if k == 0 else ""
            out.append(f'<text x="{bx + PAD_X:.1f}" y="{by + PAD_Y + (k + 1) * LINE_HEIGHT - 4:.1f}"{weight}>'
                       f"{escape(text)}</text>")
        out.append("</g>")
    out.append(f'<text x="{MARGIN}" y="{height - MARGIN:.0f}" fill="#444">{escape(legend)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
