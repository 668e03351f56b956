"""Server-rendered charts: the geometry is computed here, the SVG drawn by a template, so pages need no script.

Every chart is an `<svg role="img">` with a title and a text description and no link inside (links inside an
image are unreachable to some readers and trip axe's nested-interactive rule); each page puts an HTML table with
the same figures, and the links, beside it. Text sizes are set in CSS per screen width, in viewBox units, so labels
stay readable when the picture shrinks to a phone.
"""

import math

# Width of a label in viewBox units at the phone text size (19 units, see .chart text in site.css).
NARROW_YEAR_LABEL = 48
WIDE_YEAR_LABEL = 32
NARROW_VALUE_LABEL = 24


def nice_step(top: int, max_ticks: int = 5) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that covers `top` in at most `max_ticks` steps."""
    if top <= max_ticks:
        return 1
    magnitude = 10 ** int(math.log10(top / max_ticks))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if top / step <= max_ticks:
            return step
    return 10 * magnitude


def bar_chart(rows: list[tuple[int, int]], *, width: int = 480, height: int = 240) -> dict:
    """Geometry of a vertical bar chart of (year, count), every year of the range shown, with a y axis.

    Margins keep every label inside the picture: value labels above the tallest bar, year labels below, tick
    labels on the left. Labels that would overlap on a phone carry `narrow-hide`.
    """
    if not rows:
        return {"bars": [], "ticks": [], "width": width, "height": height}
    counts = dict(rows)
    years = list(range(min(counts), max(counts) + 1))
    left, right, top_margin, bottom = 40, 8, 26, 32
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    base = top_margin + plot_h
    top = max(counts.values())
    step = nice_step(top)
    y_max = max(step, math.ceil(top / step) * step)
    slot = plot_w / len(years)
    every_wide = max(1, math.ceil(WIDE_YEAR_LABEL / slot))
    every_narrow = max(every_wide, math.ceil(NARROW_YEAR_LABEL / slot))
    bars = []
    for i, year in enumerate(years):
        n = counts.get(year, 0)
        h = round(plot_h * n / y_max, 1)
        x = left + i * slot
        bars.append({
            "year": year, "count": n, "x": round(x + slot * 0.15, 1), "w": round(slot * 0.7, 1),
            "y": round(base - h, 1), "h": h, "label_x": round(x + slot / 2, 1), "value_y": round(base - h - 6, 1),
            "show_label": i % every_wide == 0, "narrow_label": i % every_narrow == 0,
            "narrow_value": slot >= NARROW_VALUE_LABEL,
        })  # fmt: skip
    ticks = [{"value": v, "y": round(base - plot_h * v / y_max, 1)} for v in range(0, y_max + 1, step)]
    return {
        "bars": bars, "ticks": ticks, "width": width, "height": height, "left": left, "right": width - right,
        "base": base, "label_y": height - 10, "total": sum(counts.values()),
    }  # fmt: skip
