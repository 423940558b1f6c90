"""A grouped horizontal bar chart as plain SVG, from the standard library only.

Used by benches/report.py (the head parsers per input) and benches/load.py
(httpwire and nginx per scenario), so BENCHMARKS.md shows a picture beside
each table. Every number drawn is one the caller passes: the charts are made
from the same results as the tables.
"""
from xml.sax.saxutils import escape

# httpwire first and in the strongest colour; the peers in greys and a muted blue.
COLOURS = ["#d9480f", "#495057", "#74a9cf", "#adb5bd"]


def bar_chart(title, subtitle, categories, series, values, fmt):
    """One group of bars per category, one bar per series in each.

    categories: the group labels, top to bottom; series: the bar names, in
    legend order; values[i][j]: the value of series j in category i, or None
    (no bar); fmt: value -> the label written at the bar's end. Returns the SVG
    text.
    """
    bar_h, bar_gap, group_gap = 14, 2, 14
    left, right, top = 170, 90, 70
    width = 820
    plot_w = width - left - right
    group_h = len(series) * (bar_h + bar_gap) - bar_gap
    height = top + len(categories) * (group_h + group_gap) + 10
    peak = max((v for row in values for v in row if v is not None), default=1) or 1

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<text x="10" y="38" fill="#495057">{escape(subtitle)}</text>',
    ]
    x = left
    for j, name in enumerate(series):
        out.append(f'<rect x="{x}" y="48" width="12" height="12" fill="{COLOURS[j % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 16}" y="58">{escape(name)}</text>')
        x += 16 + 8 * len(name) + 24
    y = top
    for i, category in enumerate(categories):
        out.append(f'<text x="{left - 8}" y="{y + group_h / 2 + 4:.1f}" text-anchor="end">'
                   f'{escape(category)}</text>')
        for j in range(len(series)):
            v = values[i][j]
            by = y + j * (bar_h + bar_gap)
            if v is None:
                out.append(f'<text x="{left + 4}" y="{by + bar_h - 3}" fill="#868e96">none</text>')
                continue
            w = max(1.0, plot_w * v / peak)
            out.append(f'<rect x="{left}" y="{by}" width="{w:.1f}" height="{bar_h}" '
                       f'fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(series[j])}: '
                       f'{escape(fmt(v))}</title></rect>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{by + bar_h - 3}">{escape(fmt(v))}</text>')
        y += group_h + group_gap
    out.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{y - group_gap + 4}" stroke="#212529"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def markdown_rows(text, begin, end):
    """The body rows of the first markdown table between the markers `begin` and
    `end` in `text`, each as a list of cell strings; [] if there is none."""
    if begin not in text or end not in text:
        return []
    section = text.split(begin, 1)[1].split(end, 1)[0]
    rows, in_table = [], False
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if in_table and not all(set(c) <= set("-:") for c in cells):
                rows.append(cells)
            in_table = True
        elif in_table:
            break
    return rows


def number(cell):
    """The first number in a table cell (`1,054.3 ns`, `**0.98×**`), or None for `-`."""
    digits = ""
    for ch in cell.replace(",", ""):
        if ch.isdigit() or (ch == "." and digits):
            digits += ch
        elif digits:
            break
    return float(digits) if digits else None
