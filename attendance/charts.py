"""A stacked bar chart as inline SVG, drawn on the server: no chart library, no script.

One horizontal bar per month that has data (a month with nobody is not drawn as an empty
axis), so the chart is as narrow as a phone: the drawing is 340 units wide and the page shows
it at most 30rem wide, so a 13-unit text is never smaller than 12 px on a 390 px phone screen.
"""

import datetime as dt
from html import escape

# distinguishable for the common colour-vision deficiencies (Okabe–Ito), then greys
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999", "#666666"]
INK = "#1b1f24"
WIDTH = 340
FONT_SIZE = 13
ROW = 24
LABEL_W = 64
TOTAL_W = 36


def stacked_bars_svg(
    *, months: list[dt.date], series: dict[str, list[int]], title: str, month_labels: list[str]
) -> str:
    """The chart, or "" when no month has data (the page then says so in words)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(months))]
    shown = [index for index, total in enumerate(totals) if total]
    if not shown:
        return ""
    peak = max(totals)
    plot_w = WIDTH - LABEL_W - TOTAL_W
    colours = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(series)}
    legend_top = len(shown) * ROW + 12
    height = legend_top + len(colours) * 20
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT_SIZE}" font-family="system-ui,sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for row, index in enumerate(shown):
        y = row * ROW + 4
        label = month_labels[index]
        parts.append(f'<text x="0" y="{y + 13}" fill="{INK}">{escape(label)}</text>')
        x = float(LABEL_W)
        for name, values in series.items():
            value = values[index]
            if not value:
                continue
            bar_w = plot_w * value / peak
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{bar_w:.1f}" height="{ROW - 8}" fill="{colours[name]}">'
                f"<title>{escape(name)}, {escape(label)}: {value}</title></rect>"
            )
            x += bar_w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" fill="{INK}">{totals[index]}</text>')
    for i, (name, colour) in enumerate(colours.items()):
        y = legend_top + 20 * i
        parts.append(f'<rect x="0" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="18" y="{y + 11}" fill="{INK}">{escape(name[:40])}</text>')
    parts.append("</svg>")
    return "".join(parts)
