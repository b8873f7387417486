"""A stacked bar chart as inline SVG, drawn on the server: no chart library, no script."""

import datetime as dt
from html import escape

# distinguishable for the common colour-vision deficiencies (Okabe–Ito), then greys
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999", "#666666"]
MIDDLE = 'text-anchor="middle" fill="#1b1f24"'


def stacked_bars_svg(
    *, months: list[dt.date], series: dict[str, list[int]], title: str, month_labels: list[str]
) -> str:
    width, height = 640, 260
    left, right, top, bottom = 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(months))]
    peak = max(totals + [1])
    step = max(1, -(-peak // 4))
    ceiling = step * 4
    bar_slot = plot_w / max(len(months), 1)
    bar_w = bar_slot * 0.7
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 24 * ((len(series) + 3) // 4)}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        'font-size="11" font-family="system-ui,sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        value = step * tick
        y = top + plot_h - plot_h * value / ceiling
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#56606b">{value}</text>')
    colours = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(series)}
    for index, label in enumerate(month_labels):
        x = left + bar_slot * index + (bar_slot - bar_w) / 2
        base = top + plot_h
        for name, values in series.items():
            value = values[index]
            if not value:
                continue
            bar_h = plot_h * value / ceiling
            base -= bar_h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" fill="{colours[name]}">'
                f"<title>{escape(name)}, {escape(label)}: {value}</title></rect>"
            )
        centre = x + bar_w / 2
        parts.append(f'<text x="{centre:.1f}" y="{top + plot_h + 16}" {MIDDLE}>{escape(label)}</text>')
        if totals[index]:
            parts.append(f'<text x="{centre:.1f}" y="{base - 3:.1f}" {MIDDLE}>{totals[index]}</text>')
    for i, (name, colour) in enumerate(colours.items()):
        x = left + (i % 4) * 150
        y = height + 24 * (i // 4) - 8
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}" fill="#1b1f24">{escape(name[:24])}</text>')
    parts.append("</svg>")
    return "".join(parts)
